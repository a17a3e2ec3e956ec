"""Cross-references of a loaded pack: states, steps, forms, fields, facts and documents named anywhere exist;
a step sets only declared facts of their type; every rule's parameters are typed by its kind (and the
references among them exist). Returns the pack with each rule's typed parameters attached."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import PackError
from ..procedure.dates import Duration
from ..procedure.refs import Expr, Ref
from .model import KEY_RE, FormDef, Pack, RuleDef, StepDef, Transition


def check_references(pack: Pack, path: Path, check_templates: bool = True) -> Pack:
    problems: list[str] = []
    step_ids = [s.id for s in pack.steps]
    if len(set(step_ids)) != len(step_ids):
        problems.append("steps：步骤 id 重复")
    steps = []
    for i, step in enumerate(pack.steps):
        typed, found = _step(pack, f"steps[{i}] ({step.id})", step)
        steps.append(typed)
        problems += found
    imports = {}
    for key, imp in pack.imports.items():
        form = pack.forms.get(imp.form)
        rules, found = _rules(pack, f"imports.{key}", imp.rules, form)
        imports[key] = imp.model_copy(update={"rules": rules})
        problems += found + _import_problems(pack, key, form)
    problems += _case_and_member_problems(pack) + _derived_problems(pack) + _ledger_problems(pack)
    problems += _reminder_problems(pack) + _privacy_problems(pack)
    problems += [p for key, doc in pack.documents.items() for p in _document_problems(pack, key, doc, check_templates)]
    if problems:
        raise PackError("流程包内容有误：\n  " + "\n  ".join(problems), place=str(path))
    return pack.model_copy(update={"steps": tuple(steps), "imports": imports})


def _step(pack: Pack, where: str, step: StepDef) -> tuple[StepDef, list[str]]:
    problems: list[str] = []
    states = {s.id for s in pack.states}
    step_ids = {s.id for s in pack.steps}
    form = pack.forms.get(step.form)
    if form is None:
        problems.append(f"{where}.form：未定义的表单 {step.form!r}")
    problems += [f"{where}：未定义的状态 {st!r}" for st in (*step.from_, step.to) if st not in states]
    problems += [f"{where}.after：未定义的步骤 {a!r}" for a in step.after if a not in step_ids]
    if step.repeat and form and not form.field(step.period_field):
        problems.append(f"{where}.period_field：表单 {step.form} 中没有字段 {step.period_field!r}")
    sets = [(f"sets.{k}", k, v) for k, v in step.sets.items()]
    statuses = {s.member for s in pack.states if s.member} | ({pack.members.full} if pack.members else set())
    moving: list[tuple[str, StepDef | Transition]] = [("", step), *((f".to_when[{n}]", t)
                                                                  for n, t in enumerate(step.to_when))]
    for what, moves in moving:
        if moves.joins_members and moves.joins_members not in statuses:
            problems.append(f"{where}{what}.joins_members：{moves.joins_members!r} 不是任何状态的 member 身份")
        if moves.joins_members and moves.leaves_members:
            problems.append(f"{where}{what}：joins_members 与 leaves_members 不能同时使用")
    for n, t in enumerate(step.to_when):
        sets += [(f"to_when[{n}].sets.{k}", k, v) for k, v in t.sets.items()]
        if t.to not in states:
            problems.append(f"{where}.to_when[{n}]：未定义的状态 {t.to!r}")
        problems += [f"{where}.to_when[{n}].when：无效的引用 {ref!r}" for ref in t.when.fields
                     if not ref_ok(pack, Ref(ref), form)]
        problems += [f"{where}.to_when[{n}].reopen：未定义的步骤 {r!r}" for r in t.reopen if r not in step_ids]
        problems += [f"{where}.to_when[{n}].reissue：{d!r} 不是收集表单的文书"
                     for d in t.reissue if d not in pack.documents or not pack.documents[d].collects]
    for entry, fact, expr in sets:
        if not re.fullmatch(KEY_RE, fact) or not all(ref_ok(pack, r, form) for r in expr.refs):
            problems.append(f"{where}.{entry}：无效的引用 {expr!r}")
        else:
            problems += [f"{where}.{entry}：{p}" for p in _fact_type_problems(pack, fact, expr, form)]
    rules, found = _rules(pack, where, step.rules, form)
    return step.model_copy(update={"rules": rules}), problems + found


def _rules(pack: Pack, where: str, rules: tuple[RuleDef, ...], form: FormDef | None) -> tuple[tuple[RuleDef, ...],
                                                                                             list[str]]:
    from ..procedure.rules import RULES, typed_params  # the rule library types its own parameters

    out, problems = [], []
    for j, rule in enumerate(rules):
        at = f"{where}.rules[{j}] ({rule.kind})"
        try:
            typed = typed_params(RULES, rule)
        except ValueError as exc:
            problems.append(f"{at}：{exc}")
            out.append(rule)
            continue
        if not rule.label:
            problems.append(f"{at}.label：每条规则须写明它检查什么（显示在说明文档和退回说明中）")
        refs = typed.refs() + [Ref(r) for r in (rule.when.fields if rule.when else ())]
        problems += [f"{at}：无效的引用 {r!r}" for r in refs if not ref_ok(pack, r, form)]
        step = getattr(typed, "step", None)
        if isinstance(step, str) and step not in {s.id for s in pack.steps}:
            problems.append(f"{at}.step：未定义的步骤 {step!r}")
        out.append(rule.model_copy(update={"typed": typed}))
    return tuple(out), problems


def ref_ok(pack: Pack, ref: Ref, form: FormDef | None) -> bool:
    """``form.x``: a field of the form; ``case.x``: a declared fact or a person field; ``today``."""
    if ref.ns == "today":
        return True
    if ref.ns == "form":
        return form is not None and form.field(ref.key) is not None
    return ref.key in pack.facts or any(f.key == ref.key for f in pack.person_fields)


def _document_problems(pack: Pack, key: str, doc, check_templates: bool) -> list[str]:
    where = f"documents.{key}"
    step_ids = {s.id for s in pack.steps}
    problems = [f"{where}.after：未定义的步骤 {a!r}" for a in doc.after if a not in step_ids]
    forms = [pack.forms.get(pack.step(a).form) for a in doc.after if a in step_ids]
    problems += [f"{where}.when：无效的引用 {ref!r}" for ref in (doc.when.fields if doc.when else ())
                 if not any(ref_ok(pack, Ref(ref), f) for f in forms)]
    if doc.collects and doc.collects not in pack.forms:
        problems.append(f"{where}.collects：未定义的表单 {doc.collects!r}")
    if check_templates and not (pack.root / doc.template).is_file():
        problems.append(f"{where}.template：模板文件不存在 {doc.template}")
    if not doc.template.endswith((".docx", ".xlsx")):
        problems.append(f"{where}.template：模板须为 .docx 或 .xlsx")
    if doc.period and not (doc.collects and any(s.repeat for s in pack.steps_for_form(doc.collects))):
        problems.append(f"{where}.period：只有收集可重复步骤表单的文书才能按期次生成")
    if doc.due is not None and not ref_ok(pack, doc.due.from_, None):
        problems.append(f"{where}.due.from：无效的引用 {doc.due.from_!r}")
    return problems + _profile_problems(pack, where, doc)


def _profile_problems(pack: Pack, where: str, doc) -> list[str]:
    """An official document (公文) is a Word document that nobody fills in; ``dated`` names a date: a field
    ``step.field`` of a step's form, or a date fact."""
    problems = []
    if doc.profile == "official" and (doc.collects or not doc.template.endswith(".docx")):
        problems.append(f"{where}.profile：公文（official）须为不需填写的 Word 文书（.docx，无 collects）")
    if doc.dated:
        step_id, _, key = doc.dated.partition(".")
        step = next((s for s in pack.steps if s.id == step_id), None)
        field = pack.forms[step.form].field(key) if step is not None and key and step.form in pack.forms else None
        fact = pack.facts.get(doc.dated)
        if not ((field is not None and field.type == "date") or (fact is not None and fact.type == "date")):
            problems.append(f"{where}.dated：应为某步骤表单的日期字段（步骤.字段）或日期事实，{doc.dated!r} 不是")
    if doc.pages < 0:
        problems.append(f"{where}.pages：页数不能为负")
    return problems


def _import_problems(pack: Pack, key: str, form: FormDef | None) -> list[str]:
    imp, where = pack.imports[key], f"imports.{key}"
    states = {s.id for s in pack.states}
    step_ids = {s.id for s in pack.steps}
    problems = []
    if form is None or not form.field(imp.stage_field):
        problems.append(f"{where}：表单 {imp.form!r} 或阶段字段 {imp.stage_field!r} 未定义")
    for n, m in enumerate(imp.milestones):
        if m.step not in step_ids or (m.state and m.state not in states):
            problems.append(f"{where}.milestones[{n}]：未定义的步骤或状态 {m.step!r}/{m.state!r}")
        elif any(not ref_ok(pack, v, form) for v in (*m.values.values(), *m.facts.values(), *m.fallback.values())):
            problems.append(f"{where}.milestones[{n}].values：无效的引用")
        elif form is not None and any(not form.field(col) for col in m.split):
            problems.append(f"{where}.milestones[{n}].split：表单 {imp.form!r} 没有这些列 {sorted(m.split)!r}")
        else:
            for fact, ref in m.facts.items():
                problems += [f"{where}.milestones[{n}].facts.{fact}：{p}"
                             for p in _fact_type_problems(pack, fact, Expr(ref), form)]
    return problems


def _privacy_problems(pack: Pack) -> list[str]:
    priv = pack.privacy
    states = {s.id for s in pack.states}
    keys = {f.key for form in pack.forms.values() for f in form.fields}
    problems = [f"privacy.left：未定义的状态 {s!r}" for s in priv.left if s not in states]
    problems += [f"privacy.personal：没有哪张表单有字段 {k!r}" for k in priv.personal if k not in keys]
    if priv.left and priv.left_date not in pack.facts and priv.left_date not in keys:
        problems.append(f"privacy.left_date：未定义的日期 {priv.left_date!r}")
    return problems


def _reminder_problems(pack: Pack) -> list[str]:
    steps = {s.id for s in pack.steps}
    problems = []
    for n, r in enumerate(pack.reminders):
        key = r.from_.partition(".")[2]
        known = key in pack.facts or key in {f.key for f in pack.person_fields}
        if not r.from_.startswith("case.") or not known:
            problems.append(f"reminders[{n}].from：{r.from_!r} 须是案卷的事实（case.x）")
        if r.until not in steps or any(a not in steps for a in r.after):
            problems.append(f"reminders[{n}]：after / until 须是本流程包的步骤")
        try:
            Duration.parse(r.add)
        except ValueError as exc:
            problems.append(f"reminders[{n}].add：{exc}")
    return problems


def _ledger_problems(pack: Pack) -> list[str]:
    """Each ledger column names a fact, a person field, a step's form field, or a repeat step to count."""
    known = set(pack.facts) | {f.key for f in pack.person_fields}
    problems = []
    for n, c in enumerate(pack.ledger):
        for ref in c.value:
            step, _, key = ref.partition(".")
            form = next((pack.forms.get(s.form) for s in pack.steps if s.id == step), None) or pack.forms.get(step)
            ok = (ref in known) if not key else form is not None and form.field(key) is not None   # a step
            # switched off by a setting is gone from the steps; its form (of the same id) still says its fields
            if not ok:
                problems.append(f"ledger[{n}]（{c.label}）：{ref!r} 不是事实、人员字段或“步骤.字段”")
        if c.count and not any(s.id == c.count and s.repeat for s in pack.steps):
            problems.append(f"ledger[{n}]（{c.label}）.count：{c.count!r} 不是可重复的步骤")
        if not c.value and not c.count:
            problems.append(f"ledger[{n}]（{c.label}）：须有 value 或 count")
    return problems


def _derived_problems(pack: Pack) -> list[str]:
    return [f"derived.{key}.fact：{d.fact!r} 须是 [facts] 中声明的 number 类型事实"
            for key, d in pack.derived.items() if d.fact not in pack.facts or pack.facts[d.fact].type != "number"]


def _case_and_member_problems(pack: Pack) -> list[str]:
    problems = []
    person = {f.key: f for f in pack.person_fields}
    for entry in ("name", "branch", "year", "birth", "age_on", "id_number"):
        key = getattr(pack.case, entry)
        if key and key not in person:
            problems.append(f"case.{entry}：{key!r} 不是建立案卷的表单中的字段")
    if pack.case.year and person.get(pack.case.year) and person[pack.case.year].type != "date":
        problems.append(f"case.year：{pack.case.year!r} 须是日期字段")
    m = pack.members
    if m is not None:
        form = pack.forms.get(m.form)
        if form is None or not form.members:
            problems.append(f"members.form：{m.form!r} 须是 members = true 的名册")
        else:
            problems += [f"members.{entry}：表单 {m.form} 中没有字段 {getattr(m, entry)!r}"
                         for entry in ("name", "branch", "status", "discipline")
                         if getattr(m, entry) and form.field(getattr(m, entry)) is None]
            status = form.field(m.status)
            if status is not None and status.choices and m.full not in status.choices:
                problems.append(f"members.full：{m.full!r} 不是 {m.status} 的可选值")
    return problems


def expr_type(pack: Pack, expr: Expr, form: FormDef | None) -> tuple[str, ...]:
    """The fact types a value of ``expr`` may have ("ref + N unit" is a date); () when unknown."""
    from ..check.fields import field_type

    if expr.amount is not None:
        return ("date",)
    ref = expr.base
    if ref.ns == "form":
        f = form.field(ref.key) if form else None
        return field_type(f).fact_types if f else ()
    if ref.key in pack.facts:
        return (pack.facts[ref.key].type,)
    person = next((f for f in pack.person_fields if f.key == ref.key), None)
    return field_type(person).fact_types if person else ()


def _fact_type_problems(pack: Pack, fact: str, expr: Expr, form: FormDef | None) -> list[str]:
    declared = pack.facts.get(fact)
    if declared is None:
        return [f"事实 {fact!r} 没有在 [facts] 中声明（须写明 label 和 type）"]
    kinds = expr_type(pack, expr, form)
    if kinds and declared.type not in kinds:
        return [f"事实 {fact!r} 声明为 {declared.type}，但 {str(expr)!r} 的值是 {'/'.join(kinds)}"]
    return []

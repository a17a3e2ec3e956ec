"""The user guide's tables, written from the pack itself: the steps (stage, number, the form staff hand in, what
is issued after it) and every rule a step checks (its label, whether it only warns, its article). A README keeps
them between markers (``<!-- docflow:steps -->`` … ``<!-- /docflow:steps -->``, the same for ``rules``);
``tools/pack_docs.py`` rewrites them and a test fails when they drift from the pack."""
from __future__ import annotations

import re
from functools import partial

from ..procedure.rules import RULES
from .model import Pack, RuleDef, StepDef

SECTIONS = ("steps", "rules")


def step_number(step: StepDef) -> str:
    if not step.numbers:
        return ""
    first, last = step.numbers[0], step.numbers[-1]
    return str(first) if first == last else f"{first}–{last}"


def step_title(step: StepDef) -> str:
    number = step_number(step)
    return f"{number} {step.label}" if number else step.label


def issued_after(pack: Pack, step: StepDef) -> list[str]:
    """The documents a step makes due, as staff see them in outbox (NN-title)."""
    order = {s.id: i for i, s in enumerate(pack.steps)}
    out = []
    for doc in pack.documents.values():
        after = [a for a in doc.after if a in order]
        if not after:
            continue
        when = [max(after, key=order.__getitem__)] if doc.after_all else after
        if step.id in when:
            out.append(f"{doc.number:02d} {doc.title}" + ("（视结果）" if doc.when is not None else ""))
    return out


def steps_table(pack: Pack) -> str:
    lines = ["| 阶段 | 步骤 | 您交回的表格 | 之后系统生成的文书和表格 |", "|---|---|---|---|"]
    stage = None
    for step in pack.steps:
        shown = step.stage if step.stage != stage else ""
        stage = step.stage
        form = pack.forms[step.form].label + ("（需要时填写）" if step.side else "")
        issued = "；".join(issued_after(pack, step)) or "—"
        lines.append(f"| {shown} | {step_title(step)} | {form} | {issued} |")
    return "\n".join(lines)


def rule_text(rule: RuleDef) -> str:
    kind = RULES.get(rule.kind)
    text = rule.label
    if kind is not None and kind.describe is not None and rule.typed is not None:
        text += f"（{kind.describe(rule.typed)}）"
    if rule.severity == "warn":
        text += "（只提醒，不退回）"
    if rule.article:
        text += f"〔{rule.article}〕"
    return text


def rules_list(pack: Pack) -> str:
    blocks = []
    for step in pack.steps:
        rules = [r for r in step.rules if r.enabled]
        if not rules:
            continue
        head = f"- **{step_title(step)}**（{pack.forms[step.form].label}）"
        blocks.append("\n".join([head] + [f"  - {rule_text(r)}" for r in rules]))
    for imp in pack.imports.values():
        rules = [r for r in imp.rules if r.enabled]
        if rules:
            head = f"- **导入{pack.forms[imp.form].label}**（中途启用时，每一行）"
            blocks.append("\n".join([head] + [f"  - {rule_text(r)}" for r in rules]))
    return "\n".join(blocks)


def section(pack: Pack, name: str) -> str:
    return {"steps": steps_table, "rules": rules_list}[name](pack)


def _marker(name: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- docflow:{name} -->\n)(.*?)(<!-- /docflow:{name} -->)", re.S)


def rewrite(text: str, pack: Pack) -> str:
    """``text`` with every marked section written anew from the pack."""
    for name in SECTIONS:
        text = _marker(name).sub(partial(_fill, section(pack, name)), text)
    return text


def _fill(body: str, m: re.Match[str]) -> str:
    return m.group(1) + body + "\n" + m.group(3)


def sections_in(text: str) -> list[str]:
    return [name for name in SECTIONS if _marker(name).search(text)]

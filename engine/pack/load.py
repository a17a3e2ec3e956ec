"""Loading a pack: read pack.toml, bind the local settings into it ("{setting}" placeholders), inherit shared
fields, drop the steps a setting switches off, validate the model, then check every cross-reference.

A mistake in a pack is reported as a ``PackError`` naming the file and the entry
(e.g. ``pack.toml: steps[2] (activist).rules[1]``)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import PackError
from .check import check_references
from .model import Pack


def load_pack(folder: Path, overrides: dict[str, Any] | None = None, check_templates: bool = True) -> Pack:
    """Read ``folder/pack.toml``, apply local settings, check every cross-reference."""
    path = folder / "pack.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError("找不到流程包文件", place=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"TOML 语法错误：{exc}", place=str(path)) from None
    settings = dict(raw.get("settings", {}))
    for key, value in (overrides or {}).items():
        if key not in settings:
            raise PackError(f"docflow.toml 中的设置 {key!r} 不是本流程包的设置项（可用：{', '.join(settings)}）",
                            place=str(path))
        if type(value) is not type(settings[key]):
            raise PackError(f"设置 {key!r} 的类型应与默认值 {settings[key]!r} 相同", place="docflow.toml")
        settings[key] = value
    raw["settings"] = settings
    bound = _bind(raw, settings, path)
    try:
        pack = Pack.model_validate({**bound, "root": folder})
    except ValidationError as exc:
        raise PackError(_describe(exc, bound), place=str(path)) from None
    return check_references(pack, path, check_templates)


def _bind(raw: dict, settings: dict, path: Path) -> dict:
    """Fill "{setting}" placeholders in rule parameters, step facts and due dates."""

    def fill(value: Any, where: str) -> Any:
        whole = re.fullmatch(r"\{(\w+)\}", value) if isinstance(value, str) else None
        if whole and whole.group(1) in settings:
            return settings[whole.group(1)]
        if isinstance(value, str) and "{" in value:
            try:
                return value.format(**settings)
            except (KeyError, IndexError, ValueError) as exc:
                raise PackError(f"{where}：引用了不存在的设置 {exc}", place=str(path)) from None
        if isinstance(value, dict):
            return {k: fill(v, f"{where}.{k}") for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v, f"{where}[{i}]") for i, v in enumerate(value)]
        return value

    out = dict(raw)
    out["steps"] = [_switches(fill(s, f"steps[{i}]"), f"steps[{i}]", path) for i, s in enumerate(raw.get("steps", []))]
    switched: dict[str, list[str]] = {}     # form -> the settings that switched its steps off (for its receipt)
    for before, after in zip(raw.get("steps", []), out["steps"], strict=True):
        if after.get("enabled") is False and after.get("form"):
            names = re.findall(r"\{(\w+)\}", str(before.get("enabled", "")))
            switched.setdefault(after["form"], []).extend(n for n in names if isinstance(settings.get(n), bool))
    out["switched_off"] = {form: list(dict.fromkeys(names)) for form, names in switched.items()
                           if form not in {st.get("form") for st in out["steps"] if st.get("enabled") is not False}}
    out["documents"] = {k: fill(d, f"documents.{k}") for k, d in raw.get("documents", {}).items()}
    out["derived"] = {k: fill(d, f"derived.{k}") for k, d in raw.get("derived", {}).items()}
    out["reminders"] = [fill(r, f"reminders[{i}]") for i, r in enumerate(raw.get("reminders", []))]
    out["forms"] = _inherit_fields(raw.get("forms", {}), path)
    return _drop_disabled(out)


def _switches(step: dict, where: str, path: Path) -> dict:
    """A step's (and its rules') ``enabled`` after the settings are filled in: true/false, or a list of conditions
    that must all hold — each a setting's value or "a == b" / "a != b" (e.g. ["{evaluation}",
    "{evaluation_before} == target"])."""
    def truth(value: Any, at: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, list):
            return all(truth(v, f"{at}[{i}]") for i, v in enumerate(value))
        if isinstance(value, str):
            for op in ("!=", "=="):
                if op in value:
                    a, b = (x.strip() for x in value.split(op, 1))
                    return (a == b) == (op == "==")
        raise PackError(f"{at}：enabled 须为 true/false、设置项，或“设置 == 值”这样的条件（现为 {value!r}）",
                        place=str(path))

    out = dict(step)
    if "enabled" in out:
        out["enabled"] = truth(out["enabled"], f"{where}.enabled")
    if isinstance(out.get("rules"), list):
        out["rules"] = [dict(r, enabled=truth(r["enabled"], f"{where}.rules[{i}].enabled")) if "enabled" in r else r
                        for i, r in enumerate(out["rules"])]
    return out


def _inherit_fields(forms: dict, path: Path) -> dict:
    """``fields_from = "other"``: a form with the same fields as another (e.g. the three public notices)."""
    out = {}
    for key, form in forms.items():
        form = dict(form)
        source = form.pop("fields_from", "")
        if source:
            if source not in forms or "fields" not in forms[source]:
                raise PackError(f"forms.{key}.fields_from：未定义的表单 {source!r}", place=str(path))
            own = {f.get("key"): f for f in form.get("fields", [])}
            inherited = [own.pop(f.get("key"), f) for f in forms[source]["fields"]]  # same key: the form's own wins
            form["fields"] = inherited + list(own.values())
        out[key] = form
    return out


def _drop_disabled(raw: dict) -> dict:
    """Steps switched off by a local setting vanish, with the documents that only they made due."""
    off = {s.get("id") for s in raw["steps"] if s.get("enabled") is False}
    if not off:
        return raw
    forms_off = ({s.get("form") for s in raw["steps"] if s.get("id") in off}      # a form another step still takes
                 - {s.get("form") for s in raw["steps"] if s.get("id") not in off})
    docs = {}
    for key, doc in raw["documents"].items():
        after = doc.get("after", [])
        after = [after] if isinstance(after, str) else after
        kept = [a for a in after if a not in off]
        if kept and doc.get("collects") not in forms_off and doc.get("needs_step") not in off:
            docs[key] = dict(doc, after=kept)

    def trim(t: dict) -> dict:
        return dict(t, reopen=[r for r in t.get("reopen", []) if r not in off],
                    reissue=[d for d in t.get("reissue", []) if d in docs])

    steps = [dict(s, after=[a for a in s.get("after", []) if a not in off],
                  to_when=[trim(t) for t in s.get("to_when", [])]) for s in raw["steps"] if s.get("id") not in off]
    reminders = [r for r in raw.get("reminders", []) if r.get("until") not in off
                 and not set([r["after"]] if isinstance(r.get("after"), str) else r.get("after", [])) & off]
    imports = {k: dict(imp, milestones=[m for m in imp.get("milestones", []) if m.get("step") not in off])
               for k, imp in raw.get("imports", {}).items()}
    return {**raw, "steps": steps, "documents": docs, "reminders": reminders, "imports": imports}


def _describe(exc: ValidationError, raw: dict) -> str:
    lines = []
    for err in exc.errors()[:8]:
        loc = _entry_name(err["loc"], raw)
        lines.append(f"{loc}：{err['msg']}")
    return "流程包内容有误：\n  " + "\n  ".join(lines)


def _entry_name(loc: tuple[int | str, ...], raw: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = raw
    for item in loc:
        if isinstance(item, int):
            parts[-1] = f"{parts[-1]}[{item}]" if parts else f"[{item}]"
            try:
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    parts[-1] += f" ({node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)



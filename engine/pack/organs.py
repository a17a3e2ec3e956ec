"""Pure: what a 公文 (the official profile, GB/T 9704) prints besides the case: the issuing organ's mark, its 发文字号
(allocated by the store, per prefix and year, once per document), the 主送机关, the signature, the 成文日期 and
the 版记. Names left blank in [official] are derived from [organisation]: ``XX学区党委`` → 中共XX学区委员会."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ..procedure.dates import zh_date
from ..procedure.state import CaseState
from .model import DocumentDef


class Official(Protocol):
    """[official] of docflow.toml (engine.workspace.Official)."""

    @property
    def prefix(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def mark(self) -> str: ...
    @property
    def copy_to(self) -> str: ...
    @property
    def printer(self) -> str: ...
    @property
    def signer(self) -> str: ...
    @property
    def branches(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class _Defaults:
    prefix: str = ""
    full_name: str = ""
    mark: str = ""
    copy_to: str = ""
    printer: str = ""
    signer: str = ""
    branches: dict[str, str] = field(default_factory=dict)


SAMPLE: Official = _Defaults()   # every name derived from the organisation's (lint, tests, benches)


def stem(org: str) -> str:
    """The committee's name without 党委 / 委员会 / 中共: 中共XX学区委员会 → XX学区."""
    name = org.removeprefix("中共").removeprefix("中国共产党")
    for tail in ("党委员会", "委员会", "党委"):
        if name.endswith(tail):
            return name[: -len(tail)]
    return name


def full_name(off: Official, org: str) -> str:
    return off.full_name or f"中共{stem(org)}委员会"


def branch_full_name(org: str, branch: str) -> str:
    return branch if branch.startswith("中共") else f"中共{stem(org)}{branch}"


def prefix(off: Official, org: str, issuer: str, branch: str) -> str:
    """机关代字: the committee's (X党), or a branch's (configured, else the committee's + 一支 for 第一党支部)."""
    committee = off.prefix or stem(org) + "党"
    if issuer != "branch":
        return committee
    short = branch.removeprefix("第").replace("党支部", "支").replace("支部", "支")
    return off.branches.get(branch) or committee + short


def dated(doc: DocumentDef, cs: CaseState) -> date | None:
    """The document's 成文日期: the date ``dated`` names (``step.field`` or a fact); None: written by hand."""
    if not doc.dated:
        return None
    step, _, key = doc.dated.partition(".")
    value = cs.steps.get(step, {}).get(key) if key else cs.facts.get(step)
    return value if isinstance(value, date) else None


def official_context(off: Official, org: str, doc: DocumentDef, cs: CaseState, branch: str,
                     number: str) -> dict[str, Any]:
    """``official``: mark, number, to (主送), issuer (署名), date (成文日期, "" = by hand), signer, copy_to,
    printer, printed (印发日期), upward (a branch's request or report to the committee: 签发人 beside the number)."""
    committee = full_name(off, org)
    upward = doc.issuer == "branch"
    issuer = branch_full_name(org, branch) if upward else committee
    when = dated(doc, cs)
    return {
        "mark": issuer if upward else (off.mark or committee + "文件"),
        "number": number,
        "to": committee if upward else branch_full_name(org, branch),
        "issuer": issuer,
        "date": zh_date(when),
        "signer": off.signer,
        "upward": upward,
        "copy_to": off.copy_to,
        "printer": off.printer or (issuer + "办公室" if not upward else issuer),
        "printed": zh_date(when),
    }

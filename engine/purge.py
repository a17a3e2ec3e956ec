"""``docflow purge --withdrawn-before DATE``: the personal data of applicants who withdrew or whose development
was ended (the pack's ``[privacy] left`` states), once the workspace's retention period (docflow.toml ``[privacy]
retention_years``) has passed since they left — PIPL: sensitive personal information kept no longer than needed.

Of each such case the store keeps what the statistics count by (gender, ethnicity, birth date, education, branch,
the dates and outcomes of the steps), so every report gives the same totals after as before; it loses the values of
the pack's ``personal`` fields and every other occurrence of the person's name, ID number and phone (in the events,
the case's row, the file records' receipts and docflow's receipt files beside the originals), the documents docflow
wrote for the case (outbox), and what it kept of them. The originals staff handed in (in 已处理) are theirs: never
touched, listed for staff to archive or destroy by their own rules. The store's part is one transaction."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import WorkspaceError
from .procedure.dates import add_months
from .procedure.state import fold

if TYPE_CHECKING:
    from .engine import Engine

PURGED = "purged:"
ONE_DAY = timedelta(days=1)       # the person key of a purged case (its ID number is gone)


@dataclass
class Purged:
    cases: list[str] = field(default_factory=list)          # "2026-0003（2021-05-06 退出）"
    originals: list[str] = field(default_factory=list)      # where the files handed in for them lie
    receipts: list[tuple[Path, frozenset[str]]] = field(default_factory=list)   # docflow's receipts beside them
    limit: date | None = None


def retention_limit(eng: Engine) -> date:
    """The latest leaving date whose data may be removed today."""
    return add_months(eng.clock.today(), -12 * eng.ws.config.privacy.retention_years)


def candidates(eng: Engine, before: date) -> list[tuple[str, date]]:
    """The cases that left the procedure before ``before`` and are not purged yet, with the day each left."""
    priv = eng.pack.privacy
    out = []
    for view in eng.store.views():
        if view.state not in priv.left:
            continue
        row = eng.store.case(view.case_id)
        if row is None or row.person_key.startswith(PURGED):
            continue
        left = fold(eng.pack, view.case_id, eng.store.events(view.case_id)).facts.get(priv.left_date)
        if isinstance(left, date) and left < before:
            out.append((view.case_id, left))
    return out


def purge(eng: Engine, before: date, dry_run: bool = False) -> Purged:
    limit = retention_limit(eng)
    if before > limit + ONE_DAY:
        years = eng.ws.config.privacy.retention_years
        raise WorkspaceError(f"保留期为 {years} 年（docflow.toml 的 [privacy] retention_years）：今天只能清除 "
                             f"{limit.isoformat()} 及以前退出的人员的个人信息，--withdrawn-before 不能晚于 "
                             f"{(limit + ONE_DAY).isoformat()}")
    found = candidates(eng, before)
    result = Purged(limit=limit)
    if dry_run or not found:
        result.cases = [f"{c}（{d.isoformat()} 退出）" for c, d in found]
        return result
    from .output.ledger import write_paperwork
    from .views import refresh

    folders = []
    with eng.store.transaction():
        for case_id, left in found:
            folders.append(_purge_case(eng, case_id, result))
            result.cases.append(f"{case_id}（{left.isoformat()} 退出）")
        refresh(eng, [c for c, _ in found])
    for folder in folders:                  # docflow's own documents of the case
        shutil.rmtree(folder, ignore_errors=True)
    from .output.render import write_atomic

    for receipt, secrets in result.receipts:  # its own receipts beside the originals: the same text, cleared
        try:
            text = receipt.read_text(encoding="utf-8-sig")
            write_atomic(receipt, ("\ufeff" + _scrub(text, set(), set(secrets), eng.pack.privacy.cleared)).encode())
        except OSError:
            continue
    write_paperwork(eng)                    # the ledger and the due list without them
    return result


def _purge_case(eng: Engine, case_id: str, result: Purged) -> Path:
    priv = eng.pack.privacy
    row = eng.store.case(case_id)
    assert row is not None
    events, audit = eng.store.events(case_id), eng.store.audit(case_id)
    personal = set(priv.personal)
    secrets = {row.name}
    for _, ev in events:
        for key, value in _pairs(ev.data):
            if key in {eng.pack.case.name, eng.pack.case.id_number, "phone"} and isinstance(value, str) and value:
                secrets.add(value)
    if len(row.person_key) >= 6:
        secrets.add(row.person_key)
    secrets = {s for s in secrets if len(s) >= 2}
    new_events = [(int(a["id"]), _scrub(ev.data, personal, secrets, priv.cleared)) for a, (_, ev) in
                  zip(audit, events, strict=True)]
    shas = {str(a["sha256"]) for a in audit}
    files = [f for f in eng.store.files(limit=10**9) if f.sha256 in shas]
    for f in files:                         # where routing put each original (processed/<day>/ or 退回/)
        day = eng.ws.processed / f.at[:10]
        stem, suffix = Path(f.name).stem, Path(f.name).suffix
        for folder in (day, eng.ws.rejected):
            for p in sorted(folder.glob(f"{glob_escape(stem)}*")):
                if p.suffix == suffix and p.is_file():
                    result.originals.append(str(p.relative_to(eng.ws.root)))
                elif p.name.endswith((".回执.txt", ".退回说明.txt")):
                    result.receipts.append((p, frozenset(secrets)))
    new_files = [(f.id, _scrub(f.detail, set(), secrets, priv.cleared)) for f in files]
    from .output.names import safe_name

    folder = eng.ws.outbox / safe_name(row.branch, "未分支部") / safe_name(f"{case_id}-{row.name}")
    prefix = folder.relative_to(eng.ws.outbox).as_posix() + "/"
    eng.store.purge_case(case_id, priv.cleared, PURGED + case_id, new_events, new_files, prefix)
    return folder


def _pairs(data: Any, key: str = "") -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _pairs(v, str(k))]
    if isinstance(data, list):
        return [p for v in data for p in _pairs(v, key)]
    return [(key, data)]


def _scrub(data: Any, personal: set[str], secrets: set[str], cleared: str, key: str = "") -> Any:
    """``data`` with the values of ``personal`` keys cleared and every occurrence of a secret replaced."""
    if isinstance(data, dict):
        return {k: _scrub(v, personal, secrets, cleared, str(k)) for k, v in data.items()}
    if isinstance(data, list):
        return [_scrub(v, personal, secrets, cleared, key) for v in data]
    if key in personal and data not in (None, ""):
        return cleared if isinstance(data, str) else None
    if isinstance(data, str):
        for s in sorted(secrets, key=len, reverse=True):
            data = data.replace(s, cleared)
    return data



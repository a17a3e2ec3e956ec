"""``docflow audit [--case ID] [--since DATE]``: the accountability record (责任追究制) as a workbook — every event
of every case (or of one) with the file it came from, when, and who handed that file in; and every file handed in,
processed or not, with its outcome and submitter. Written to outbox/审计记录/."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..outcomes import SIGNATURE_WORDS, Submitter
from ..status import history_lines
from .sheets import Col, Table
from .xlsx import workbook_bytes

if TYPE_CHECKING:
    from ..engine import Engine

FOLDER = "审计记录"
OUTCOME_WORDS = {"processed": "已处理", "rejected": "退回", "duplicate": "重复文件"}
WHO_COLS = [Col("文件所有者", max_width=20), Col("文档作者", max_width=16), Col("最后修改人", max_width=16),
            Col("经由文件夹", max_width=14), Col("表格身份", max_width=24)]


def _who(text: Any) -> list[str]:
    who = Submitter.from_json(text)
    return [who.owner, who.author, who.modified_by, who.folder or "（党委 inbox）" if who.any else "",
            SIGNATURE_WORDS.get(who.signature, "")]


def audit_tables(eng: Engine, case_id: str | None = None, since: date | None = None) -> list[Table]:
    start = since.isoformat() if since else ""
    rows = eng.store.audit(case_id) if case_id else eng.store.audit_since(start)
    rows = [r for r in rows if str(r["at"]) >= start]
    cases = {c.case_id: c for c in eng.store.cases()}
    events = Table("事件", "发展党员工作审计记录：每一项记录及其来源文件和提交人",
                   f"{eng.ws.config.organisation.name}；{_scope(case_id, since)}；共 {len(rows)} 项。"
                   "提交人为文件在共享文件夹中的所有者、文档中记录的作者和最后修改人；"
                   "“经由文件夹”为文件放入的支部文件夹",
                   [Col("处理时间", max_width=17), Col("案卷编号", max_width=11), Col("姓名", max_width=10),
                    Col("支部", max_width=14), Col("事项", max_width=36), Col("来源文件", max_width=34),
                    Col("文件 SHA-256（前16位）", max_width=18), *WHO_COLS])
    for r, said in zip(rows, history_lines(eng.pack, rows), strict=True):     # said: the event in words
        case = cases.get(str(r["case_id"]))
        events.rows.append([str(r["at"]).replace("T", " ")[:16], r["case_id"], case.name if case else "",
                            case.branch if case else "", said["what"], r["file"], str(r["sha256"])[:16],
                            *_who(r.get("submitter"))])
    shas = {str(r["sha256"]) for r in rows} if case_id else None
    files = [f for f in reversed(eng.store.files(limit=10**9)) if f.at >= start and (shas is None or f.sha256 in shas)]
    handed = Table("文件", "交来的文件：每一份的处理结果和提交人（含退回和重复的）",
                   f"{_scope(case_id, since)}；共 {len(files)} 份", [
                       Col("处理时间", max_width=17), Col("文件", max_width=34), Col("结果", kind="mark"),
                       Col("涉及案卷", max_width=40), Col("文件 SHA-256（前16位）", max_width=18), *WHO_COLS])
    for f in files:
        handed.rows.append([f.at.replace("T", " ")[:16], f.name, OUTCOME_WORDS.get(f.outcome, f.outcome),
                            "；".join(f.detail.get("cases", [])), f.sha256[:16], *_who(f.detail.get("submitter"))])
    return [events, handed]


def _scope(case_id: str | None, since: date | None) -> str:
    parts = [f"案卷 {case_id}" if case_id else "全部案卷"]
    if since:
        parts.append(f"{since:%Y年%m月%d日}起")
    return "，".join(parts)


def write_audit(eng: Engine, case_id: str | None = None, since: date | None = None) -> Path:
    from ..output.render import write_atomic

    tables = audit_tables(eng, case_id, since)
    name = "审计记录" + (f"-{case_id}" if case_id else "") + (f"-{since.isoformat()}起" if since else "")
    path = eng.ws.outbox / FOLDER / f"{name}-{eng.clock.today().isoformat()}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, workbook_bytes(tables, "发展党员工作审计记录"))
    return path

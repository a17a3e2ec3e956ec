"""access — who may change what through the shared folder (``[access] branch_inboxes``).

With branch inboxes on, ``inbox/<支部>/`` is each branch's own folder (the share's permissions let each branch's
staff write there only); a file dropped into it may create or change that branch's cases and member roster only.
The committee's own inbox (its root, or any folder in it that is not a branch's) may touch every branch. The
stage runs on the plan, after the procedure's rules, so it judges what the file would really change — a case's
branch as the store has it, a roster row's branch as the row names it, a member roster by the branch it is of."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .outcomes import Code, Finding, Refused, Seen
from .procedure.apply import Plan

if TYPE_CHECKING:
    from .engine import Engine
    from .workspace import Workspace

SHOWN = 5      # the people named in the receipt (then "等N人")


def folder_branch(ws: Workspace, original: Path) -> str:
    """The branch whose inbox ``original`` was dropped into; "" for the committee's own inbox."""
    folders = ws.branch_inboxes
    if not folders:
        return ""
    try:
        parts = original.relative_to(ws.inbox).parts
    except ValueError:
        return ""
    if len(parts) < 2:                        # a file in the inbox itself
        return ""
    return next((b for b, p in folders.items() if p.name == parts[0]), "")


def permit(eng: Engine, folder: str, plan: Plan | Refused | Seen) -> Plan | Refused | Seen:
    """The plan, or a refusal naming each case or roster the file would change outside ``folder``'s branch."""
    if not folder or not isinstance(plan, Plan):
        return plan
    terms = eng.pack.terms
    outside: list[str] = []
    belongs: set[str] = set()
    for ch in plan.changes:
        branches = {ch.branch}
        if ch.case_id and (row := eng.store.case(ch.case_id)) is not None:
            branches.add(row.branch)          # a case moved by a roster row: its branch on file counts too
        for b in sorted(branches - {folder}):
            outside.append(f"{ch.name}（{ch.case_id + '，' if ch.case_id else ''}属于{b}）")
            belongs.add(b)
    for b in plan.members:
        if b != folder:
            outside.append(f"{b}的{terms.member_roster}")
            belongs.add(b)
    if not outside:
        return plan
    shown = "、".join(outside[:SHOWN]) + (f"等{len(outside)}项" if len(outside) > SHOWN else "")
    where = "、".join(f"inbox/{b}/" for b in sorted(belongs)) or f"inbox/（{terms.organisation}）"
    finding = Finding(Code.WRONG_BRANCH_FOLDER,
                      f"此文件放在“{folder}”的文件夹中，只能办理{folder}的材料，但其中有不属于{folder}的：{shown}",
                      f"请把文件放到所属{terms.branch}的文件夹（{where}），"
                      f"或交{terms.organisation}放入 inbox 文件夹本身；本文件未作任何改动")
    return Refused((finding,), tuple(plan.notes), plan.identity)

"""Personal data in bounds (PIPL: ID numbers are sensitive personal information): the engine's state folder — its
database holds them — is created readable by its owner only, and staff are told at start-up when it is readable by
others or lies on a network share."""
from __future__ import annotations

import os
import stat

import pytest

from engine.testing import workspace
from engine.workspace import load_workspace, state_warnings

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")


def test_the_state_folder_is_created_for_its_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        ws = workspace(tmp_path / "ws")
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(ws.state).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(ws.inbox).st_mode) & 0o077            # the shared folders keep the umask's
    assert state_warnings(ws, fs_type=lambda p: "ext4") == []


def test_a_state_folder_others_can_read_is_warned_about(tmp_path):
    ws = workspace(tmp_path / "ws")
    os.chmod(ws.state, 0o750)
    [line] = state_warnings(ws, fs_type=lambda p: "ext4")
    assert str(ws.state) in line and "750" in line and "chmod 700" in line and "公民身份号码" in line
    os.chmod(ws.state, 0o700)
    assert state_warnings(load_workspace(ws.root), fs_type=lambda p: "ext4") == []   # an existing folder is kept


def test_a_state_folder_on_a_network_share_is_warned_about(tmp_path):
    ws = workspace(tmp_path / "ws")
    [line] = state_warnings(ws, fs_type=lambda p: "cifs")
    assert "网络共享" in line and "cifs" in line and "SQLite" in line
    assert state_warnings(ws, fs_type=lambda p: "nfs4") and not state_warnings(ws, fs_type=lambda p: "xfs")


def test_the_warnings_are_printed_when_a_command_starts(tmp_path, capsys):
    from engine.cli import main

    ws = workspace(tmp_path / "ws")
    os.chmod(ws.state, 0o755)
    assert main(["due", "-w", str(ws.root)]) == 0
    assert "其他用户也能访问（权限 755）" in capsys.readouterr().out


def _text_of(path):
    """What a reader of the file sees, as far as a search for an ID number goes: a package's XML parts without
    their tags (a number split across runs is joined again), a text file as it is."""
    import re
    import zipfile

    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "".join(re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8", "replace"))
                           for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8-sig", errors="replace")


@pytest.mark.parametrize("full", [(), ("enquiry_letter",)])
def test_no_output_carries_a_full_id_number_but_the_documents_the_pack_lists(tmp_path, full, monkeypatch):
    """Every document, ledger, due list, report, audit export and receipt docflow writes outside its state folder:
    the ID number appears in full only in the documents whose pack entry says ``full_id`` (none in the party pack:
    the spec keeps it for the 志愿书 and the archive copy, filled by hand), masked everywhere else. With a pack that
    lists one (the 函调函 here), that one carries it in full."""
    from engine import Engine
    from engine.clock import FixedClock
    from engine.output.ledger import write_paperwork
    from engine.report.audit import write_audit
    from engine.report.build import KINDS, report
    from engine.testing import load_walkthrough, walk, walkthrough_workspace

    wt = load_walkthrough("party")
    eng = Engine.open(walkthrough_workspace(tmp_path / "ws", wt), clock=FixedClock(wt.today))
    docs = {k: d.model_copy(update={"full_id": k in full}) for k, d in eng.pack.documents.items()}
    eng.pack = eng.pack.model_copy(update={"documents": docs})
    eng.renderer.pack = eng.pack
    try:
        walk(eng, wt, tmp_path / "forms")
        write_paperwork(eng)
        from engine.errors import ConfigError

        for kind in KINDS:
            for year in {wt.today.year, wt.today.year - 1}:
                try:
                    report(eng, kind, year)
                except ConfigError:          # the plan's reports want the year's targets, which this one lacks
                    pass
        write_audit(eng)
        number = str(wt.person["id_number"])
        allowed = {p.name for p in eng.ws.outbox.rglob("*")
                   if any(p.name.startswith(f"{d.number:02d}-{d.title}") for d in eng.pack.documents.values()
                          if d.full_id)}
        written = [p for folder in (eng.ws.outbox, eng.ws.processed, eng.ws.rejected) for p in folder.rglob("*")
                   if p.is_file() and (folder == eng.ws.outbox or p.suffix == ".txt")]
        assert len(written) > 40 and any("报表" in p.parts for p in written)
        carrying = {p.name for p in written if number in _text_of(p)}
        assert carrying == allowed and len(allowed) == len(full), (carrying, allowed)   # the listed ones, in full
        from engine.output.context import mask_id

        masked = {p.name for p in written if mask_id(number) in _text_of(p)}
        assert {"发展党员工作台账.xlsx", "01-入党申请人基本情况登记表.docx"} <= masked   # the person is there, masked
    finally:
        eng.store.close()

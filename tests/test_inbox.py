"""The inbox side of the road: what counts as a file, when it is ready, taking it, putting it back,
retrying what cannot be taken, and a watcher that survives shares dropping and observers dying."""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from conftest import TODAY

from engine import Engine, load_workspace, road
from engine.cli import main
from engine.clock import FixedClock
from engine.errors import WorkspaceError
from engine.inbox.claim import Inbox, InboxUnavailable, claim, inbox_files, is_junk, is_junk_dir, move_no_clobber
from engine.inbox.watch import (
    GONE,
    LOCKED,
    READY,
    WAIT,
    Tracker,
    Watcher,
    bsd_fs_type,
    is_network,
    linux_fs_type,
    writer_active,
)
from engine.outcomes import NotReady
from engine.store import SqliteStore
from engine.testing import applicant, workspace, write_roster

try:
    import fcntl
    HAS_LEASES = hasattr(fcntl, "F_SETLEASE")
except ImportError:
    HAS_LEASES = False


class Crash(BaseException):
    """Escapes every handler, as a kill stops the process."""


def crash_at(where: str):
    """A checkpoint hook (Engine.checkpoint) that kills the engine, as SIGKILL would, at one stage."""
    def checkpoint(stage: str) -> None:
        if stage == where:
            raise Crash()
    return checkpoint


def failures(ws, original: str) -> int:
    """How often taking a file failed, read on a connection of our own (the watcher thread uses its own)."""
    store = SqliteStore(ws.database)
    try:
        row = store.retry(original)
        return row.failures if row else 0
    finally:
        store.close()


def roster_bytes(tmp_path: Path, name: str = "张三", seq: int = 11) -> bytes:
    path = write_roster(tmp_path / f"src-{name}-{seq}.xlsx",
                        [applicant(name, date(1995, 3, 7), date(2026, 1, 5), seq=seq)])
    return path.read_bytes()


def until(cond, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return bool(cond())


@contextmanager
def watching(eng, **kw):
    kw = {"quiet": 0.2, "rescan": 3600.0, "grace": 1.0, "retry_base": 0.05, **kw}
    outcomes, notices = [], []
    w = Watcher(eng, on_outcome=outcomes.append, on_notice=notices.append, **kw)
    thread = threading.Thread(target=w.run, kwargs={"tick": 0.05}, daemon=True)
    thread.start()
    try:
        yield w, outcomes, notices
    finally:
        w.stop.set()
        thread.join(10)


def set_config(ws, old: str, new: str):
    path = ws.root / "docflow.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return load_workspace(ws.root)


# ---------------------------------------------------------------- what counts as a file
@pytest.mark.parametrize("name", [
    "~$名册.xlsx", "~$谈话记录.docx",                 # Office / WPS owner files
    ".~lock.名册.xlsx#",                               # LibreOffice lock
    "~WRL0001.tmp", "~WRD0000.tmp", "~wrl0002.tmp",   # Word temporaries
    "lu12345abcd.tmp", "名册.TMP", "备份.temp",        # LibreOffice / WPS temporaries
    "3F2A1B00",                                        # Excel's save-to-temp name
    "名册.xlsx.crdownload", "名册.xlsx.part", "名册.xlsx.partial", "名册.xlsx.download",
    "._名册.xlsx", ".DS_Store", "Thumbs.db", "ehthumbs.db", "desktop.ini", "Desktop.INI",
    ".~docflow-x1y2.tmp"])                             # the engine's own temporaries
def test_lock_temporary_and_system_files_are_junk(name):
    assert is_junk(name)


@pytest.mark.parametrize("name", [
    "名册.xlsx", "谈话记录.docx", "tmp.xlsx", "temp名册.xlsx", "名册.tmp.xlsx", "report~1.docx", "~名册.xlsx",
    "名册$.xlsx", "lock.docx", "名册#.xlsx", "#名册.xlsx", "Thumbs.db.xlsx", "3F2A1B00.xlsx", "3F2A1B0G",
    "ABCDEF123", "说明.txt", "desktop.ini.docx", "part.xlsx"])
def test_ordinary_files_are_not_junk(name):
    assert not is_junk(name)


@pytest.mark.parametrize("name,junk", [("$RECYCLE.BIN", True), ("System Volume Information", True),
                                       ("__MACOSX", True), (".git", True), ("@eaDir", True), ("#recycle", True),
                                       (".docflow-work", True), ("一支部材料", False), ("tmp", False)])
def test_junk_folders(name, junk):
    assert is_junk_dir(name) is junk


def test_scan_walks_dropped_folders_but_not_junk_hidden_or_symlinked_ones(ws, tmp_path):
    for rel in ["a.xlsx", "一支部/b.xlsx", "一支部/二级/c.docx", "一支部/~$b.xlsx", "__MACOSX/._a.xlsx",
                ".hidden/d.xlsx", "$RECYCLE.BIN/e.xlsx"]:
        (ws.inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws.inbox / rel).write_bytes(b"x")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "f.xlsx").write_bytes(b"x")
    (ws.inbox / "链接").symlink_to(outside, target_is_directory=True)
    (ws.inbox / "循环").symlink_to(ws.inbox, target_is_directory=True)
    found = [p.relative_to(ws.inbox).as_posix() for p in inbox_files(ws)]
    assert found == ["a.xlsx", "一支部/b.xlsx", "一支部/二级/c.docx"]


def test_engine_folders_configured_inside_the_inbox_are_never_taken_again(ws, tmp_path):
    ws = set_config(ws, 'processed = "已处理"', 'processed = "inbox/已处理"')
    ws = set_config(ws, 'rejected = "退回"', 'rejected = "inbox/退回"')
    (ws.inbox / "名册.xlsx").write_bytes(roster_bytes(tmp_path))
    (ws.inbox / "说明.txt").write_text("随手放的", encoding="utf-8")
    eng = Engine.open(ws, clock=FixedClock(TODAY))
    try:
        assert sorted(o.kind for o in road.process_inbox(eng)) == ["processed", "rejected"]
        assert road.process_inbox(eng) == []          # the receipts and originals there are not inbox files
        assert not Inbox(ws).wanted(ws.processed / TODAY.isoformat() / "名册.xlsx")
        with watching(eng, rescan=0.2) as (_w, outcomes, _):
            time.sleep(1.0)
        assert outcomes == []
    finally:
        eng.store.close()


def test_an_inbox_inside_an_output_folder_is_refused(ws):
    ws = set_config(ws, 'inbox = "inbox"', 'inbox = "outbox/inbox"')
    with pytest.raises(WorkspaceError, match="inbox 不能放在"):
        Inbox(ws)


def test_an_inbox_that_cannot_be_read_is_unavailable_not_empty(ws):
    shutil.rmtree(ws.inbox)
    with pytest.raises(InboxUnavailable, match="无法访问 inbox"):
        inbox_files(ws)


# ---------------------------------------------------------------- which filesystem: events or polling
PROC_MOUNTS = """/dev/vda / ext4 rw,relatime 0 0
//fs01/共享 /mnt/office\\040share cifs rw,vers=3.0 0 0
fs02:/export /srv/nfs nfs4 rw 0 0
tmpfs /srv/nfs/local tmpfs rw 0 0
"""
MACOS_MOUNT = """/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
//staff@fs01/docs on /Volumes/docs (smbfs, nodev, nosuid, mounted by staff)
"""


def test_filesystem_type_is_read_from_the_mount_table():
    assert linux_fs_type("/mnt/office share/inbox", PROC_MOUNTS) == "cifs"
    assert linux_fs_type("/srv/nfs/a", PROC_MOUNTS) == "nfs4"
    assert linux_fs_type("/srv/nfs/local/a", PROC_MOUNTS) == "tmpfs"      # the longest mount point wins
    assert linux_fs_type("/home/x", PROC_MOUNTS) == "ext4"
    assert bsd_fs_type("/Volumes/docs/inbox", MACOS_MOUNT) == "smbfs"
    assert bsd_fs_type("/Users/x", MACOS_MOUNT) == "apfs"
    assert all(is_network(k) for k in ("cifs", "smb3", "nfs4", "smbfs", "fuse.sshfs", "9p"))
    assert not any(is_network(k) for k in ("ext4", "xfs", "btrfs", "ntfs", "apfs", "tmpfs", ""))


def test_a_network_share_is_polled_automatically_and_a_local_disk_uses_events(eng):
    def cifs(path):
        return "cifs"

    def ext4(path):
        return "ext4"
    w = Watcher(eng, fs_probe=cifs)
    assert w.poll == 5.0 and "轮询" in w.mode and "cifs" in w.mode
    assert Watcher(eng, poll=0.5, fs_probe=cifs).mode == "轮询（每 0.5 秒）"       # --poll always wins
    assert Watcher(eng, fs_probe=ext4).poll == 0 and Watcher(eng, fs_probe=ext4).mode == "文件系统事件"


# ---------------------------------------------------------------- ready means ready
def test_a_file_replaced_by_one_of_the_same_size_and_time_waits_again(tmp_path):
    f = tmp_path / "a.xlsx"
    f.write_bytes(roster_bytes(tmp_path))
    t = Tracker(quiet=1.0, grace=0)
    assert t.check(f, 100.0).state == WAIT
    st = f.stat()
    other = tmp_path / "b.xlsx"
    other.write_bytes(f.read_bytes())
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(other, f)                      # same size, same mtime, another file (inode)
    assert t.check(f, 101.5).state == WAIT
    assert t.check(f, 102.6).state == READY


def test_a_half_copied_office_file_waits_for_the_grace_period(tmp_path):
    data = roster_bytes(tmp_path)
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"\0" * len(data))          # a copy that pre-allocated the size and has not filled it yet
    t = Tracker(quiet=1.0, grace=30.0)
    assert t.check(f, 100.0).state == WAIT
    assert t.check(f, 105.0).state == WAIT    # quiet, but no zip end record: keep waiting
    with open(f, "r+b") as fh:                # the copy completes
        fh.write(data)
    assert t.check(f, 106.0).state == WAIT
    assert t.check(f, 107.1).state == READY
    stuck, empty = tmp_path / "stuck.docx", tmp_path / "empty.xlsx"
    stuck.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    empty.write_bytes(b"")
    for g in (stuck, empty):                  # never completes: after the grace period it is refused instead
        assert t.check(g, 200.0).state == WAIT and t.check(g, 229.0).state == WAIT
        assert t.check(g, 230.1).state == READY


@pytest.mark.skipif(not HAS_LEASES, reason="write-open detection uses Linux leases")
def test_a_file_still_open_for_writing_is_not_taken_however_quiet(tmp_path):
    f = tmp_path / "a.xlsx"
    fh = open(f, "wb")
    fh.write(roster_bytes(tmp_path))
    fh.flush()
    t = Tracker(quiet=0.5, grace=0)
    try:
        assert t.check(f, 100.0).state == WAIT
        assert writer_active(f)
        assert t.check(f, 200.0).state == WAIT    # a writer paused far longer than the quiet period
    finally:
        fh.close()
    assert not writer_active(f)
    assert t.check(f, 200.1).state == READY


@pytest.mark.skipif(not HAS_LEASES, reason="write-open detection uses Linux leases")
def test_process_leaves_a_file_that_is_still_being_written_for_the_next_pass(eng, tmp_path):
    with open(eng.ws.inbox / "名册.xlsx", "wb") as fh:
        fh.write(roster_bytes(tmp_path))
        fh.flush()
        [out] = road.process_inbox(eng)
        assert out.kind == "not_ready" and "仍在写入" in out.why
    assert [o.kind for o in road.process_inbox(eng)] == ["processed"]


def test_a_file_that_vanished_is_gone_and_one_that_cannot_be_read_is_locked(tmp_path):
    t = Tracker(quiet=0, probe=lambda path, st: (False, "文件被占用"))
    assert t.check(tmp_path / "nope.xlsx", 1.0).state == GONE
    f = tmp_path / "a.xlsx"
    f.write_bytes(roster_bytes(tmp_path))
    assert t.check(f, 1.0).state == LOCKED


# ---------------------------------------------------------------- claim and put back
def test_claim_puts_back_a_file_that_is_still_being_written(ws, tmp_path):
    data = roster_bytes(tmp_path)
    path = ws.inbox / "名册.xlsx"
    path.write_bytes(data[:1000])

    def rename_then_writer_goes_on(src, dst):
        os.replace(src, dst)
        if Path(dst).parent == ws.work:             # POSIX lets the rename happen under an open writer
            with open(dst, "ab") as fh:
                fh.write(data[1000:])
    store = SqliteStore(ws.database)
    try:
        out = claim(ws, store, path, "2026-11-28T09:00:00", rename=rename_then_writer_goes_on)
        assert isinstance(out, NotReady) and "仍在写入" in out.why
        assert path.read_bytes() == data and not any(ws.work.iterdir())
        assert store.journal_open_rows() == [] and store.retry("名册.xlsx").failures == 1
    finally:
        store.close()


def test_putting_back_never_replaces_a_file(tmp_path):
    (tmp_path / "x.xlsx").write_bytes(b"new")
    (tmp_path / "x（恢复7）.xlsx").write_bytes(b"other")
    src = tmp_path / "w"
    src.write_bytes(b"old")
    back = move_no_clobber(src, tmp_path / "x.xlsx", "（恢复7）")
    assert back.name == "x（恢复7）2.xlsx" and back.read_bytes() == b"old"
    assert (tmp_path / "x.xlsx").read_bytes() == b"new" and not src.exists()
    os.link(back, tmp_path / "y.xlsx")              # a crash between link and unlink: same file twice
    assert move_no_clobber(back, tmp_path / "y.xlsx", "（恢复）") == tmp_path / "y.xlsx"
    assert not back.exists()


def test_a_file_dropped_again_under_the_same_name_while_the_first_is_in_flight(ws, tmp_path):
    first, second = roster_bytes(tmp_path, "张三", 11), roster_bytes(tmp_path, "李四", 12)
    path = ws.inbox / "名册.xlsx"
    path.write_bytes(first)
    eng = Engine.open(ws, clock=FixedClock(TODAY), checkpoint=crash_at("claimed"))
    with pytest.raises(Crash):
        road.process_file(eng, path)              # killed with the first copy in flight
    eng.store.close()
    path.write_bytes(second)                      # staff drop a new file under the same name
    eng = Engine.open(ws, clock=FixedClock(TODAY))
    try:
        assert road.recover(eng)
        assert sorted(p.read_bytes() for p in ws.inbox.iterdir()) == sorted([first, second])
        assert [o.kind for o in road.process_inbox(eng)] == ["processed", "processed"]
        assert len(eng.store.cases()) == 2
        assert all(len(eng.store.events(c.case_id)) == 2 for c in eng.store.cases())
    finally:
        eng.store.close()


def test_the_watcher_takes_a_file_dropped_again_while_the_first_was_in_flight(eng, tmp_path):
    first, second = roster_bytes(tmp_path, "张三", 11), roster_bytes(tmp_path, "李四", 12)
    path = eng.ws.inbox / "名册.xlsx"
    dropped = []

    def process_and_meanwhile_drop(e, p):
        out = road.process_file(e, p)
        if not dropped:
            dropped.append(p)
            p.write_bytes(second)
        return out
    path.write_bytes(first)
    # no events, no further scans
    with watching(eng, poll=3600.0, process=process_and_meanwhile_drop) as (_w, outcomes, _):
        assert until(lambda: len(outcomes) == 2, 10)
    assert [o.kind for o in outcomes] == ["processed", "processed"] and len(eng.store.cases()) == 2


def test_recovery_sweeps_half_written_documents(eng):
    # temporaries are written in the engine's own folder (the outbox's filesystem): only it is swept
    home = eng.ws.state / "tmp"
    (home / ".~docflow-abc.tmp").write_bytes(b"half")
    (home / ".~docflow-def.tmp").write_bytes(b"half")
    road.recover(eng)
    assert not list(eng.ws.root.rglob(".~docflow-*"))


def test_documents_are_written_through_the_engines_temporaries_folder(eng, monkeypatch):
    import tempfile

    from engine.output.render import write_atomic

    seen = []
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda **k: seen.append(k["dir"]) or real(**k))
    write_atomic(eng.ws.outbox / "第一党支部" / "x.docx", b"data")
    assert seen == [eng.ws.state / "tmp"] and (eng.ws.outbox / "第一党支部" / "x.docx").read_bytes() == b"data"


def test_an_inbox_on_another_filesystem_is_claimed_by_rename_within_it(tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("needs a second filesystem (/dev/shm)")
    share = Path(__import__("tempfile").mkdtemp(dir=shm))
    try:

        ws = workspace(tmp_path / "ws")
        ws = set_config(ws, 'inbox = "inbox"', f'inbox = "{share / "inbox"}"')
        eng = Engine.open(ws, clock=FixedClock(TODAY), checkpoint=crash_at("claimed"))
        (ws.inbox / "名册.xlsx").write_bytes(roster_bytes(tmp_path))
        (ws.inbox / "说明.txt").write_text("x", encoding="utf-8")
        with pytest.raises(Crash):
            road.process_file(eng, ws.inbox / "名册.xlsx")
        eng.checkpoint = lambda stage: None
        [in_flight] = list((ws.inbox / ".docflow-work").iterdir())   # one rename on the share itself
        assert [p.name for p in inbox_files(ws)] == ["说明.txt"]
        road.recover(eng)
        assert not in_flight.exists()
        assert sorted(o.kind for o in road.process_inbox(eng)) == ["processed", "rejected"]
        eng.store.close()
    finally:
        shutil.rmtree(share)


# ---------------------------------------------------------------- locked files: back-off, status, never dropped
def test_a_locked_file_is_retried_with_back_off_shown_by_status_and_never_dropped(ws, tmp_path, capsys):
    path = ws.inbox / "名册.xlsx"
    path.write_bytes(roster_bytes(tmp_path))
    locked = threading.Event()
    locked.set()

    def excel_holds_it(src, dst):                 # what Windows answers while Excel has the file open
        if locked.is_set() and Path(src) == path:
            raise PermissionError(13, "另一个程序正在使用此文件，进程无法访问")
        return os.replace(src, dst)
    eng = Engine.open(ws, clock=FixedClock(TODAY), rename=excel_holds_it)
    with watching(eng) as (_w, outcomes, notices):
        assert until(lambda: failures(ws, "名册.xlsx") >= 4)
        assert any("已连续 3 次无法处理" in n for n in notices)
    eng.store.close()
    assert path.exists() and not list(ws.processed.rglob("*.xlsx")) and not list(ws.rejected.iterdir())
    capsys.readouterr()
    assert main(["status", "-w", str(ws.root)]) == 0
    out = capsys.readouterr().out
    assert "暂时无法处理的文件：名册.xlsx" in out and "文件被占用" in out
    assert main(["status", "-w", str(ws.root), "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)["retrying"]
    assert row["file"] == "名册.xlsx" and row["failures"] >= 4

    eng = Engine.open(ws, clock=FixedClock(TODAY), rename=excel_holds_it)      # a restart keeps the count
    before = failures(ws, "名册.xlsx")
    with watching(eng) as (_w, outcomes, notices):
        assert until(lambda: failures(ws, "名册.xlsx") > before)
        locked.clear()                                  # Excel is closed
        assert until(lambda: [o.kind for o in outcomes if o.kind != "not_ready"] == ["processed"])
    assert eng.store.retries() == []
    eng.store.close()
    capsys.readouterr()
    main(["status", "-w", str(ws.root)])
    assert "暂时无法处理" not in capsys.readouterr().out


def test_retries_of_files_taken_out_of_the_inbox_are_forgotten_but_not_while_the_share_is_down(eng):
    with eng.store.transaction():
        eng.store.retry_failed("拿走了.xlsx", "文件被占用", eng.stamp())
    w = Watcher(eng, rescan=3600)
    saved = eng.ws.inbox.with_name("inbox.away")
    eng.ws.inbox.rename(saved)
    w.scan()
    assert [r.original for r in eng.store.retries()] == ["拿走了.xlsx"]
    saved.rename(eng.ws.inbox)
    w.scan()
    assert eng.store.retries() == []


# ---------------------------------------------------------------- shares that drop, observers that die
def test_a_share_that_drops_is_not_an_empty_inbox(eng, tmp_path):
    data = roster_bytes(tmp_path)
    saved = eng.ws.inbox.with_name("inbox.away")
    with watching(eng, rescan=0.3) as (w, outcomes, notices):
        assert until(lambda: w.observer is not None)
        eng.ws.inbox.rename(saved)                     # the share drops (unmounted)
        (saved / "名册.xlsx").write_bytes(data)
        assert until(lambda: any("无法访问 inbox" in n for n in notices))
        time.sleep(0.5)
        assert outcomes == [] and eng.store.retries() == [] and not list(eng.ws.rejected.iterdir())
        saved.rename(eng.ws.inbox)                     # and comes back
        assert until(lambda: [o.kind for o in outcomes] == ["processed"])
        assert any("已恢复" in n for n in notices) and w.observer_restarts >= 1


def test_an_observer_that_died_is_restarted(eng, tmp_path):
    data = roster_bytes(tmp_path)
    with watching(eng) as (w, outcomes, notices):       # no rescan during the test: events only
        assert until(lambda: w.observer is not None and w.observer.emitters)
        for emitter in list(w.observer.emitters):
            emitter.stop()                               # as inotify does when its folder goes away
        assert until(lambda: w.observer_restarts == 1)
        (eng.ws.inbox / "名册.xlsx").write_bytes(data)
        assert until(lambda: [o.kind for o in outcomes] == ["processed"])
    assert any("已自动重新开始监视" in n for n in notices)


def test_an_inbox_replaced_underneath_the_observer_is_watched_again(eng, tmp_path):
    data = roster_bytes(tmp_path)
    with watching(eng) as (w, outcomes, _notices):
        assert until(lambda: w.observer is not None)
        eng.ws.inbox.rename(eng.ws.inbox.with_name("old-inbox"))
        eng.ws.inbox.mkdir()                             # a share mounted again: same path, another folder
        assert until(lambda: w.observer_restarts >= 1)
        time.sleep(0.2)
        (eng.ws.inbox / "名册.xlsx").write_bytes(data)
        assert until(lambda: [o.kind for o in outcomes] == ["processed"])


def test_nothing_is_done_on_delete_events(eng, tmp_path):
    (eng.ws.inbox / "a.xlsx").write_bytes(roster_bytes(tmp_path))
    with watching(eng, quiet=1.0) as (_w, outcomes, _):
        time.sleep(0.3)
        (eng.ws.inbox / "a.xlsx").unlink()
        shutil.rmtree(eng.ws.inbox)
        eng.ws.inbox.mkdir()
        time.sleep(1.5)
    assert outcomes == [] and not list(eng.ws.rejected.iterdir()) and eng.store.files() == []


class FlakyInbox(Inbox):
    """An inbox whose first listing fails the way a busy database or a dropped share can."""

    calls = 0

    def files(self, under=None):
        FlakyInbox.calls += 1
        if FlakyInbox.calls == 1:
            raise RuntimeError("数据库忙")
        return super().files(under)


def test_an_unexpected_error_does_not_stop_the_watcher(eng, tmp_path):
    FlakyInbox.calls = 0
    (eng.ws.inbox / "名册.xlsx").write_bytes(roster_bytes(tmp_path))
    with watching(eng, rescan=0.2, make_inbox=FlakyInbox, error_pause=0.1) as (_w, outcomes, notices):
        assert until(lambda: [o.kind for o in outcomes] == ["processed"])
    assert any("监视出错" in n for n in notices)


def test_a_rescan_of_a_large_inbox_is_one_pass_and_respects_back_off(eng):
    for i in range(5000):
        (eng.ws.inbox / f"表{i:05d}.xlsx").write_bytes(b"")
    w = Watcher(eng, rescan=3600)
    started = time.monotonic()
    w.scan()
    w.scan()
    assert time.monotonic() - started < 10 and len(w.tracker.entries) == 5000
    locked = eng.ws.inbox / "表00000.xlsx"
    now = time.monotonic()
    w.tracker.failed(locked, now, count=6)                # backed off for a while
    w.scan()
    assert locked not in w.tracker.due(now + 1) and len(w.tracker.due(now + 1)) == 4999

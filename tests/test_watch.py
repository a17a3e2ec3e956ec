"""watch: a file is taken only when ready; junk is ignored; events or polling; nothing done on deletes."""
import threading
import time
from datetime import date

import pytest

from engine.inbox.claim import is_junk
from engine.inbox.watch import Tracker, Watcher, filesystem_type
from engine.testing import applicant, write_roster


@pytest.mark.parametrize("name", ["~$名册.xlsx", ".~lock.名册.xlsx#", "~WRL0001.tmp", "abc.tmp", "x.xlsx.crdownload",
                                  "._名册.xlsx", "Thumbs.db", "desktop.ini", ".DS_Store", "Desktop.INI"])
def test_lock_temp_and_system_files_are_junk(name):
    assert is_junk(name)


@pytest.mark.parametrize("name", ["名册.xlsx", "谈话记录.docx", "tmp.xlsx", "report~1.docx", "说明.txt", "lock.docx"])
def test_ordinary_files_are_not_junk(name):
    assert not is_junk(name)


def test_tracker_waits_for_a_quiet_period(tmp_path):
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"1")
    t = Tracker(quiet=2.0, grace=0)
    assert not t.ready(f, 100.0)          # first sight
    assert not t.ready(f, 101.0)          # not quiet long enough
    f.write_bytes(b"12")                  # still being written
    assert not t.ready(f, 102.5)
    assert not t.ready(f, 104.0)
    assert t.ready(f, 104.6)              # stable for 2 s since 102.5


def test_tracker_backs_off_after_failures(tmp_path):
    f = tmp_path / "a.xlsx"
    f.write_bytes(b"1")
    t = Tracker(quiet=0, grace=0)
    assert t.failed(f, 10.0) == 1
    assert not t.ready(f, 11.0) and t.ready(f, 12.1)


def test_filesystem_type_is_read_from_mounts(tmp_path):
    assert isinstance(filesystem_type(tmp_path), str)


def run_watcher(eng, poll, until, timeout=20.0):
    outcomes = []
    w = Watcher(eng, poll=poll, quiet=0.3, rescan=3600, on_outcome=outcomes.append)
    thread = threading.Thread(target=w.run, kwargs={"tick": 0.1}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not until(outcomes):
            time.sleep(0.1)
    finally:
        w.stop.set()
        thread.join(5)
    return outcomes, w


@pytest.mark.parametrize("poll", [0.0, 0.5])
def test_watch_processes_a_dropped_file(eng, tmp_path, poll):
    outcomes, w = [], None

    def drop_later():
        time.sleep(0.5)
        write_roster(tmp_path / "r.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
        (tmp_path / "r.xlsx").rename(eng.ws.inbox / "r.xlsx")
        (eng.ws.inbox / "~$r.xlsx").write_bytes(b"lock")

    threading.Thread(target=drop_later).start()
    outcomes, w = run_watcher(eng, poll, lambda o: len(o) >= 1)
    assert [o.kind for o in outcomes] == ["processed"]
    assert (eng.ws.inbox / "~$r.xlsx").exists()
    assert ("轮询" in w.mode) is bool(poll)


def test_watch_leaves_a_file_that_is_still_growing(eng, tmp_path):
    path = eng.ws.inbox / "slow.xlsx"
    write_roster(tmp_path / "r.xlsx", [applicant("张三", date(1995, 3, 7), date(2026, 1, 5))])
    data = (tmp_path / "r.xlsx").read_bytes()
    stop = threading.Event()

    def write_slowly():
        with open(path, "wb") as fh:
            for i in range(0, len(data), 512):
                fh.write(data[i:i + 512])
                fh.flush()
                time.sleep(0.05)
        stop.set()

    threading.Thread(target=write_slowly).start()
    outcomes, _ = run_watcher(eng, 0.0, lambda o: len(o) >= 1)
    assert stop.is_set() and [o.kind for o in outcomes] == ["processed"]


def test_deleted_files_cause_nothing(eng):
    f = eng.ws.inbox / "gone.xlsx"
    f.write_bytes(b"x")
    f.unlink()
    outcomes, _ = run_watcher(eng, 0.0, lambda o: False, timeout=1.5)
    assert outcomes == [] and not list(eng.ws.rejected.iterdir())

"""A flood: over a thousand files dropped while the watcher runs — valid rosters, member rosters, invalid
files, byte-identical copies, files written slowly in chunks (some pausing longer than the quiet period),
lock and temporary files, a folder of files — then every file is accounted for exactly once."""
import threading
import time

import pytest
from conftest import TODAY
from inbox_batch import account, soak_enabled, wait_settled  # noqa: F401 (fixture)

from engine import Engine
from engine.clock import FixedClock
from engine.inbox.watch import Watcher
from engine.testing.batch import Dropped, Dropper, make_batch


def flood(ws, tmp_path, *, valid, member, invalid, duplicate, junk, in_folder, poll=0.0, timeout=150.0):
    eng = Engine.open(ws, clock=FixedClock(TODAY))
    staging = tmp_path / "staging"
    batch = make_batch(staging, valid, member, invalid, duplicate, junk, in_folder)
    batch += [Dropped(f"空文件{i}.xlsx", b"", "invalid") for i in range(2)]   # 0 bytes: waited for, then refused
    w = Watcher(eng, poll=poll, quiet=0.3, rescan=5.0, grace=1.0, retry_base=0.2)
    thread = threading.Thread(target=w.run, kwargs={"tick": 0.05}, daemon=True)
    dropper = Dropper(ws.inbox, staging, batch)
    started = time.monotonic()
    thread.start()
    dropper.start()
    try:
        dropper.join(timeout)
        assert dropper.error is None, dropper.error
        assert wait_settled(ws, batch, timeout - (time.monotonic() - started)), "not everything was handled in time"
    finally:
        w.stop.set()
        thread.join(10)
        eng.store.close()
    return batch, account(ws, batch)


def test_flood_of_a_thousand_files_while_watching(ws, tmp_path):
    batch, summary = flood(ws, tmp_path, valid=180, member=170, invalid=300, duplicate=350, junk=120, in_folder=60)
    assert len(batch) >= 1000 + 120
    assert summary["processed"] == 180 + 170 and summary["rejected"] == 302 and summary["duplicate"] == 350


@pytest.mark.soak
@pytest.mark.usefixtures("soak_enabled")
def test_soak_flood_of_five_thousand_files(ws, tmp_path):
    _batch, summary = flood(ws, tmp_path, valid=600, member=900, invalid=1500, duplicate=2000, junk=400,
                            in_folder=300, timeout=900.0)
    assert summary["duplicate"] == 2000

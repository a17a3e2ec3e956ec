"""Polling where native events are not delivered (SMB/CIFS/NFS: changes made by other machines raise no
event here). The observer below is a real one whose events never reach docflow — what a network share
gives. Chosen from the filesystem type, polling takes every file; with events wrongly assumed, the periodic
rescan still does: a missed event delays a file, it never loses it."""
from __future__ import annotations

import threading

from conftest import TODAY
from inbox_batch import account, wait_settled
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from engine import Engine
from engine.clock import FixedClock
from engine.inbox.watch import Watcher
from engine.testing.batch import Dropper, make_batch


class DeafObserver(Observer):
    """Watches, stays alive, delivers nothing."""

    started = 0

    def schedule(self, event_handler, path, **kw):
        return super().schedule(FileSystemEventHandler(), path, **kw)

    def start(self):
        DeafObserver.started += 1
        super().start()


def drop_and_watch(ws, tmp_path, **watcher):
    eng = Engine.open(ws, clock=FixedClock(TODAY))
    staging = tmp_path / "staging"
    batch = make_batch(staging, valid=12, member=12, invalid=12, duplicate=12, junk=10, in_folder=8)
    w = Watcher(eng, quiet=0.2, grace=1.0, retry_base=0.1, **watcher)
    thread = threading.Thread(target=w.run, kwargs={"tick": 0.05}, daemon=True)
    dropper = Dropper(ws.inbox, staging, batch, slow=4)
    thread.start()
    dropper.start()
    try:
        dropper.join(60)
        assert dropper.error is None
        assert wait_settled(ws, batch, 60)
    finally:
        w.stop.set()
        thread.join(10)
        eng.store.close()
    account(ws, batch)
    return w


def test_polling_is_chosen_on_a_share_and_takes_every_file_without_events(ws, tmp_path):
    DeafObserver.started = 0
    w = drop_and_watch(ws, tmp_path, rescan=3600.0, observer_factory=DeafObserver, fs_probe=lambda path: "cifs",
                       default_poll=0.3)
    assert w.poll == 0.3 and "cifs" in w.mode
    assert DeafObserver.started == 0          # polling is our own scan: no observer thread to die silently


def test_with_events_that_never_arrive_the_rescan_still_takes_every_file(ws, tmp_path):
    DeafObserver.started = 0
    w = drop_and_watch(ws, tmp_path, rescan=0.5, observer_factory=DeafObserver,
                       fs_probe=lambda path: "")    # the platform does not tell
    assert w.poll == 0 and DeafObserver.started == 1 and w.observer_restarts == 0

"""Holders: the processes taking work from a store (watchers, render workers, ``process``, ``regenerate``).

Each process is one holder (host, pid, a token drawn when the process started: engines opened one after another in
one process are the same holder, so the second finishes what the first left). A holder says it is alive by
beating (``holder_beat``, the store's clock, so the machines' clocks need not agree) from a thread with its own
connection. A claim or a work item held by a holder that is not alive is taken over — compare-and-set, so by one
taker only. Not alive means: on this machine, its process is gone (seen at once: a watcher killed here is
recovered without waiting); anywhere, it has not beaten for ``lease`` seconds (a machine that died, a network cut).
"""
from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Store
    from ..store.base import HolderRow

log = logging.getLogger("docflow.work")
LEASE = 30.0          # seconds without a beat after which a holder elsewhere is taken for dead
BEAT = 5.0            # seconds between beats
FORGET_AFTER = 86400.0  # seconds after its last beat a holder's record is removed


@dataclass(frozen=True)
class Holder:
    id: str
    host: str
    pid: int
    started: str


_MINE: dict[int, Holder] = {}


def this_process() -> Holder:
    """The holder of this process (a forked child is another one)."""
    pid = os.getpid()
    if pid not in _MINE:
        host = os.environ.get("DOCFLOW_HOST") or socket.gethostname()
        _MINE[pid] = Holder(f"{host}:{pid}:{uuid.uuid4().hex[:8]}", host, pid,
                            datetime.now().astimezone().isoformat(timespec="seconds"))
    return _MINE[pid]


def pid_running(pid: int) -> bool:
    """Is process ``pid`` of this machine running? (Unknown: yes.)"""
    if sys.platform == "win32":  # pragma: no cover - Windows: os.kill(pid, 0) would terminate the process
        return _windows_pid_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _windows_pid_running(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)          # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(kernel32.GetLastError() == 5)                  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == 259   # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def alive(row: HolderRow, me: Holder, lease: float = LEASE) -> bool:
    if row.id == me.id:
        return True
    if row.host == me.host and not pid_running(row.pid):
        return False
    return row.age < lease


def live_ids(store: Store, me: Holder, lease: float = LEASE) -> list[str]:
    """The holders alive now (this one always)."""
    return sorted({h.id for h in store.holders() if alive(h, me, lease)} | {me.id})


def gone_here(store: Store, me: Holder) -> list[str]:
    """Holders of this machine whose process is gone (taken over at once, without waiting for their lease)."""
    return [h.id for h in store.holders() if h.host == me.host and h.id != me.id and not pid_running(h.pid)]


def others_alive(store: Store, me: Holder, lease: float = LEASE) -> bool:
    return any(h != me.id for h in live_ids(store, me, lease))


def beat(store: Store, me: Holder, role: str) -> None:
    """One statement, committed on its own (no transaction to wait for or to be counted)."""
    store.holder_beat(me.id, me.host, me.pid, role, me.started)


class Heartbeat:
    """Beats for ``me`` every ``every`` seconds from its own thread and its own store connection (``open_store``),
    until stopped; a beat that fails (the server away) is tried again at the next one."""

    def __init__(self, open_store: Callable[[], Store], me: Holder, role: str, every: float = BEAT) -> None:
        self.open_store, self.me, self.role, self.every = open_store, me, role, every
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, name="docflow-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self.thread.start()
        return self

    def _run(self) -> None:
        store = None
        while not self.stop_event.is_set():
            try:
                store = store or self.open_store()
                beat(store, self.me, self.role)
            except Exception as exc:      # the server away, the database busy: the next beat tries again
                log.info("heartbeat failed: %s", exc)
                if store is not None:
                    try:
                        store.close()
                    except Exception:
                        pass
                store = None
            self.stop_event.wait(self.every)
        if store is not None:
            store.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=self.every + 5)

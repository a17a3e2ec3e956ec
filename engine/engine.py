"""The shared context of every stage of the road: workspace, pack, store, renderer, clock and calendar —
each a value or a small interface, so tests pass fixed or in-memory ones — and one hook, ``checkpoint``,
called between the stages (tests stop the engine there, as a kill would)."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .clock import Clock, SystemClock
from .output.render import Renderer, temp_home
from .pack import Pack, load_pack
from .procedure.workdays import WorkdayCalendar
from .read.safety import LIMITS, Limits
from .signing import Signer
from .store import Store, open_store
from .store.tenants import register
from .work.holder import BEAT, FORGET_AFTER, Heartbeat, Holder, beat, live_ids, this_process
from .workspace import Workspace


def _nothing(stage: str) -> None:
    return None


@dataclass
class Engine:
    ws: Workspace
    pack: Pack
    store: Store
    clock: Clock = field(default_factory=SystemClock)
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    renderer: Renderer | None = None
    limits: Limits = LIMITS                                   # what a dropped file may weigh and hold
    checkpoint: Callable[[str], None] = _nothing              # called between the stages of the road
    rename: Callable[[Path, Path], None] = os.replace          # how claim takes a file (Windows: not while open)
    notes: list[str] = field(default_factory=list)            # for staff, from a batch (e.g. the ledger was open)
    pdf_pool: Any = None                                      # [pdf] beside: the converters, started on first use
    holder: Holder = field(default_factory=this_process)      # this process, as a taker of work from the store
    heartbeat: Heartbeat | None = None                        # its beats while work is held (start_heartbeat)
    signer: Signer = field(init=False)                        # signs issued forms, checks the ones handed in

    def __post_init__(self) -> None:
        from .output.glyphs import FontPlan

        self.renderer = self.renderer or Renderer(self.pack, fonts=FontPlan.from_settings(self.ws.config.fonts))
        self.signer = Signer(lambda: self.store)
        temp_home(self.ws.state)

    @classmethod
    def open(cls, ws: Workspace, clock: Clock | None = None, store: Store | None = None, *,
             limits: Limits = LIMITS, checkpoint: Callable[[str], None] = _nothing,
             rename: Callable[[Path, Path], None] = os.replace) -> Engine:
        from .views import ensure

        pack = load_pack(ws.pack_dir, ws.config.settings)
        store = store or open_store(ws.store_url, ws.config.store.schema_name)
        eng = cls(ws, pack, store, clock or SystemClock(), limits=limits, checkpoint=checkpoint, rename=rename)
        register(eng)
        ensure(eng)
        return eng

    @property
    def lease(self) -> float:
        return self.ws.config.store.lease_seconds

    def live(self) -> list[str]:
        """The holders alive now, this one included (their claims and work items are not taken over)."""
        return live_ids(self.store, self.holder, self.lease)

    def start_heartbeat(self, role: str) -> None:
        """Beat from a thread of its own while this engine holds work (a watcher, a worker, a long batch)."""
        if self.heartbeat is not None:
            return
        beat(self.store, self.holder, role)               # on record before it claims anything
        for h in self.store.holders():                    # processes gone for a day: forgotten
            if h.age > FORGET_AFTER:
                self.store.holder_gone(h.id)
        reopen = getattr(self.store, "reopen", None)
        if reopen is not None and reopen.__self__.shareable:
            self.heartbeat = Heartbeat(reopen, self.holder, role, every=min(BEAT, self.lease / 4)).start()

    def stop_heartbeat(self) -> None:
        """Stop beating and leave the record (a clean exit: nothing is held any more)."""
        if self.heartbeat is not None:
            self.heartbeat.stop()
            self.heartbeat = None
            try:
                self.store.holder_gone(self.holder.id)
            except Exception:                             # the server away: the row ages out
                pass

    def stamp(self) -> str:
        return self.clock.now().isoformat(timespec="seconds")

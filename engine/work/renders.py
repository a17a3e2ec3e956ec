"""Rendering as work items: a document to render is a row of the store's render queue (put in the same transaction
as what made it due), taken by whichever process gets it first (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), rendered,
and marked done — the mark fenced by the holder (a process that lost its lease marks nothing) and logged, one row per
item (``render_log``), in the transaction that records the written file's hash.

Modes: ``due`` — a document a file made due (always written); ``regenerate`` — made again, a file staff edited since
docflow wrote it kept; ``force`` — written over edits too; ``dry`` — nothing written, only what would change told.
A kill between a document's write and its mark makes the taker-over write the same bytes again (the log then shows
the item's second attempt); a mark without its file cannot happen (the file is written, and with ``regenerate``
synced, before the mark)."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..procedure.state import CaseState, fold
from ..store.base import QueueItem
from .holder import gone_here

if TYPE_CHECKING:
    from ..engine import Engine

CHUNK = 100          # items taken at once by a worker
BATCH_MODES = ("regenerate", "force", "dry")


def take(eng: Engine, *, ids: list[int] | None = None, batch: str | None = None, limit: int = CHUNK) -> list[QueueItem]:
    """Items for this process: not done, and not held by a live process."""
    dead = gone_here(eng.store, eng.holder)
    with eng.store.transaction(exclusive=False):
        return eng.store.queue_take(eng.holder.id, dead, eng.lease, limit, ids=ids, batch=batch)


def render_items(eng: Engine, items: list[QueueItem]) -> list[tuple[Path, str]]:
    """Render taken items and mark them done; (path, document id) of every document written."""
    if not items:
        return []
    done = list(_render(eng, items))
    if any(status == "written" and item.mode in BATCH_MODES for item, _, status, _ in done):
        os.sync()                    # a batch writes without a sync per file: once, before the marks
    stamp = eng.stamp()
    written = []
    with eng.store.transaction(exclusive=False):
        for item, path, status, sha in done:
            rel = path.relative_to(eng.ws.outbox).as_posix() if status != "gone" else ""
            if eng.store.queue_done(item.id, eng.holder.id, status, rel, sha, stamp) and status == "written" \
                    and item.mode != "dry":
                eng.store.record_output(rel, sha, stamp)
                written.append((path, item.doc_id))
    return written


def work(eng: Engine, *, batch: str | None = None, limit: int = CHUNK) -> int:
    """Take and render one chunk of the queue (of one batch); how many items were taken."""
    items = take(eng, batch=batch, limit=limit)
    render_items(eng, items)
    return len(items)


def _render(eng: Engine, items: list[QueueItem]) -> Iterator[tuple[QueueItem, Path, str, str]]:
    from ..output.documents import doc_path, document_bytes, remade
    from ..output.render import write_atomic

    states: dict[str, CaseState] = {}
    row = None
    for item in items:
        if item.case_id not in states:
            row = eng.store.case(item.case_id)
            states = {item.case_id: fold(eng.pack, item.case_id, eng.store.events(item.case_id))} if row else {}
        if item.doc_id not in eng.pack.documents or row is None:
            yield item, eng.ws.outbox, "gone", ""     # a document the pack no longer has: done, nothing rendered
            continue
        path = doc_path(eng, item.case_id, item.doc_id, item.period, item.occurrence, row)
        data = document_bytes(eng, states[item.case_id], item.doc_id, item.period, item.occurrence)
        sha = hashlib.sha256(data).hexdigest()
        status = "written" if item.mode == "due" else remade(eng, path, data, force=item.mode == "force")
        if status == "written" and item.mode != "dry":
            write_atomic(path, data, durable=item.mode == "due")
        yield item, path, status, sha

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from engine import Engine
from engine.clock import FixedClock
from engine.pack import load_pack
from engine.testing import workspace
from engine.workspace import BUNDLED_PACKS

TODAY = date(2026, 11, 28)


@pytest.fixture(scope="session")
def pack():
    import os
    return load_pack(BUNDLED_PACKS / "party", check_templates=not os.environ.get("DOCFLOW_NO_TEMPLATE_CHECK"))


@pytest.fixture
def ws(tmp_path):
    return workspace(tmp_path / "ws")


@pytest.fixture
def eng(ws):
    e = Engine.open(ws, clock=FixedClock(TODAY))
    yield e
    e.store.close()


@pytest.fixture
def any_branch(tmp_path):
    """An engine on a workspace that takes branches it does not list (accept_new_branches = true)."""
    e = Engine.open(workspace(tmp_path / "ws", accept_new_branches=True), clock=FixedClock(TODAY))
    yield e
    e.store.close()


@pytest.fixture(scope="session")
def pg_server():
    """A private PostgreSQL server (engine/testing/pgserver.py), one per test process; skipped, saying why,
    without one."""
    from engine.testing.pgserver import Server

    server = Server().start()
    if not server.url:
        pytest.skip(server.reason)
    yield server
    server.stop()


@pytest.fixture
def pg_store(pg_server):
    """A PostgreSQL store in a schema of its own (a fresh workspace on the shared server)."""
    from engine.store.postgres import PostgresStore

    s = PostgresStore(pg_server.url, pg_server.schema())
    yield s
    s.close()

"""Tenants: the committees whose workspaces share one PostgreSQL server, each in a schema of its own. Each engine
that opens a workspace there registers it (``register``: the schema, the organisation, its branches, the pack and
its version, the settings the reports read) in one table beside the schemas, ``public.docflow_tenants``, so a
department's reports (``docflow report … --all``) know whom to aggregate. SQLite workspaces are tenants of nobody."""
from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import StoreUnavailable

if TYPE_CHECKING:
    from ..engine import Engine

log = logging.getLogger("docflow")

DDL = ("CREATE TABLE IF NOT EXISTS public.docflow_tenants (schema_name TEXT PRIMARY KEY, organisation TEXT NOT NULL, "
       "branches TEXT NOT NULL, pack TEXT NOT NULL, pack_version TEXT NOT NULL, settings TEXT NOT NULL, "
       "root TEXT NOT NULL, at TEXT NOT NULL)")


class Tenant(NamedTuple):
    schema: str
    organisation: str
    branches: list[str]
    pack: str
    pack_version: str
    settings: dict[str, Any]
    root: str
    at: str


def register(eng: Engine) -> None:
    """Record (or update) the engine's workspace as a tenant of its server. Nothing on SQLite."""
    schema = getattr(eng.store, "schema", None)
    if schema is None or not hasattr(eng.store, "db"):
        return
    org = eng.ws.config.organisation
    row = (schema, org.name, json.dumps(list(org.branches), ensure_ascii=False), eng.pack.pack.id, eng.pack.version,
           json.dumps(eng.ws.config.settings, ensure_ascii=False, default=str), str(eng.ws.root), eng.stamp())
    try:
        _upsert(eng.store.db, row)
    except StoreUnavailable:
        raise
    except Exception as exc:     # e.g. no right to create in the public schema: the workspace works; --all lacks it
        log.warning("workspace not registered as a tenant of its server: %s", exc)


def _upsert(db: Any, row: tuple[Any, ...]) -> None:
    db.execute("SELECT pg_advisory_lock(hashtext('docflow:tenants'))")    # one creator of the table at a time
    try:
        db.execute(DDL)
        db.execute("INSERT INTO public.docflow_tenants VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (schema_name) DO UPDATE "
                   "SET organisation=excluded.organisation, branches=excluded.branches, pack=excluded.pack, "
                   "pack_version=excluded.pack_version, settings=excluded.settings, root=excluded.root, "
                   "at=excluded.at", row)
    finally:
        db.execute("SELECT pg_advisory_unlock(hashtext('docflow:tenants'))")


def tenants(store: Any) -> list[Tenant]:
    """Every tenant of the store's server, in the order of their schemas' names."""
    if not hasattr(store, "schema") or store.db.execute(
            "SELECT to_regclass('public.docflow_tenants')").fetchone()[0] is None:
        return []
    return [Tenant(r[0], r[1], json.loads(r[2]), r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in store.db.execute(
        "SELECT schema_name, organisation, branches, pack, pack_version, settings, root, at "
        "FROM public.docflow_tenants ORDER BY schema_name")]

"""A private PostgreSQL server for the tests and the benches: initdb in a temporary folder, started on a free
local port, stopped and removed at the end — nothing needs to be running beforehand. ``DOCFLOW_TEST_DATABASE_URL``
uses a server given instead. Without the server binaries (Debian: postgresql) the PostgreSQL tests skip, saying so.

Run as root (CI), the server runs as the ``postgres`` user (initdb refuses root)."""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``url`` once started; ``schema()`` a fresh schema name for one test (a workspace of its own)."""

    def __init__(self) -> None:
        self.url = os.environ.get("DOCFLOW_TEST_DATABASE_URL", "")
        self.folder: Path | None = None
        self.reason = ""
        self._as_user: list[str] = []
        self._bin: Path = Path()
        self._port = 0

    def start(self) -> Server:
        if self.url:
            return self
        bin_dir = binaries()
        if bin_dir is None:
            self.reason = "未安装 PostgreSQL 服务器程序（Debian：apt-get install postgresql），跳过 PostgreSQL 测试"
            return self
        self.folder = Path(tempfile.mkdtemp(prefix="docflow-pg-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            as_user = ["runuser", "-u", "postgres", "--"]
        data, port = self.folder / "data", _free_port()
        subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "docflow",
                        "-E", "UTF8", "--no-locale"], check=True, capture_output=True, timeout=120)
        self._as_user, self._bin, self._port = as_user, bin_dir, port
        self.resume()
        self.url = f"postgresql://docflow@127.0.0.1:{port}/postgres"
        return self

    def resume(self) -> None:
        """Start the server (again, on the same port and data: a server back after an outage)."""
        assert self.folder is not None
        subprocess.run([*self._as_user, str(self._bin / "pg_ctl"), "-D", str(self.folder / "data"), "-l",
                        str(self.folder / "log"), "-w", "-o",
                        f"-p {self._port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                        "start"], check=True, capture_output=True, timeout=120)

    def pause(self) -> None:
        """Stop the server, its data kept (an outage: connections drop, nothing answers)."""
        assert self.folder is not None
        subprocess.run([*self._as_user, str(self._bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                        "fast", "-w", "stop"], check=True, capture_output=True, timeout=120)

    def schema(self) -> str:
        return "t_" + uuid.uuid4().hex[:16]

    def database(self) -> str:
        """The URL of a new, empty database on this server (a department of its own: its tenants only)."""
        import psycopg

        name = "d_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self.folder is None:
            return
        subprocess.run([*self._as_user, str(self._bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
                        "immediate", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)

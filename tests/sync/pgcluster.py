"""A throwaway PostgreSQL cluster in a temporary folder, shared by the sync tests
(through ``conftest.py``) and the load benchmark (``bench/bench_sync_load.py``).

PostgreSQL is found on PATH or in Debian's /usr/lib/postgresql/<ver>/bin; when running
as root (CI containers) the cluster runs as the ``postgres`` user, because PostgreSQL
refuses root. Nothing here imports pytest: a missing or failing PostgreSQL raises
`PostgresUnavailable`, which the tests turn into a failure and the benchmark reports.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here, or the cluster would not start."""


def pg_bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if versions:
        return versions[-1].parent
    raise PostgresUnavailable(
        "PostgreSQL binaries (initdb, pg_ctl) are missing: install Debian's `postgresql` "
        "package (.ci/run does)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresCluster:
    """One cluster in a temporary folder; `new_database()` gives a fresh database.

    ``durable=False`` (the tests) turns fsync off for speed; the benchmark keeps it on,
    so PostgreSQL is measured on the same footing as SQLite with ``synchronous=FULL``.
    """

    def __init__(self, *, durable: bool = False, max_connections: int = 300) -> None:
        self.bindir = pg_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="assessor-pg-"))
        self.port = free_port()
        self.user: str | None = None
        self._count = 0
        try:
            if os.geteuid() == 0:
                self.user = "postgres"
                try:
                    entry = pwd.getpwnam(self.user)
                except KeyError:
                    raise PostgresUnavailable(
                        "running as root needs a `postgres` user to run PostgreSQL as"
                    ) from None
                os.chown(self.root, entry.pw_uid, entry.pw_gid)
            self.root.chmod(0o700)
            self.data = self.root / "data"
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale=C", "--no-sync")
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                f"-c max_connections={max_connections}"
            )
            if not durable:
                options += " -c fsync=off -c full_page_writes=off"
            self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                      str(self.root / "log"), "-w", "-t", "60", "start")
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / tool), *args],
            capture_output=True, text=True, user=self.user, cwd=self.root, timeout=120,
            env={**os.environ, "LC_ALL": "C"},
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{tool} failed: {result.stderr or result.stdout}")

    def url(self, name: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def new_database(self) -> str:
        import psycopg

        self._count += 1
        name = f"t{os.getpid()}_{self._count}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

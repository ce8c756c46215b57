"""Real parts for the sync tests: a throwaway PostgreSQL cluster (``pgcluster.py``,
shared with the load benchmark), server processes on loopback, and client stores
driven through the real ``assessor`` command.

A missing PostgreSQL fails the run: it is never skipped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.sync.pgcluster import PostgresCluster, PostgresUnavailable, free_port

from assessor_tui.server import db
from assessor_tui.server.service import Service
from assessor_tui.store import FLOOR_KDF, Vault

ASSESSOR = str(Path(sys.executable).with_name("assessor"))
PASSPHRASE = "a long and secret passphrase"
DATABASES = ["sqlite", "postgresql"]


# ---------------------------------------------------------------- PostgreSQL


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster()
    except PostgresUnavailable as exc:
        pytest.fail(f"{exc} — the sync tests must run against a real PostgreSQL", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    engine = db.make_engine(db_url)
    db.migrate(engine)
    yield Service(engine)
    engine.dispose()


# ---------------------------------------------------------------- server processes


class ServerProcess:
    """``assessor server run`` on a free loopback port; stop() kills it like a crash."""

    def __init__(
        self,
        db_url: str,
        folder: Path,
        *,
        tls: tuple[str, str] | None = None,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> None:
        self.db_url, self.folder, self.tls, self.workers = db_url, folder, tls, workers
        self.env = dict(env or {})
        """Extra environment for the next `start` (a test may change it between runs)."""
        self.port = free_port()
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        args = [ASSESSOR, "server", "run", "--port", str(self.port), "--db", self.db_url]
        if self.tls:
            args += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        if self.workers > 1:
            args += ["--workers", str(self.workers)]
        env = {**os.environ, "ASSESSOR_SERVER_DIR": str(self.folder), **self.env}
        self.log = open(self.folder / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.read_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start: {self.read_log()}")

    def read_log(self) -> str:
        return (self.folder / f"server-{self.port}.log").read_text(errors="replace")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def admin(self, *args: str) -> dict[str, Any]:
        """``assessor server …`` against this server's database, parsed from --json."""
        result = run_assessor("server", *args, "--db", self.db_url, "--json",
                              env={"ASSESSOR_SERVER_DIR": str(self.folder)})
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)


def run_assessor(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [ASSESSOR, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    started: list[ServerProcess] = []

    def make(db_url: str, **kwargs: Any) -> ServerProcess:
        folder = tmp_path / f"server{len(started)}"
        folder.mkdir()
        server = ServerProcess(db_url, folder, **kwargs)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def server(db_url: str, server_factory: Callable[..., ServerProcess]) -> ServerProcess:
    return server_factory(db_url)


# ---------------------------------------------------------------- client stores


class Store:
    """An assessor's laptop: an encrypted store (fast KDF) driven by the real CLI."""

    def __init__(self, folder: Path) -> None:
        self.data_dir = folder
        vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
        vault.close()

    def __call__(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        result = run_assessor(
            *args,
            env={
                "ASSESSOR_DATA_DIR": str(self.data_dir),
                "ASSESSOR_PASSPHRASE": PASSPHRASE,
                "ASSESSOR_SYNC_BUDGET": "20",
                **(env or {}),
            },
        )
        if check:
            assert result.returncode == 0, f"{args}: {result.stderr}"
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json").stdout)

    def login(self, server: ServerProcess, user: str, code: str, *extra: str) -> None:
        self("login", server.url, "--user", user, "--code", code, *extra)

    def sync(self) -> dict[str, Any]:
        return self.json("sync")

    def new_visit(self, school: str = "Hillside Primary", urn: str = "100001") -> str:
        return self("visits", "new", "--framework", "ice-mark", "--school", school,
                    "--urn", urn, "--date", "2025-03-01").stdout.strip()


@pytest.fixture
def store_factory(tmp_path: Path) -> Callable[[str], Store]:
    def make(name: str) -> Store:
        return Store(tmp_path / f"store-{name}")

    return make


def wait_for(predicate: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until ``predicate()`` holds; ``timeout`` is a bound for a stuck server, not a pace."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def healthy(url: str, **kwargs: Any) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2, **kwargs).status_code == 200
    except httpx.HTTPError:
        return False

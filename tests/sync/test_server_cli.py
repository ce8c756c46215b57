"""`assessor server …` refusing bad input in one line, before anything is served or
stored: a listening address it cannot use, TLS files it cannot load, a user name no
login could use, an assignment date not in the calendar."""

from __future__ import annotations

import socket
from pathlib import Path

import trustme
from tests.sync.conftest import run_assessor


def _one_line(result: object, *words: str) -> None:
    assert result.returncode == 1, result  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], lines[0]
    assert "assessor server on" not in result.stdout  # type: ignore[attr-defined]


def test_run_refuses_an_address_or_tls_files_it_cannot_use(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'server.db'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        _one_line(run_assessor("server", "run", "--port", port, "--db", db, timeout=30),
                  f"port {port}", "in use")
    _one_line(run_assessor("server", "run", "--port", "99999", "--db", db), "--port")
    _one_line(run_assessor("server", "run", "--host", "no-such-host.invalid", "--db", db),
              "cannot listen on no-such-host.invalid")

    missing = run_assessor("server", "run", "--db", db, "--tls-cert", str(tmp_path / "c.pem"),
                           "--tls-key", str(tmp_path / "k.pem"))
    _one_line(missing, "cannot load the TLS certificate", "No such file")
    ca = trustme.CA()
    cert, other = ca.issue_cert("127.0.0.1"), ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    other.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    mismatch = run_assessor("server", "run", "--db", db, "--tls-cert", str(tmp_path / "cert.pem"),
                            "--tls-key", str(tmp_path / "key.pem"))
    _one_line(mismatch, "cannot load the TLS certificate", "private key")


def test_user_add_and_assign_refuse_what_the_api_refuses(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'server.db'}"
    _one_line(run_assessor("server", "user", "add", "ann smith!", "--role", "assessor",
                           "--db", db), "cannot be a user name")
    assert run_assessor("server", "user", "add", "ann", "--role", "assessor",
                        "--db", db).returncode == 0
    _one_line(run_assessor("server", "assign", "--user", "ann", "--framework", "ice-mark",
                           "--framework-version", "1", "--school", "Oak", "--date",
                           "2025-02-30", "--db", db), "not a date in the calendar")
    listed = run_assessor("server", "user", "list", "--json", "--db", db)
    assert '"ann smith!"' not in listed.stdout

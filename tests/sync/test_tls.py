"""TLS with trustme certificates: the pinned CA is trusted; an unknown CA, a wrong
host name and plain http to another machine are refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from tests.sync.conftest import ServerProcess, Store


def _server(
    tmp_path: Path, server_factory: Callable[..., ServerProcess], *names: str
) -> tuple[ServerProcess, Path]:
    ca = trustme.CA()
    cert = ca.issue_cert(*names)
    cert_file, key_file, ca_file = (tmp_path / n for n in ("cert.pem", "key.pem", "ca.pem"))
    cert.private_key_and_cert_chain_pem.write_to_path(str(cert_file))
    cert.private_key_pem.write_to_path(str(key_file))
    ca.cert_pem.write_to_path(str(ca_file))
    server = server_factory(f"sqlite:///{tmp_path / 'tls.db'}",
                            tls=(str(cert_file), str(key_file)))
    return server, ca_file


def test_pinned_ca_is_trusted_and_others_are_refused(
    tmp_path: Path, server_factory: Callable[..., ServerProcess],
    store_factory: Callable[[str], Store],
) -> None:
    server, ca_file = _server(tmp_path, server_factory, "127.0.0.1", "localhost")
    assert server.url.startswith("https://")
    codes = [server.admin("user", "add", "ann", "--role", "assessor")["code"]]
    laptop = store_factory("a")

    unknown = laptop("login", server.url, "--user", "ann", "--code", codes[0], check=False)
    assert unknown.returncode == 1 and "unknown or untrusted CA" in unknown.stderr

    other_ca = tmp_path / "other.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    wrong = laptop("login", server.url, "--user", "ann", "--code", codes[0],
                   "--ca-file", str(other_ca), check=False)
    assert wrong.returncode == 1 and "certificate was refused" in wrong.stderr

    laptop("login", server.url, "--user", "ann", "--code", codes[0], "--ca-file", str(ca_file))
    laptop.new_visit()
    assert laptop.sync()["pushed"] == 1  # the pinned CA is kept in the store


def test_wrong_host_name_is_refused(
    tmp_path: Path, server_factory: Callable[..., ServerProcess],
    store_factory: Callable[[str], Store],
) -> None:
    server, ca_file = _server(tmp_path, server_factory, "sync.example.org")
    code = server.admin("user", "add", "ann", "--role", "assessor")["code"]
    result = store_factory("a")("login", server.url, "--user", "ann", "--code", code,
                                "--ca-file", str(ca_file), check=False)
    assert result.returncode == 1 and "host name mismatch" in result.stderr


@pytest.mark.parametrize("url", ["http://sync.example.org", "http://10.0.0.5:8765"])
def test_plain_http_is_refused_except_to_loopback(
    url: str, store_factory: Callable[[str], Store]
) -> None:
    result = store_factory("a")("login", url, "--user", "ann", "--code", "X", check=False)
    assert result.returncode == 1 and "refusing plain http" in result.stderr

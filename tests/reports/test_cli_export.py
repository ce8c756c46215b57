"""`assessor visits export` as a user runs it: every format to a file, Markdown to the
screen, binary formats never to a terminal, and clear refusals."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from tests.reports.conftest import docx_text, html_text, pdf_text

from assessor_tui.session import Session
from assessor_tui.store import FLOOR_KDF, Vault

ASSESSOR = str(Path(sys.executable).with_name("assessor"))
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store (fast KDF) holding one Norfolk visit whose action point has no owner."""
    from tests.tui.conftest import BUILT_INS

    from assessor_tui.plugins.host import load_host

    data_dir = tmp_path_factory.mktemp("reports") / "data"
    vault, _ = Vault.init(data_dir, PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, load_host(entry_points=False, plugins=BUILT_INS, blocked=())) as s:
        opened = s.new_visit("norfolk-sipp", school="Hill School", visit_type="visit-1",
                             assessor="Ann Assessor", scheduled=date(2026, 3, 5))
        opened.edit(
            lambda e: e.start(),
            lambda e: e.set_answer("visit-1-summary", "Reviewed the data with the head."),
            lambda e: e.set_answer("visit-1-evaluation", "Maths lags English."),
            lambda e: e.add_action("Review the maths scheme", due=date(2026, 4, 1)),
            lambda e: e.add_note("Chair keen on targets"),
        )
        visit_id = opened.visit.id
        opened.close()
    return data_dir, visit_id


def run(store: tuple[Path, str], *args: str, env: dict[str, str] | None = None,
        **kw) -> subprocess.CompletedProcess:
    data_dir, _ = store
    full_env = {**os.environ, "ASSESSOR_DATA_DIR": str(data_dir),
                "ASSESSOR_PASSPHRASE": PASSPHRASE, **(env or {})}
    result = subprocess.run([ASSESSOR, *args], capture_output=True, env=full_env,
                            stdin=subprocess.DEVNULL, timeout=60, **kw)
    assert b"Traceback" not in result.stderr, result.stderr
    return result


def test_every_format_to_a_file(store, tmp_path: Path) -> None:
    _, vid = store
    for fmt in ("md", "html", "docx", "pdf", "json", "csv"):
        out = tmp_path / f"record.{fmt}"
        result = run(store, "visits", "export", vid, "--format", fmt, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert result.stderr.decode() == f"Exported to {out}\n"
        assert oct(out.stat().st_mode & 0o777) == "0o600"  # a record is personal data
    assert "Reviewed the data with the head." in (tmp_path / "record.md").read_text()
    assert "Maths lags English." in html_text((tmp_path / "record.html").read_text())[0]
    assert "Chair keen on targets" in docx_text((tmp_path / "record.docx").read_bytes())
    assert "Hill School" in pdf_text((tmp_path / "record.pdf").read_bytes())
    assert '"format": "assessor-visit"' in (tmp_path / "record.json").read_text()
    assert "visit-1-summary" in (tmp_path / "record.csv").read_text(encoding="utf-8-sig")


def test_markdown_to_standard_output(store) -> None:
    _, vid = store
    result = run(store, "visits", "export", vid[:8], "--format", "md")
    assert result.returncode == 0
    assert result.stdout.decode().startswith("# Record of visit\n")


def test_pdf_is_not_written_to_a_terminal(store) -> None:
    _, vid = store
    data_dir, _ = store
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [ASSESSOR, "visits", "export", vid, "--format", "pdf"],
            stdout=follower, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=60,
            env={**os.environ, "ASSESSOR_DATA_DIR": str(data_dir),
                 "ASSESSOR_PASSPHRASE": PASSPHRASE},
        )
    finally:
        os.close(follower)
        os.close(leader)
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "assessor: a pdf file cannot be shown in a terminal: give -o FILE or redirect the "
        "output\n"
    )


def test_pdf_to_a_pipe(store) -> None:
    _, vid = store
    result = run(store, "visits", "export", vid, "--format", "pdf")
    assert result.returncode == 0 and result.stdout.startswith(b"%PDF-")


def test_final_export_is_refused_until_the_action_point_has_an_owner(store,
                                                                     tmp_path: Path) -> None:
    _, vid = store
    out = tmp_path / "final.pdf"
    result = run(store, "visits", "export", vid, "--format", "pdf", "--final", "-o", str(out))
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "assessor: the record cannot be finalised yet (1 problem): action point 1 "
        "(\u201cReview the maths scheme\u201d) has no owner\n"
    )
    assert not out.exists()


def test_missing_plugin_is_named(store) -> None:
    _, vid = store
    result = run(store, "visits", "export", vid, "--format", "docx", "-o", "x.docx",
                 env={"ASSESSOR_DISABLE_PLUGINS": "norfolk-sipp"})
    assert result.returncode == 1
    assert result.stderr.decode() == (
        "assessor: this visit needs plugin 'norfolk-sipp' (framework 'norfolk-sipp' version "
        "2012-13), which is disabled: blocked by ASSESSOR_DISABLE_PLUGINS\n"
    )


def test_json_export_keeps_a_note_that_is_not_valid_utf8(store, tmp_path: Path) -> None:
    """A byte that is not UTF-8 typed on the command line is stored as Python keeps it (a
    lone surrogate); the lossless export writes it as a JSON escape that reads back the
    same, instead of failing with an internal error."""
    _, vid = store
    added = subprocess.run(
        [ASSESSOR.encode(), b"visits", b"note", vid.encode(), b"bad \xff byte"],
        capture_output=True, stdin=subprocess.DEVNULL, timeout=60,
        env={**os.environ, "ASSESSOR_DATA_DIR": str(store[0]),
             "ASSESSOR_PASSPHRASE": PASSPHRASE},
    )
    assert added.returncode == 0, added.stderr
    out = tmp_path / "visit.json"
    result = run(store, "visits", "export", vid, "--format", "json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    exported = json.loads(out.read_bytes().decode("utf-8"))
    assert "bad \udcff byte" in [n["text"] for n in exported["visit"]["notes"]]
    markdown = run(store, "visits", "export", vid, "--format", "md").stdout.decode("utf-8")
    assert "bad \ufffd byte" in markdown  # the readable record shows a replacement mark

"""The store's commands as a user runs them: init, visits, passphrases, damage, doctor."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ASSESSOR = str(Path(sys.executable).with_name("assessor"))
PASSPHRASE = "a long and secret passphrase"


class Cli:
    def __init__(self, data_dir: Path, passphrase: str = PASSPHRASE) -> None:
        self.data_dir = data_dir
        self.passphrase = passphrase

    def __call__(
        self,
        *args: str,
        passphrase: str | None = None,
        check: bool = False,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {
            **os.environ,
            "ASSESSOR_DATA_DIR": str(self.data_dir),
            "ASSESSOR_PASSPHRASE": passphrase or self.passphrase,
            **(env or {}),
        }
        result = subprocess.run(
            [ASSESSOR, *args],
            capture_output=True,
            text=True,
            env=full_env,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )
        assert "Traceback" not in result.stderr, result.stderr
        if check:
            assert result.returncode == 0, result.stderr
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "data")


@pytest.fixture
def store(cli: Cli) -> Cli:
    cli("init", check=True)
    return cli


def new_visit(cli: Cli, *args: str) -> str:
    return cli("visits", "new", *args, check=True).stdout.strip()


def test_init_shows_the_recovery_key_once_and_refuses_a_second_time(cli: Cli) -> None:
    out = cli("init", "--json", check=True).stdout
    key = json.loads(out)["recovery_key"]
    assert len(key.split("-")) >= 10
    again = cli("init")
    assert again.returncode == 1
    assert again.stderr == (
        f"assessor: a store already exists in {cli.data_dir}; nothing was changed\n"
    )
    listing = cli("visits", "list", check=True).stdout
    assert key not in listing


def test_commands_without_a_store_say_what_to_do(cli: Cli) -> None:
    result = cli("visits", "list")
    assert result.returncode == 1
    assert result.stderr == (
        f"assessor: no store in {cli.data_dir}; create one with `assessor init`\n"
    )


def test_no_passphrase_and_no_terminal_is_one_line(cli: Cli) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ASSESSOR_PASSPHRASE"}
    result = subprocess.run(
        [ASSESSOR, "--data-dir", str(cli.data_dir), "init"],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "assessor: no passphrase: use --passphrase-file FILE or "
        "$ASSESSOR_PASSPHRASE, or run in a terminal\n"
    )


def test_short_passphrase_is_refused(cli: Cli) -> None:
    result = cli("init", passphrase="short")
    assert result.returncode == 1
    assert result.stderr == "assessor: the passphrase must be at least 8 characters\n"
    assert not (cli.data_dir / "store.key").exists()


def test_visit_lifecycle(store: Cli) -> None:
    vid = new_visit(
        store,
        "--framework",
        "ba-sef",
        "--school",
        "Hill School",
        "--urn",
        "123456",
        "--date",
        "2026-11-23",
    )
    store("visits", "judge", vid, "1.1", "established", "--rationale", "Minutes seen", check=True)
    store("visits", "judge", vid[:8], "2.4", "Developing", check=True)
    note_id = store(
        "visits",
        "note",
        vid,
        "-c",
        "1.1",
        "-c",
        "1.2",
        "--source",
        "document",
        "--with",
        "Chair",
        "Termly data pack seen",
        check=True,
    ).stdout.strip()
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    visit = shown["visit"]
    assert visit["status"] == "in_progress"
    assert visit["judgements"]["1.1"]["level"] == "established"
    assert visit["judgements"]["1.1"]["rationale"] == "Minutes seen"
    assert visit["judgements"]["2.4"]["level"] == "developing"
    (note,) = visit["notes"]
    assert (note["id"], note["item_ids"], note["source"], note["with_whom"]) == (
        note_id,
        ["1.1", "1.2"],
        "document",
        "Chair",
    )
    assert shown["coverage"]["judged"] == 2
    assert {
        "code": "ba-sef.focus-missing",
        "severity": "warning",
        "item_id": "2.4",
        "message": "2.4 Strategies for early intervention: rated Developing, no development focus",
    } in shown["findings"]
    rows = json.loads(store("visits", "list", "--json", check=True).stdout)
    assert [(r["id"], r["school"], r["judged"], r["total"], r["status"]) for r in rows] == [
        (vid, "Hill School", 2, 21, "in_progress")
    ]
    text = store("visits", "show", vid, check=True).stdout
    assert "1.1  Established    Engagement of all schools" in text
    assert "note " in text and "Termly data pack seen" in text


def test_refusals_are_one_line_and_change_nothing(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    bad = store("visits", "judge", vid, "partnerships-1", "brilliant")
    assert bad.returncode == 1
    assert bad.stderr == (
        "assessor: level 'brilliant' is not on scale 'ice-validation' of "
        "partnerships-1 (not-met, partly-met, met, not-seen)\n"
    )
    unknown = store("visits", "judge", vid, "nope", "met")
    assert unknown.stderr == "assessor: 'nope' is not an item of ice-mark\n"
    missing = store("visits", "show", "0123abcd")
    assert missing.stderr == "assessor: no visit '0123abcd' in this store\n"
    norfolk = store("visits", "new", "--framework", "norfolk-sipp", "--school", "X")
    assert norfolk.stderr.startswith("assessor: norfolk-sipp needs a visit type (visit-1, ")
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    assert shown["visit"]["judgements"] == {}
    assert len(json.loads(store("visits", "list", "--json").stdout)) == 1


def test_wrong_passphrase(store: Cli) -> None:
    result = store("visits", "list", passphrase="not the passphrase")
    assert result.returncode == 1
    assert result.stderr == "assessor: wrong passphrase\n"


def test_passwd_and_recover(cli: Cli, tmp_path: Path) -> None:
    key = json.loads(cli("init", "--json", check=True).stdout)["recovery_key"]
    vid = new_visit(cli, "--framework", "ice-mark", "--school", "Hill School")
    new_file = tmp_path / "new.txt"
    new_file.write_text("the second passphrase\n")
    cli("passwd", "--new-passphrase-file", str(new_file), check=True)
    assert cli("visits", "list").stderr == "assessor: wrong passphrase\n"
    second = cli("visits", "list", "--json", passphrase="the second passphrase", check=True)
    assert [r["id"] for r in json.loads(second.stdout)] == [vid]

    key_file = tmp_path / "key.txt"
    key_file.write_text(key.lower().replace("-", " ") + "\n")  # as someone might type it
    new_file.write_text("the third passphrase")
    cli(
        "recover",
        "--recovery-key-file",
        str(key_file),
        "--new-passphrase-file",
        str(new_file),
        passphrase="ignored",
        check=True,
    )
    third = cli("visits", "list", "--json", passphrase="the third passphrase", check=True)
    assert [r["id"] for r in json.loads(third.stdout)] == [vid]
    bad_key = tmp_path / "bad.txt"
    bad_key.write_text("AAAA-BBBB")
    wrong = cli(
        "recover", "--recovery-key-file", str(bad_key), "--new-passphrase-file", str(new_file)
    )
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("assessor: that is not a valid recovery key: ")


def test_damaged_visit_file_falls_back_and_doctor_reports(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    store("visits", "note", vid, "first note", check=True)
    store("visits", "note", vid, "second note", check=True)
    path = store.data_dir / "visits" / f"{vid}.db"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = store("doctor")
    assert report.returncode == 1
    restored = f"visits/{vid}.db is damaged or was altered; the previous copy was restored"
    assert restored in report.stdout
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    assert [n["text"] for n in shown["visit"]["notes"]] == ["first note"]
    assert store("doctor").stdout.count("the previous copy was restored") == 0


def test_export_import_round_trip(store: Cli, tmp_path: Path) -> None:
    vid = new_visit(store, "--framework", "community-cohesion", "--school", "Hill School")
    store("visits", "judge", vid, "1a", "embedded", check=True)
    store("visits", "note", vid, "-c", "1a", "Governors briefed in September", check=True)
    out = tmp_path / "visit.json"
    store("visits", "export", vid, "--format", "json", "-o", str(out), check=True)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    other = Cli(tmp_path / "other")
    other("init", check=True)
    assert other("visits", "import", str(out), check=True).stdout.strip() == vid
    a = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    b = json.loads(other("visits", "show", vid, "--json", check=True).stdout)
    assert a == b
    again = other("visits", "import", str(out))
    assert again.stderr == f"assessor: visit '{vid}' is already in this store\n"
    junk = tmp_path / "junk.json"
    junk.write_text('{"format": "something-else"}')
    result = other("visits", "import", str(junk))
    assert result.returncode == 1
    assert result.stderr.startswith("assessor: not an exported visit: format: ")


def test_nothing_readable_at_rest(store: Cli) -> None:
    marker = "MARKER-7f3a-unique-note-text"
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Marker School 91827")
    store("visits", "note", vid, marker, check=True)
    store("visits", "judge", vid, "partnerships-1", "met", "--rationale", marker + "-r", check=True)
    for path in store.data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in (marker, "Marker School 91827", PASSPHRASE):
                assert secret.encode() not in data, (path, secret)
                assert secret.encode("utf-16-le") not in data, (path, secret)


def test_evidence_with_an_attached_file_is_encrypted_and_exported(
    store: Cli, tmp_path: Path
) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    attachment = tmp_path / "minutes.txt"
    attachment.write_text("MINUTES-MARKER-5521 of the partnership board")
    store(
        "visits",
        "evidence",
        vid,
        "Partnership board minutes",
        "--kind",
        "minutes",
        "--ref",
        "PB-03",
        "--file",
        str(attachment),
        "-c",
        "partnerships-3",
        check=True,
    )
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    (item,) = shown["visit"]["evidence"]
    assert (item["title"], item["kind"], item["reference"], item["item_ids"]) == (
        "Partnership board minutes",
        "minutes",
        "PB-03",
        ["partnerships-3"],
    )
    assert item["blob_id"]
    for path in store.data_dir.rglob("*"):
        if path.is_file():
            assert b"MINUTES-MARKER-5521" not in path.read_bytes()
    exported = json.loads(store("visits", "export", vid, "--format", "json", check=True).stdout)
    import base64

    assert base64.b64decode(exported["blobs"][item["blob_id"]]).startswith(b"MINUTES-MARKER")
    missing = store("visits", "evidence", vid, "Ghost", "--file", str(tmp_path / "none.pdf"))
    assert missing.returncode == 1
    assert (
        missing.stderr
        == f"assessor: cannot read {tmp_path / 'none.pdf'}: No such file or directory\n"
    )


def test_ticks_feed_the_sectors_rule(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    for sector in ("primary-schools", "further-education", "higher-education"):
        store("visits", "tick", vid, "partnerships-1", sector, check=True)
    store("visits", "tick", vid, "partnerships-1", "higher-education", "--off", check=True)
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    assert shown["visit"]["judgements"]["partnerships-1"]["checked"] == [
        "further-education",
        "primary-schools",
    ]
    assert any(f["message"] == "2 of 7 sectors: 5 needed" for f in shown["findings"])
    bad = store("visits", "tick", vid, "partnerships-1", "circus")
    assert bad.stderr.startswith("assessor: 'circus' is not on the checklist of partnerships-1")


def test_submit_runs_the_quality_check_first(store: Cli) -> None:
    """`assessor submit` refuses a record with problems, as the app does, and freezes one
    that has only warnings, printing them."""
    norfolk = new_visit(
        store, "--framework", "norfolk-sipp", "--type", "visit-1", "--school", "Pond Lane"
    )
    store("visits", "note", norfolk, "Met the head and the chair", check=True)
    refused = store("submit", norfolk)
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert line.startswith("assessor: not submitted: the record cannot be finalised yet (")
    assert "Summary of activities is empty" in line
    shown = json.loads(store("visits", "show", norfolk, "--json", check=True).stdout)
    assert shown["visit"]["status"] == "in_progress"

    ba = new_visit(store, "--framework", "ba-sef", "--school", "Hill School")
    store("visits", "judge", ba, "2.4", "developing", check=True)
    done = store("visits", "submit", ba, check=True)  # `assessor submit` is the same
    assert "warning: 2.4 Strategies for early intervention: rated Developing" in done.stderr
    shown = json.loads(store("visits", "show", ba, "--json", check=True).stdout)
    assert shown["visit"]["status"] == "submitted"


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x04
    path.write_bytes(bytes(data))


def test_doctor_reports_files_restored_while_the_store_opened(store: Cli) -> None:
    """store.key is read at unlock and index.db when the session starts: a damaged copy of
    either is restored before the check runs, and doctor must still say so."""
    new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    _flip(store.data_dir / "store.key", 100)
    _flip(store.data_dir / "index.db", 150)
    report = store("doctor", "--json")
    assert report.returncode == 1
    problems = {p["path"]: p for p in json.loads(report.stdout)["problems"]}
    for name in ("store.key", "index.db"):
        assert problems[name]["kind"] == "restored"
        assert problems[name]["message"] == (
            f"{name} is damaged or was altered; the previous copy was restored"
        )
        assert problems[f"{name}.damaged"]["kind"] == "damaged-copy-kept"


def test_doctor_checks_every_file_even_when_the_index_is_lost(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    store("visits", "note", vid, "kept in the previous copy", check=True)
    store("visits", "note", vid, "lost with the damaged copy", check=True)
    for name in ("index.db", "index.db.prev", f"visits/{vid}.db"):
        _flip(store.data_dir / name, 150)
    report = store("doctor")
    assert report.returncode == 1 and report.stderr == ""
    assert report.stdout.splitlines()[:2] == [
        "index.db is damaged or was altered, and no good copy is left; nothing was overwritten",
        f"visits/{vid}.db is damaged or was altered; the previous copy was restored",
    ]


def test_current_passphrase_from_a_file_beats_the_environment(store: Cli, tmp_path: Path) -> None:
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(PASSPHRASE + "\n")
    bad.write_text("not the passphrase\n")
    wrong_env = {"ASSESSOR_PASSPHRASE": "not the passphrase either"}
    listed = store("visits", "list", "--json", "--passphrase-file", str(good), env=wrong_env)
    assert listed.returncode == 0 and json.loads(listed.stdout) == []
    refused = store("visits", "list", "--passphrase-file", str(bad))
    assert (refused.returncode, refused.stderr) == (1, "assessor: wrong passphrase\n")


@pytest.mark.parametrize(("tool", "encoding", "mark"), [
    ("Notepad", "utf-8", b""),
    ("PowerShell's Set-Content -Encoding utf8", "utf-8", codecs.BOM_UTF8),
    ("Windows PowerShell's >", "utf-16-le", codecs.BOM_UTF16_LE),
])
def test_a_passphrase_file_written_by_windows_tools_opens_the_store(
    store: Cli, tmp_path: Path, tool: str, encoding: str, mark: bytes
) -> None:
    """Windows tools end lines with CRLF and may start the file with a byte-order mark;
    neither is part of the passphrase."""
    written = tmp_path / "passphrase.txt"
    written.write_bytes(mark + f"{PASSPHRASE}\r\n".encode(encoding))
    listed = store("visits", "list", "--json", "--passphrase-file", str(written), env={})
    assert (listed.returncode, listed.stderr) == (0, ""), tool


def test_passphrase_prompt_in_a_terminal_does_not_echo(store: Cli) -> None:
    """No file and no environment variable: the command asks on the terminal."""
    import contextlib
    import pty
    import select
    import time

    env = {k: v for k, v in os.environ.items() if k != "ASSESSOR_PASSPHRASE"}
    env["ASSESSOR_DATA_DIR"] = str(store.data_dir)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal is its controlling terminal
        os.execve(ASSESSOR, [ASSESSOR, "visits", "list", "--json"], env)
    screen = b""
    deadline = time.monotonic() + 60
    status = None
    typed = False
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            with contextlib.suppress(OSError):  # EIO once the child closed the terminal
                screen += os.read(fd, 4096)
        if not typed and b"Passphrase: " in screen:
            os.write(fd, PASSPHRASE.encode() + b"\n")
            typed = True
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    while select.select([fd], [], [], 0)[0]:  # what it wrote just before it ended
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: nothing more
            break
        if not chunk:
            break
        screen += chunk
    os.close(fd)
    assert typed, screen
    assert os.waitstatus_to_exitcode(status) == 0, screen
    assert b"[]" in screen
    assert PASSPHRASE.encode() not in screen  # typed blind


def test_no_passphrase_in_any_output_or_file(cli: Cli, tmp_path: Path) -> None:
    """Every command, the failures included, with HOME and the XDG folders inside the
    test: the passphrases appear in no output, and in no file anything wrote."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
    }
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    new_file = secrets_dir / "new.txt"
    new_passphrase = "NEWPASS-" + os.urandom(8).hex()
    new_file.write_text(new_passphrase)
    outputs: list[str] = []

    def run(*args: str, passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
        result = cli(*args, passphrase=passphrase, env=env)
        outputs.extend((result.stdout, result.stderr))
        return result

    recovery = json.loads(run("init", "--json").stdout)["recovery_key"]
    vid = run("visits", "new", "--framework", "ice-mark", "--school", "Hill School").stdout
    vid = vid.strip()
    run("visits", "note", vid, "a note")
    run("visits", "judge", vid, "partnerships-1", "met")
    run("visits", "show", vid)
    run("visits", "show", vid, "--json")
    run("visits", "export", vid, "--format", "json")
    run("visits", "list", passphrase="a wrong passphrase here")
    run("passwd", "--new-passphrase-file", str(new_file))
    run("visits", "list")  # the old passphrase, now wrong
    _flip(cli.data_dir / f"visits/{vid}.db", 150)
    run("doctor", "--json", passphrase=new_passphrase)
    key_file = secrets_dir / "recovery.txt"
    key_file.write_text(recovery)
    new_file.write_text(PASSPHRASE)
    run("recover", "--recovery-key-file", str(key_file), "--new-passphrase-file", str(new_file))
    assert run("visits", "list", "--json").returncode == 0  # the recovered passphrase works

    for secret in (PASSPHRASE, new_passphrase):
        forms = (secret.encode(), secret.encode("utf-16-le"), secret.encode().hex().encode())
        for text in outputs:
            assert secret not in text
        for path in tmp_path.rglob("*"):
            if path.is_file() and secrets_dir not in path.parents:
                data = path.read_bytes()
                assert not any(form in data for form in forms), (path, secret)


def test_a_save_that_fails_says_so_and_keeps_the_previous_state(store: Cli) -> None:
    """A real write failure, not a mock: the file size limit stops the save of the visit
    file part-way (EFBIG, as a full disk would with ENOSPC)."""
    import resource

    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    store("visits", "note", vid, "saved before the failure", check=True)
    path = store.data_dir / "visits" / f"{vid}.db"
    before = path.read_bytes()
    limit = len(before) + 64

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {
        **os.environ,
        "ASSESSOR_DATA_DIR": str(store.data_dir),
        "ASSESSOR_PASSPHRASE": PASSPHRASE,
    }
    failed = subprocess.run(
        [ASSESSOR, "visits", "note", vid, "x" * 4000],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        preexec_fn=limited,
        timeout=60,
    )
    assert failed.returncode == 1
    assert failed.stderr == (
        f"assessor: could not save visits/{vid}.db: file too large; your previous copy is intact\n"
    )
    assert path.read_bytes() == before
    assert [p.name for p in store.data_dir.rglob("*.tmp")] == []
    store("visits", "note", vid, "saved after the failure", check=True)
    shown = json.loads(store("visits", "show", vid, "--json", check=True).stdout)
    assert [n["text"] for n in shown["visit"]["notes"]] == [
        "saved before the failure",
        "saved after the failure",
    ]
    assert store("doctor", check=True).stdout.startswith("All files of the store")


def test_tampered_visit_files_are_told_in_one_line_never_read(store: Cli, tmp_path: Path) -> None:
    """Flipped header bytes, truncations, an appended byte, a folder, and files swapped in
    from another visit or another store, through the real command: the previous copy is
    shown (never the tampered one), or one line says the file is damaged."""
    import shutil

    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    other_vid = new_visit(store, "--framework", "ice-mark", "--school", "Other School")
    store("visits", "note", vid, "first", check=True)
    store("visits", "note", vid, "second", check=True)
    export = tmp_path / "visit.json"
    store("visits", "export", vid, "--format", "json", "-o", str(export), check=True)
    elsewhere = Cli(tmp_path / "elsewhere")
    elsewhere("init", check=True)
    elsewhere("visits", "import", str(export), check=True)
    pristine = tmp_path / "pristine"
    shutil.copytree(store.data_dir, pristine)
    name = f"visits/{vid}.db"
    size = (pristine / name).stat().st_size

    def flip(offset: int) -> Callable[[Path], None]:
        return lambda path: _flip(path, offset)

    def cut(length: int) -> Callable[[Path], None]:
        return lambda path: path.write_bytes(path.read_bytes()[:length])

    def swap_from(folder: Path, source: str) -> Callable[[Path], None]:
        return lambda path: shutil.copyfile(folder / source, path)

    def folder(path: Path) -> None:
        path.unlink()
        path.mkdir()

    restored_cases = [flip(offset) for offset in (0, 10, 11, 30, 52, 88)]  # magic … length
    restored_cases += [cut(0), cut(95), cut(96), cut(size - 1), folder]
    restored_cases += [lambda path: path.write_bytes(path.read_bytes() + b"\0")]
    restored_cases += [swap_from(pristine, f"visits/{other_vid}.db")]
    restored_cases += [swap_from(elsewhere.data_dir, name)]
    lost_cases = [
        swap_from(pristine, f"visits/{other_vid}.db"),
        swap_from(elsewhere.data_dir, name),
        cut(50),
    ]
    damaged = f"assessor: {name} is damaged or was altered, and no good copy is left"
    for number, tamper in enumerate(restored_cases + lost_cases):
        shutil.rmtree(store.data_dir)
        shutil.copytree(pristine, store.data_dir)
        tamper(store.data_dir / name)
        if number >= len(restored_cases):
            tamper(store.data_dir / f"{name}.prev")
        shown = store("visits", "show", vid, "--json")
        if number < len(restored_cases):
            assert shown.returncode == 0, (number, shown.stderr)
            notes = [n["text"] for n in json.loads(shown.stdout)["visit"]["notes"]]
            assert notes == ["first"], number  # the previous copy, never the tampered one
        else:
            assert (shown.returncode, shown.stdout) == (1, ""), number
            assert shown.stderr.startswith(damaged) and shown.stderr.count("\n") == 1, number


def test_a_command_that_reads_a_damaged_file_says_it_was_restored(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    store("visits", "note", vid, "first note", check=True)
    store("visits", "note", vid, "second note", check=True)
    path = store.data_dir / "visits" / f"{vid}.db"
    data = bytearray(path.read_bytes())
    data[150] ^= 0x01
    path.write_bytes(bytes(data))
    shown = store("visits", "show", vid, "--json", check=True)
    assert shown.stderr == (
        f"assessor: visits/{vid}.db is damaged or was altered; the previous copy was restored\n"
    )
    assert [n["text"] for n in json.loads(shown.stdout)["visit"]["notes"]] == ["first note"]
    assert store("visits", "show", vid, "--json", check=True).stderr == ""  # said once


def test_a_visit_no_copy_of_which_can_be_read_lists_as_damaged(store: Cli) -> None:
    vid = new_visit(store, "--framework", "ice-mark", "--school", "Hill School")
    store("visits", "note", vid, "a note", check=True)
    folder = store.data_dir / "visits"
    for path in (folder / f"{vid}.db", folder / f"{vid}.db.prev"):
        path.write_bytes(b"\0" * path.stat().st_size)
    listed = store("visits", "list", check=True)
    (row,) = [line for line in listed.stdout.splitlines() if line.startswith(vid[:13])]
    assert "damaged" in row.split() and "Hill School" in row
    (summary,) = json.loads(store("visits", "list", "--json", check=True).stdout)
    assert summary["damaged"] is True and summary["school"] == "Hill School"
    assert "file_mtime_ns" not in summary  # the store's bookkeeping stays inside

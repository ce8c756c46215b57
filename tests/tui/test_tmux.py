"""The installed `assessor` in a real terminal (tmux): keys typed as a user types them, and
the store read back afterwards with the CLI. One run quits with ctrl+q; the other closes
the terminal (tmux kills the session, the app gets SIGHUP) and must have saved all the same."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.tui.conftest import PASSPHRASE


@pytest.fixture(autouse=True)
def _tmux_is_there() -> None:
    """A real terminal test must run, not skip: .ci/run installs tmux on a fresh machine."""
    assert shutil.which("tmux"), "tmux is needed for these tests: apt-get install tmux"

ASSESSOR = str(Path(sys.executable).with_name("assessor"))
WIDTH, HEIGHT = 100, 30
TIMEOUT = 60.0  # a bound for an app that never gets there, not a pace
NOTE = "Five sectors named by the head"


class Terminal:
    """One tmux server of our own (its own socket), holding one session of fixed size."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"assessor-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.socket_path = ""

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, check=check,
                              capture_output=True, text=True, timeout=60)

    def start(self, *command: str) -> None:
        self.tmux("-f", os.devnull, "new-session", "-d", "-s", "app", "-x", str(WIDTH),
                  "-y", str(HEIGHT), *command)
        self.socket_path = self.tmux("display-message", "-p", "#{socket_path}").stdout.strip()

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", "app", check=False).returncode == 0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app", check=False).stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "app", "-l", text)

    def wait_for(self, text: str, timeout: float = TIMEOUT) -> str:
        """Poll the screen until ``text`` is on it; fail with what was there instead."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; the screen:\n{screen}")
            time.sleep(0.05)

    def kill(self) -> None:
        self.tmux("kill-server", check=False)
        if self.socket_path:
            Path(self.socket_path).unlink(missing_ok=True)


def until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The data folder and config in tmp_path; the developer's own settings stay out."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {
        **keep,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "ASSESSOR_DATA_DIR": str(tmp_path / "store"),
        "TERM": "xterm-256color",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }


@pytest.fixture
def terminal(env: dict[str, str]) -> Iterator[Terminal]:
    term = Terminal(env)
    try:
        yield term
    finally:
        term.kill()  # whatever happened, no tmux server outlives the test


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ASSESSOR, *args], env={**env, "ASSESSOR_PASSPHRASE": PASSPHRASE},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def visit_id(env: dict[str, str]) -> str:
    """A store and an ICE Mark visit, made with the real CLI."""
    assert cli(env, "init").returncode == 0
    made = cli(env, "visits", "new", "--framework", "ice-mark", "--school", "Riverside Primary",
               "--date", "2025-03-14", "--json")
    assert made.returncode == 0, made.stderr
    return json.loads(made.stdout)["id"]


def judge_and_type_a_note(terminal: Terminal) -> None:
    """Unlock, open the visit, `2` on the first criterion, `a` and type a note."""
    terminal.start(ASSESSOR)
    terminal.wait_for("Unlock your visits")
    terminal.type(PASSPHRASE)
    terminal.keys("Enter")
    terminal.wait_for("Riverside Primary")
    terminal.keys("Enter")
    terminal.wait_for("Judgement: not judged")  # the first criterion is shown
    terminal.keys("2")
    terminal.wait_for("Judgement: Partly met")
    terminal.keys("a")
    terminal.wait_for("Note on partnerships-1")
    terminal.type(NOTE)
    terminal.wait_for(NOTE)


def saved_visit(env: dict[str, str], visit_id: str) -> dict:
    """`assessor visits show --json`, once the app has let go of the store."""
    result: list[subprocess.CompletedProcess[str]] = []

    def shown() -> bool:
        result[:] = [cli(env, "visits", "show", visit_id, "--json")]
        return result[0].returncode == 0

    until(shown, "the store to be free (the app saving and exiting)")
    return json.loads(result[0].stdout)


def assert_saved(shown: dict) -> None:
    visit = shown["visit"]
    assert visit["judgements"]["partnerships-1"]["level"] == "partly-met"
    assert [(n["text"], n["item_ids"]) for n in visit["notes"]] == [
        (NOTE, ["partnerships-1"])]


def test_quit_with_ctrl_q_saves(terminal: Terminal, env: dict[str, str], visit_id: str) -> None:
    judge_and_type_a_note(terminal)
    terminal.keys("C-s")
    terminal.wait_for("Done 1/34 · 33 lack evidence")  # the note evidences it now
    terminal.keys("C-q")
    until(lambda: not terminal.alive(), "the app to quit")
    assert_saved(saved_visit(env, visit_id))


def test_closing_the_terminal_saves(
    terminal: Terminal, env: dict[str, str], visit_id: str
) -> None:
    """The note is still open in its dialog when the terminal goes: the hang-up saves the
    level and rescues the note (nothing had staged it, so only the signal path can)."""
    judge_and_type_a_note(terminal)
    terminal.tmux("kill-session", "-t", "app")  # the terminal closes: SIGHUP to the app
    assert_saved(saved_visit(env, visit_id))

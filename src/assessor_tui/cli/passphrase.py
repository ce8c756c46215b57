"""Where a passphrase comes from: a file, the environment, or a prompt. Never argv."""

from __future__ import annotations

import argparse
import codecs
import getpass
import os
import sys
from pathlib import Path

from assessor_tui.cli.output import CommandError

PASSPHRASE_ENV = "ASSESSOR_PASSPHRASE"
NEW_PASSPHRASE_ENV = "ASSESSOR_NEW_PASSPHRASE"
MIN_LENGTH = 8


def add_arguments(parser: argparse.ArgumentParser, *, new: bool = False) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read the passphrase from FILE (or set ${PASSPHRASE_ENV})",
    )
    if new:
        parser.add_argument(
            "--new-passphrase-file",
            type=Path,
            metavar="FILE",
            help=f"read the new passphrase from FILE (or ${NEW_PASSPHRASE_ENV})",
        )


def decode_text_file(data: bytes) -> str:
    """A small text file as Windows tools also write it: UTF-8 with or without a byte-order
    mark (Notepad, PowerShell's ``-Encoding utf8``), or UTF-16 with its mark (Windows
    PowerShell's ``>``). The mark is never part of the text. UnicodeDecodeError otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _from_file(path: Path) -> str:
    try:
        text = decode_text_file(path.read_bytes())
    except OSError as exc:
        raise CommandError(f"cannot read passphrase file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"passphrase file {path} is not UTF-8 text") from None
    return text.splitlines()[0] if text else ""


def _prompt(prompt: str, *, confirm: bool) -> str:
    if not sys.stdin.isatty():
        raise CommandError(
            f"no passphrase: use --passphrase-file FILE or ${PASSPHRASE_ENV}, or run in a terminal"
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again: ") != first:
        raise CommandError("the two passphrases differ; nothing was changed")
    return first


def passphrase(
    args: argparse.Namespace, *, confirm: bool = False, prompt: str = "Passphrase: "
) -> str:
    path = getattr(args, "passphrase_file", None)
    value = _from_file(path) if path else os.environ.get(PASSPHRASE_ENV)
    return value if value is not None else _prompt(prompt, confirm=confirm)


def new_passphrase(args: argparse.Namespace, prompt: str = "New passphrase: ") -> str:
    path = getattr(args, "new_passphrase_file", None)
    value = _from_file(path) if path else os.environ.get(NEW_PASSPHRASE_ENV)
    return check_strength(value if value is not None else _prompt(prompt, confirm=True))


def check_strength(value: str) -> str:
    """Refuse only what is plainly too weak; a long phrase of words is the best kind."""
    if len(value) < MIN_LENGTH:
        raise CommandError(f"the passphrase must be at least {MIN_LENGTH} characters")
    return value

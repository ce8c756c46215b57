"""Flipped bits, truncations and swapped files are always caught, never read as data.

The contract: reading a tampered file either raises DamagedFile or returns the
previous generation *and reports that it did*; no other exception type, and
never the tampered content.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest
from tinydb import TinyDB

from assessor_tui.store import (
    FLOOR_KDF,
    DamagedFile,
    EncryptedStorage,
    FileKind,
    ProblemKind,
    Sealer,
    Vault,
    file_id_for,
)
from assessor_tui.store.errors import FormatError
from assessor_tui.store.fileformat import HEADER_SIZE
from assessor_tui.store.keyfile import KeyFile

from .helpers import PASSPHRASE, VISIT_A, VISIT_B, flip_bit

RNG = random.Random(20240917)
FILE_ID = file_id_for(FileKind.VISIT, VISIT_A)
SECRET = b'{"_default":{"1":{"note":"the safeguarding lead was not available"}}}'


# -- the format alone: every header bit, thousands of random bits, every truncation -----------


@pytest.fixture
def sealed(sealer: Sealer) -> bytes:
    return sealer.seal(FileKind.VISIT, FILE_ID, 7, SECRET)


def _refused(sealer: Sealer, data: bytes) -> bool:
    try:
        sealer.open(data, FileKind.VISIT, FILE_ID)
    except FormatError:
        return True
    return False


def _flipped(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def test_the_untouched_file_opens(sealer: Sealer, sealed: bytes) -> None:
    opened = sealer.open(sealed, FileKind.VISIT, FILE_ID)
    assert (opened.generation, opened.plaintext) == (7, SECRET)


def test_every_header_bit_flip_is_caught(sealer: Sealer, sealed: bytes) -> None:
    missed = [bit for bit in range(HEADER_SIZE * 8) if not _refused(sealer, _flipped(sealed, bit))]
    assert missed == []


def test_thousands_of_random_bit_flips_are_caught(sealer: Sealer, sealed: bytes) -> None:
    bits = [RNG.randrange(len(sealed) * 8) for _ in range(3000)]
    assert [bit for bit in bits if not _refused(sealer, _flipped(sealed, bit))] == []
    multi = []
    for _ in range(500):
        data = sealed
        for bit in RNG.sample(range(len(sealed) * 8), RNG.randint(2, 8)):
            data = _flipped(data, bit)
        multi.append(data)
    assert all(_refused(sealer, data) for data in multi)


def test_every_truncation_and_extension_is_caught(sealer: Sealer, sealed: bytes) -> None:
    assert all(_refused(sealer, sealed[:length]) for length in range(len(sealed)))
    assert _refused(sealer, sealed + b"\0")
    assert _refused(sealer, sealed + sealed)


def test_a_file_of_another_kind_file_store_or_key_is_caught(sealer: Sealer) -> None:
    other_visit = sealer.seal(FileKind.VISIT, file_id_for(FileKind.VISIT, VISIT_B), 1, SECRET)
    index = sealer.seal(FileKind.INDEX, FILE_ID, 1, SECRET)
    other_store = Sealer(os.urandom(32), os.urandom(16), sealer.key_id)
    same_ids_other_key = Sealer(os.urandom(32), sealer.store_id, sealer.key_id)
    for data in (
        other_visit,
        index,
        other_store.seal(FileKind.VISIT, FILE_ID, 1, SECRET),
        same_ids_other_key.seal(FileKind.VISIT, FILE_ID, 1, SECRET),
    ):
        assert _refused(sealer, data)


def test_every_bit_of_the_keyfile_is_covered(vault: Vault, data_dir: Path) -> None:
    data = (data_dir / "store.key").read_bytes()
    assert KeyFile.decode(data).store_id.hex() == vault.store_id
    for bit in range(len(data) * 8):
        with pytest.raises(FormatError):
            KeyFile.decode(_flipped(data, bit))
    for length in range(len(data)):
        with pytest.raises(FormatError):
            KeyFile.decode(data[:length])


# -- files on disk: the previous generation is restored and reported -------------------------


class TwoGenerations:
    """A visit file saved twice: current = {"v": 2}, previous = {"v": 1}."""

    def __init__(self, folder: Path, sealer: Sealer) -> None:
        self.path = folder / f"{VISIT_A}.db"
        self.prev = folder / f"{VISIT_A}.db.prev"
        self.sealer = sealer
        db = self.open()
        db.insert({"v": 1})
        db.update({"v": 2})
        db.close()
        self.current_bytes = self.path.read_bytes()
        self.prev_bytes = self.prev.read_bytes()

    def open(self, reports: list[DamagedFile] | None = None) -> TinyDB:
        return TinyDB(
            self.path,
            sealer=self.sealer,
            kind=FileKind.VISIT,
            file_id=FILE_ID,
            label=f"visits/{VISIT_A}.db",
            on_restore=None if reports is None else reports.append,
            storage=EncryptedStorage,
        )

    def reset(self) -> None:
        self.path.write_bytes(self.current_bytes)
        self.prev.write_bytes(self.prev_bytes)

    def read(self) -> tuple[list[dict[str, int]] | DamagedFile, list[DamagedFile]]:
        """What a fresh reader gets: the documents or the DamagedFile, and the reports."""
        reports: list[DamagedFile] = []
        db = self.open(reports)
        try:
            return db.all(), reports
        except DamagedFile as error:
            return error, reports
        finally:
            db.close()


@pytest.fixture
def two(tmp_path: Path, sealer: Sealer) -> TwoGenerations:
    return TwoGenerations(tmp_path, sealer)


def _assert_restored(two: TwoGenerations, tampered: bytes) -> None:
    result, reports = two.read()
    assert result == [{"v": 1}], "must read the previous generation, never the tampered one"
    assert len(reports) == 1 and reports[0].restored
    assert str(reports[0]) == (
        f"visits/{VISIT_A}.db is damaged or was altered; the previous copy was restored"
    )
    assert two.path.read_bytes() == two.prev_bytes  # the good copy is current again
    assert two.path.with_name(two.path.name + ".damaged").read_bytes() == tampered


def test_flipped_header_bits_fall_back_to_the_previous_copy(two: TwoGenerations) -> None:
    for byte in range(HEADER_SIZE):
        two.reset()
        flip_bit(two.path, byte * 8 + RNG.randrange(8))
        _assert_restored(two, two.path.read_bytes())


def test_random_damage_on_disk_falls_back_to_the_previous_copy(two: TwoGenerations) -> None:
    size = len(two.current_bytes)
    for case in range(300):
        two.reset()
        if case % 3 == 0:
            two.path.write_bytes(two.current_bytes[: RNG.randrange(size)])
        else:
            flip_bit(two.path, RNG.randrange(size * 8))
        _assert_restored(two, two.path.read_bytes())


def test_both_copies_damaged_raises_and_overwrites_nothing(two: TwoGenerations) -> None:
    for _ in range(100):
        two.reset()
        flip_bit(two.path, RNG.randrange(len(two.current_bytes) * 8))
        if RNG.random() < 0.5:
            flip_bit(two.prev, RNG.randrange(len(two.prev_bytes) * 8))
        else:
            two.prev.write_bytes(two.prev_bytes[: RNG.randrange(len(two.prev_bytes))])
        before = (two.path.read_bytes(), two.prev.read_bytes())
        result, reports = two.read()
        assert isinstance(result, DamagedFile) and not result.restored and reports == []
        assert str(result) == (
            f"visits/{VISIT_A}.db is damaged or was altered, and no good copy is left; "
            "nothing was overwritten"
        )
        assert (two.path.read_bytes(), two.prev.read_bytes()) == before


def test_a_damaged_file_is_never_overwritten_by_a_write(two: TwoGenerations) -> None:
    two.path.write_bytes(b"garbage")
    two.prev.write_bytes(b"garbage")
    db = two.open()
    for action in (lambda: db.insert({"v": 3}), db.drop_tables, lambda: db.all()):
        with pytest.raises(DamagedFile):
            action()
    assert two.path.read_bytes() == two.prev.read_bytes() == b"garbage"


# -- whole stores: swaps between visits and between stores ------------------------------------


@pytest.fixture
def two_stores(tmp_path: Path) -> tuple[Path, Path]:
    """Two stores with the same passphrase and the same visit ids, each saved twice."""
    folders = (tmp_path / "one", tmp_path / "two")
    for number, folder in enumerate(folders, 1):
        vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
        for visit in (VISIT_A, VISIT_B):
            db = vault.visit_db(visit)
            db.insert({"store": number, "visit": visit, "v": 1})
            db.update({"v": 2})
        vault.index().insert({"store": number})
        vault.index().insert({"store": number, "more": True})
        vault.close()
    return folders


def _visit(folder: Path, visit: str, suffix: str = "") -> Path:
    return folder / "visits" / f"{visit}.db{suffix}"


def test_a_visit_swapped_for_another_visit_is_caught(two_stores: tuple[Path, Path]) -> None:
    one, _ = two_stores
    shutil.copyfile(_visit(one, VISIT_B), _visit(one, VISIT_A))
    with Vault.unlock(one, PASSPHRASE) as vault:
        assert vault.visit_db(VISIT_A).all() == [{"store": 1, "visit": VISIT_A, "v": 1}]
        [report] = vault.restorations
        assert report.path == f"visits/{VISIT_A}.db" and "another file" in report.reason


def test_both_copies_swapped_for_another_visits_are_caught(two_stores: tuple[Path, Path]) -> None:
    one, _ = two_stores
    for suffix in ("", ".prev"):
        shutil.copyfile(_visit(one, VISIT_B, suffix), _visit(one, VISIT_A, suffix))
    with Vault.unlock(one, PASSPHRASE) as vault, pytest.raises(DamagedFile) as caught:
        vault.visit_db(VISIT_A).all()
    assert not caught.value.restored


@pytest.mark.parametrize("name", [f"visits/{VISIT_A}.db", "index.db"])
def test_a_file_from_another_store_is_caught(two_stores: tuple[Path, Path], name: str) -> None:
    one, two = two_stores
    for suffix in ("", ".prev"):
        shutil.copyfile(one / (name + suffix), two / (name + suffix))
    with Vault.unlock(two, PASSPHRASE) as vault:
        db = vault.index() if name == "index.db" else vault.visit_db(VISIT_A)
        with pytest.raises(DamagedFile) as caught:
            db.all()
        assert caught.value.path == name and "another store" in caught.value.reason
        problems = {(p.path, p.kind) for p in vault.check()}
        assert (name, ProblemKind.LOST) in problems


def test_a_key_file_from_another_store_opens_nothing(two_stores: tuple[Path, Path]) -> None:
    one, two = two_stores
    for suffix in ("", ".prev"):
        shutil.copyfile(one / f"store.key{suffix}", two / f"store.key{suffix}")
    with Vault.unlock(two, PASSPHRASE) as vault:  # same passphrase: the slot opens
        for db in (vault.index(), vault.visit_db(VISIT_A), vault.visit_db(VISIT_B)):
            with pytest.raises(DamagedFile):
                db.all()


def test_a_damaged_key_file_is_restored_from_its_copy(vault: Vault, data_dir: Path) -> None:
    vault.close()
    for byte in RNG.sample(range(240), 12):
        flip_bit(data_dir / "store.key", byte * 8 + RNG.randrange(8))
        with Vault.unlock(data_dir, PASSPHRASE) as again:
            [report] = again.restorations
            assert str(report) == (
                "store.key is damaged or was altered; the previous copy was restored"
            )
        assert (data_dir / "store.key").read_bytes() == (data_dir / "store.key.prev").read_bytes()


def test_check_reports_restored_lost_and_damaged_previous_copies(
    two_stores: tuple[Path, Path],
) -> None:
    one, _ = two_stores
    flip_bit(_visit(one, VISIT_A), 900)
    flip_bit(_visit(one, VISIT_B, ".prev"), 900)
    flip_bit(one / "index.db", 900)
    flip_bit(one / "index.db.prev", 900)
    with Vault.unlock(one, PASSPHRASE) as vault:
        problems = vault.check()
        found = {(p.path, p.kind) for p in problems}
        assert found == {
            (f"visits/{VISIT_A}.db", ProblemKind.RESTORED),
            (f"visits/{VISIT_A}.db.damaged", ProblemKind.DAMAGED_COPY_KEPT),
            (f"visits/{VISIT_B}.db.prev", ProblemKind.PREVIOUS_DAMAGED),
            ("index.db", ProblemKind.LOST),
        }
        assert all("\n" not in str(p) for p in problems)
        assert vault.visit_db(VISIT_A).all() == [{"store": 1, "visit": VISIT_A, "v": 1}]
        assert vault.visit_db(VISIT_B).all() == [{"store": 1, "visit": VISIT_B, "v": 2}]

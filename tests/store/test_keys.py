"""Passphrase, recovery key and KDF bounds: the right message for each way in (or not)."""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from pathlib import Path

import pytest

from assessor_tui.store import (
    CEILING_KDF,
    DEFAULT_KDF,
    FLOOR_KDF,
    DamagedFile,
    InvalidPassphrase,
    InvalidRecoveryKey,
    KdfParams,
    KdfParamsRejected,
    StoreExists,
    StoreNotFound,
    UnsupportedFormat,
    Vault,
    WrongPassphrase,
    WrongRecoveryKey,
    format_recovery_key,
    kdf,
    parse_recovery_key,
)

from .helpers import PASSPHRASE, VISIT_A, files_under, flip_bit


def _rewrite_keyfile(path: Path, offset: int, fmt: str, *values: int) -> None:
    """Change fields of store.key and fix its checksum, as a deliberate editor would."""
    data = bytearray(path.read_bytes())
    struct.pack_into(fmt, data, offset, *values)
    data[-32:] = hashlib.sha256(bytes(data[:-32])).digest()
    path.write_bytes(bytes(data))


def _both_copies(data_dir: Path) -> list[Path]:
    return [data_dir / "store.key", data_dir / "store.key.prev"]


# -- wrong passphrase versus damaged key file --------------------------------------------------


def test_wrong_passphrase(vault: Vault, data_dir: Path) -> None:
    vault.close()
    with pytest.raises(WrongPassphrase) as caught:
        Vault.unlock(data_dir, "incorrect horse")
    assert str(caught.value) == "wrong passphrase"


@pytest.mark.parametrize("passphrase", [PASSPHRASE, "incorrect horse"])
def test_a_damaged_key_file_is_not_a_wrong_passphrase(
    vault: Vault, data_dir: Path, passphrase: str
) -> None:
    vault.close()
    for path in _both_copies(data_dir):
        flip_bit(path, 8 * 100)
    with pytest.raises(DamagedFile) as caught:
        Vault.unlock(data_dir, passphrase)
    assert str(caught.value) == (
        "store.key is damaged or was altered, and no good copy is left; nothing was overwritten"
    )


def test_empty_passphrase_is_refused(data_dir: Path) -> None:
    with pytest.raises(InvalidPassphrase, match=r"^a passphrase cannot be empty$"):
        Vault.init(data_dir, "", kdf=FLOOR_KDF)
    assert not data_dir.exists()


def test_passphrases_match_whatever_the_unicode_normal_form(data_dir: Path) -> None:
    composed = unicodedata.normalize("NFC", "Llŷr café")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    Vault.init(data_dir, composed, kdf=FLOOR_KDF)[0].close()
    Vault.unlock(data_dir, decomposed).close()


def test_no_store_and_existing_store(vault: Vault, data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound, match="create one with `assessor init`"):
        Vault.unlock(tmp_path / "elsewhere", PASSPHRASE)
    vault.close()
    before = files_under(data_dir)
    with pytest.raises(StoreExists):
        Vault.init(data_dir, "another", kdf=FLOOR_KDF)
    assert files_under(data_dir) == before


def test_a_newer_key_file_format_is_named_as_such(vault: Vault, data_dir: Path) -> None:
    vault.close()
    for path in _both_copies(data_dir):
        _rewrite_keyfile(path, 8, ">H", 2)
    with pytest.raises(UnsupportedFormat, match=r"format version 2.*update assessor-tui"):
        Vault.unlock(data_dir, PASSPHRASE)


# -- KDF parameters: bounds checked before any work --------------------------------------------


def test_defaults_are_rfc_9106_memory_constrained_with_five_passes() -> None:
    assert (DEFAULT_KDF.memory_kib, DEFAULT_KDF.iterations, DEFAULT_KDF.lanes) == (65536, 5, 4)
    assert (FLOOR_KDF.memory_kib, FLOOR_KDF.iterations, FLOOR_KDF.lanes) == (8192, 1, 1)
    assert (CEILING_KDF.memory_kib, CEILING_KDF.iterations, CEILING_KDF.lanes) == (2**21, 20, 16)


def test_a_new_store_uses_the_default_parameters(data_dir: Path) -> None:
    vault, _ = Vault.init(data_dir, PASSPHRASE)
    assert vault.kdf == DEFAULT_KDF
    vault.close()
    header = (data_dir / "store.key").read_bytes()[44:56]
    assert struct.unpack(">III", header) == (65536, 5, 4)


OUT_OF_BOUNDS = [
    KdfParams(8191, 1, 1),
    KdfParams(2 * 1024 * 1024 + 1, 1, 1),
    KdfParams(2**32 - 1, 3, 4),
    KdfParams(8192, 0, 1),
    KdfParams(8192, 21, 1),
    KdfParams(8192, 1, 0),
    KdfParams(8192, 1, 17),
]


@pytest.mark.parametrize("params", [FLOOR_KDF, CEILING_KDF, DEFAULT_KDF])
def test_parameters_within_bounds_pass(params: KdfParams) -> None:
    params.check()


@pytest.mark.parametrize("params", OUT_OF_BOUNDS)
def test_parameters_out_of_bounds_are_refused(params: KdfParams, data_dir: Path) -> None:
    with pytest.raises(KdfParamsRejected, match=r"^key derivation parameters rejected: .+"):
        params.check()
    with pytest.raises(KdfParamsRejected):
        Vault.init(data_dir, PASSPHRASE, kdf=params)


@pytest.mark.parametrize("params", OUT_OF_BOUNDS)
def test_hostile_parameters_in_the_key_file_are_refused_before_any_work(
    vault: Vault, data_dir: Path, params: KdfParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.close()
    for path in _both_copies(data_dir):
        _rewrite_keyfile(path, 44, ">III", params.memory_kib, params.iterations, params.lanes)

    def no_argon2(**kwargs: object) -> None:
        raise AssertionError(f"Argon2id was started with {kwargs}")

    # 4 TiB of Argon2 memory would take minutes or exhaust the machine: it is never started
    monkeypatch.setattr(kdf, "Argon2id", no_argon2)
    with pytest.raises(KdfParamsRejected):
        Vault.unlock(data_dir, PASSPHRASE)


def test_a_huge_memory_value_without_a_valid_checksum_is_damage(
    vault: Vault, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.close()
    for path in _both_copies(data_dir):
        data = bytearray(path.read_bytes())
        data[44:48] = b"\xff\xff\xff\xff"
        path.write_bytes(bytes(data))

    def no_argon2(**kwargs: object) -> None:
        raise AssertionError(f"Argon2id was started with {kwargs}")

    monkeypatch.setattr(kdf, "Argon2id", no_argon2)  # refused before any work
    with pytest.raises(DamagedFile):
        Vault.unlock(data_dir, PASSPHRASE)


# -- changing the passphrase --------------------------------------------------------------------


def test_changing_the_passphrase_rewrites_only_the_key_file(vault: Vault, data_dir: Path) -> None:
    vault.index().insert({"n": 1})
    vault.visit_db(VISIT_A).insert({"n": 1})
    vault.visit_db(VISIT_A).insert({"n": 2})
    vault.put_blob(b"blob")
    before = files_under(data_dir)
    vault.change_passphrase(PASSPHRASE, "a new passphrase")
    assert vault.visit_db(VISIT_A).all() == [{"n": 1}, {"n": 2}]  # still open and usable
    vault.close()
    after = files_under(data_dir)
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed == {"store.key", "store.key.prev"}
    assert after["store.key"] == after["store.key.prev"]  # no copy opens with the old one
    old_key, new_key = before["store.key"], after["store.key"]
    assert new_key[:36] == old_key[:36]  # identity: same store, same data key
    assert new_key[132:208] == old_key[132:208]  # the recovery slot, byte for byte
    assert new_key[56:72] != old_key[56:72] and new_key[72:84] != old_key[72:84]  # salt, nonce
    with pytest.raises(WrongPassphrase):
        Vault.unlock(data_dir, PASSPHRASE)
    with Vault.unlock(data_dir, "a new passphrase") as again:
        assert again.visit_db(VISIT_A).all() == [{"n": 1}, {"n": 2}]


def test_changing_the_passphrase_needs_the_old_one(vault: Vault, data_dir: Path) -> None:
    before = files_under(data_dir)
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not it", "a new passphrase")
    with pytest.raises(InvalidPassphrase):
        vault.change_passphrase(PASSPHRASE, "")
    assert files_under(data_dir) == before


def test_changing_the_passphrase_can_change_the_parameters(vault: Vault, data_dir: Path) -> None:
    stronger = KdfParams(memory_kib=16384, iterations=2, lanes=2)
    vault.change_passphrase(PASSPHRASE, "new", kdf=stronger)
    assert vault.kdf == stronger
    vault.close()
    with Vault.unlock(data_dir, "new") as again:
        assert again.kdf == stronger


# -- the recovery key --------------------------------------------------------------------------


def test_recovery_key_is_shown_in_groups_of_base32(made: tuple[Vault, str]) -> None:
    _, recovery = made
    assert re.fullmatch(r"([A-Z2-7]{4}-){13}[A-Z2-7]{4}", recovery)


def test_recovery_key_opens_the_store_and_sets_a_new_passphrase(
    made: tuple[Vault, str], data_dir: Path
) -> None:
    vault, recovery = made
    vault.visit_db(VISIT_A).insert({"note": "kept"})
    vault.close()
    typed = " ".join(recovery.lower().split("-"))  # as someone might type it
    with Vault.unlock_with_recovery(data_dir, typed, "chosen after forgetting") as again:
        assert again.visit_db(VISIT_A).all() == [{"note": "kept"}]
    with pytest.raises(WrongPassphrase):
        Vault.unlock(data_dir, PASSPHRASE)
    Vault.unlock(data_dir, "chosen after forgetting").close()
    # The recovery key keeps working (its slot was not touched).
    Vault.unlock_with_recovery(data_dir, recovery, "third").close()
    Vault.unlock(data_dir, "third").close()


def test_a_recovery_key_of_another_store(made: tuple[Vault, str], tmp_path: Path) -> None:
    other, other_recovery = Vault.init(tmp_path / "other", PASSPHRASE, kdf=FLOOR_KDF)
    other.close()
    vault, _ = made
    vault.close()
    with pytest.raises(WrongRecoveryKey, match=r"^that recovery key does not belong"):
        Vault.unlock_with_recovery(vault.data_dir, other_recovery, "new")
    Vault.unlock(vault.data_dir, PASSPHRASE).close()  # nothing changed


def test_recovery_key_typos_are_caught_before_any_work(made: tuple[Vault, str]) -> None:
    _, recovery = made
    swapped = ("B" if recovery[0] != "B" else "C") + recovery[1:]
    cases = {
        swapped: "it has a typo",
        recovery[:-5]: "it has 52 letters and digits; a recovery key has 56",
        recovery.replace(recovery[3], "!", 1): "it contains '!'",
        "": "it has 0 letters and digits",
    }
    for text, reason in cases.items():
        with pytest.raises(InvalidRecoveryKey) as caught:
            parse_recovery_key(text)
        assert str(caught.value).startswith(f"that is not a valid recovery key: {reason}")


def test_recovery_key_text_round_trips_leniently() -> None:
    secret = bytes(range(32))
    text = format_recovery_key(secret)
    assert parse_recovery_key(text) == secret
    assert parse_recovery_key(text.lower().replace("-", "  ")) == secret
    assert parse_recovery_key(text.replace("O", "0").replace("I", "1")) == secret

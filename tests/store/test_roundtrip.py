"""Whatever JSON a user's visit holds comes back unchanged after write → reopen → read."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tinydb import TinyDB

from assessor_tui.store import FLOOR_KDF, EncryptedStorage, FileKind, Sealer, Vault, file_id_for

from .helpers import PASSPHRASE

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)
documents = st.dictionaries(st.text(max_size=10), json_values, max_size=6)
_names = itertools.count()
_settings = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _open(path: Path, sealer: Sealer) -> TinyDB:
    return TinyDB(
        path,
        sealer=sealer,
        kind=FileKind.VISIT,
        file_id=file_id_for(FileKind.VISIT, path.name),
        storage=EncryptedStorage,
    )


@_settings
@given(docs=st.lists(documents, min_size=1, max_size=4), table=st.text(min_size=1, max_size=8))
def test_json_documents_survive_reopen(
    tmp_path: Path, sealer: Sealer, docs: list[dict[str, Any]], table: str
) -> None:
    path = tmp_path / f"{next(_names)}.db"
    db = _open(path, sealer)
    ids = db.table(table).insert_multiple(docs)
    db.close()
    again = _open(path, sealer)
    assert [again.table(table).get(doc_id=i) for i in ids] == docs
    again.close()


@_settings
@given(data=st.binary(max_size=4096))
def test_blobs_survive_reopen(tmp_path: Path, data: bytes) -> None:
    folder = tmp_path / f"store-{next(_names)}"
    vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
    blob_id = vault.put_blob(data)
    vault.close()
    with Vault.unlock(folder, PASSPHRASE) as again:
        assert again.get_blob(blob_id) == data

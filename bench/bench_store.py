"""Benchmarks of the encrypted store on a full-size visit, with same-run baselines.

``run()`` returns the figures as a dict; ``python bench/bench_store.py`` prints
them as a table. Measured, on one full-size visit document (60 judgements,
300 notes of ~400 characters, 50 evidence items):

- a durable encrypted save (EncryptedStorage.write), p50 and p99, against
  the same document written with plain ``json.dump`` + fsync in the same run;
- one edit (a TinyDB update of one judgement) in a store of 1 visit and in
  a store of 1,000 visits;
- opening a visit (decrypting and loading it);
- unlocking with the DEFAULT Argon2id parameters.

Set ``ASSESSOR_BENCH_DIR`` (or pass ``folder``) to measure on a particular
disk; the default is the system's temporary folder, which must not be a
RAM disk for the fsync figures to mean anything.
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tinydb import TinyDB

from assessor_tui.store import (
    DEFAULT_KDF,
    FLOOR_KDF,
    EncryptedStorage,
    FileKind,
    Sealer,
    Vault,
    file_id_for,
)

SAVES = 200
EDITS = 300
OPENS = 50
UNLOCKS = 5
LISTINGS = 7
VISITS_IN_BIG_STORE = 1000
PASSPHRASE = "benchmark passphrase"
WORDS = (
    "pupils",
    "governors",
    "partnership",
    "attendance",
    "behaviour",
    "evidence",
    "leadership",
    "curriculum",
    "community",
    "cohesion",
    "outcomes",
    "inclusion",
    "staff",
    "parents",
    "survey",
    "policy",
    "review",
    "termly",
    "strategy",
    "data",
    "progress",
    "safeguarding",
    "wellbeing",
    "agreed",
    "action",
    "owner",
    "deadline",
)


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:length]


def visit_document(seed: int = 1) -> dict[str, dict[str, dict[str, Any]]]:
    """A full-size visit, as TinyDB tables: 60 judgements, 300 notes, 50 evidence items."""
    rng = random.Random(seed)
    criteria = [f"{s}.{i}" for s in range(1, 7) for i in range(1, 11)]
    judgements = {
        str(n): {
            "criterion": criterion,
            "value": rng.choice(["met", "partly", "not-met", "developing", "enhancing"]),
            "rationale": _text(rng, 200),
            "development_focus": _text(rng, 120),
            "updated_at": f"2025-03-1{n % 10}T10:{n % 60:02d}:00Z",
        }
        for n, criterion in enumerate(criteria, 1)
    }
    notes = {
        str(n): {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "at": f"2025-03-14T{9 + n // 60:02d}:{n % 60:02d}:00Z",
            "criterion": rng.choice(criteria),
            "text": _text(rng, 400),
        }
        for n in range(1, 301)
    }
    evidence = {
        str(n): {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "kind": rng.choice(["document", "observation", "conversation"]),
            "title": _text(rng, 40),
            "summary": _text(rng, 250),
            "criteria": rng.sample(criteria, 3),
        }
        for n in range(1, 51)
    }
    meta = {"1": {"school": "Northgate Primary", "framework": "ice-mark", "state": "in-progress"}}
    return {"visit": meta, "judgements": judgements, "notes": notes, "evidence": evidence}


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _plain_save(path: Path, data: object) -> None:
    """The baseline asked for: json.dump into the file, then fsync."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())


def _plain_dumps_save(path: Path, data: object) -> None:
    """A stricter baseline: one compact json.dumps, one write, fsync (json.dump writes
    in many small chunks, which is slower than this)."""
    with open(path, "wb") as handle:
        handle.write(json.dumps(data, separators=(",", ":")).encode())
        handle.flush()
        os.fsync(handle.fileno())


def _bench_save(folder: Path, doc: dict[str, Any]) -> dict[str, float]:
    sealer = Sealer(os.urandom(32), os.urandom(16), os.urandom(8))
    storage = EncryptedStorage(
        folder / "save.db",
        sealer=sealer,
        kind=FileKind.VISIT,
        file_id=file_id_for(FileKind.VISIT, "save"),
    )
    plain_path = folder / "plain.json"
    encrypted: list[float] = []
    plain: list[float] = []
    dumps: list[float] = []
    for _ in range(SAVES):  # interleaved, so all three see the same disk conditions
        encrypted.append(_timed(lambda: storage.write(doc)))
        plain.append(_timed(lambda: _plain_save(plain_path, doc)))
        dumps.append(_timed(lambda: _plain_dumps_save(plain_path, doc)))
    opens = []
    for _ in range(OPENS):
        fresh = TinyDB(
            folder / "save.db",
            sealer=sealer,
            kind=FileKind.VISIT,
            file_id=file_id_for(FileKind.VISIT, "save"),
            storage=EncryptedStorage,
        )
        opens.append(_timed(lambda db=fresh: db.table("notes").all()))
    return {
        "document_bytes": len(json.dumps(doc, separators=(",", ":"))),
        "file_bytes": (folder / "save.db").stat().st_size,
        "save_p50_ms": _percentile(encrypted, 0.5) * 1e3,
        "save_p99_ms": _percentile(encrypted, 0.99) * 1e3,
        "plain_save_p50_ms": _percentile(plain, 0.5) * 1e3,
        "plain_save_p99_ms": _percentile(plain, 0.99) * 1e3,
        "save_ratio_p50": _percentile(encrypted, 0.5) / _percentile(plain, 0.5),
        "plain_dumps_save_p50_ms": _percentile(dumps, 0.5) * 1e3,
        "save_ratio_vs_dumps_p50": _percentile(encrypted, 0.5) / _percentile(dumps, 0.5),
        "open_visit_p50_ms": _percentile(opens, 0.5) * 1e3,
        "open_visit_p99_ms": _percentile(opens, 0.99) * 1e3,
    }


def _store_with_visits(folder: Path, count: int, doc: dict[str, Any]) -> tuple[Vault, list[str]]:
    vault, _ = Vault.init(folder, PASSPHRASE, kdf=FLOOR_KDF)
    ids = [str(uuid.UUID(int=(0x0190A5E27C3D7B1E8F00 << 48) + n)) for n in range(count)]
    index = vault.index()
    for visit_id in ids:
        vault.visit_db(visit_id).storage.write(doc)
        vault.close_visit(visit_id)  # keep 1,000 decrypted visits out of memory
    index.insert_multiple({"visit_id": v, "school": "Northgate Primary"} for v in ids)
    return vault, ids


def _judgement_editor(vault: Vault, visit_id: str) -> Callable[[int], None]:
    """One edit as the app makes it: set one judgement of an already opened visit."""
    judgements = vault.visit_db(visit_id).table("judgements")
    judgements.all()  # opened once, as the app would before the assessor starts typing
    values = ["met", "partly", "not-met"]
    return lambda n: judgements.update({"value": values[n % 3]}, doc_ids=[1 + n % 60])


def _indexed_editor(vault: Vault, visit_id: str) -> Callable[[int], None]:
    """The same edit plus a rewrite of the visit's summary row in the index: a choice for
    the repository layer; this shows what it costs once the index is large."""
    edit = _judgement_editor(vault, visit_id)
    index = vault.index()
    index.all()

    def edit_and_touch(n: int) -> None:
        edit(n)
        index.update({"updated": n}, doc_ids=[1])

    return edit_and_touch


def _alternating(one: Callable[[int], None], other: Callable[[int], None]) -> tuple[list, list]:
    """Time ``EDITS`` calls of each, alternating call by call so both share disk conditions."""
    first: list[float] = []
    second: list[float] = []
    for n in range(EDITS):
        first.append(_timed(lambda n=n: one(n)))
        second.append(_timed(lambda n=n: other(n)))
    return first, second


def _bench_edits(folder: Path, doc: dict[str, Any]) -> dict[str, float]:
    small, small_ids = _store_with_visits(folder / "one", 1, doc)
    big, big_ids = _store_with_visits(folder / "thousand", VISITS_IN_BIG_STORE, doc)
    middle = big_ids[len(big_ids) // 2]
    try:
        one, thousand = _alternating(
            _judgement_editor(small, small_ids[0]), _judgement_editor(big, middle)
        )
        one_indexed, thousand_indexed = _alternating(
            _indexed_editor(small, small_ids[0]), _indexed_editor(big, middle)
        )
    finally:
        small.close()
        big.close()
    return {
        "edit_1_visit_p50_ms": _percentile(one, 0.5) * 1e3,
        "edit_1000_visits_p50_ms": _percentile(thousand, 0.5) * 1e3,
        "edit_1000_visits_p99_ms": _percentile(thousand, 0.99) * 1e3,
        "edit_ratio_1000_vs_1": _percentile(thousand, 0.5) / _percentile(one, 0.5),
        "edit+index_1_visit_p50_ms": _percentile(one_indexed, 0.5) * 1e3,
        "edit+index_1000_visits_p50_ms": _percentile(thousand_indexed, 0.5) * 1e3,
    }


def _bench_unlock(folder: Path) -> dict[str, float]:
    Vault.init(folder / "default-kdf", PASSPHRASE, kdf=DEFAULT_KDF)[0].close()
    times = []
    for _ in range(UNLOCKS):
        started = time.perf_counter()
        vault = Vault.unlock(folder / "default-kdf", PASSPHRASE)
        times.append(time.perf_counter() - started)
        vault.close()
    return {"unlock_default_kdf_s": statistics.median(times)}


def _bench_listing(folder: Path) -> dict[str, float]:
    """The visits list of a store holding 1,000 visits, as `assessor visits list` and the
    app's visits table get it: a fresh unlock each time (not timed), then the summaries."""
    from assessor_tui.plugins.host import load_host
    from assessor_tui.session import Session

    host = load_host()
    vault, _ = Vault.init(folder / "listing", PASSPHRASE, kdf=FLOOR_KDF)
    with Session(vault, host) as session:
        for n in range(VISITS_IN_BIG_STORE):
            session.new_visit("ice-mark", school=f"School {n}").close()
    times = []
    for _ in range(LISTINGS):
        with Session.unlock(folder / "listing", PASSPHRASE, host) as session:
            started = time.perf_counter()
            listed = session.visits()
            times.append(time.perf_counter() - started)
        assert len(listed) == VISITS_IN_BIG_STORE
    return {"list_1000_visits_p50_ms": statistics.median(times) * 1e3}


def run(folder: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """Run every store benchmark (about 15 s on a laptop SSD) and return the figures."""
    doc = visit_document()
    base = folder or os.environ.get("ASSESSOR_BENCH_DIR") or None
    with tempfile.TemporaryDirectory(prefix="assessor-bench-", dir=base) as tmp:
        root = Path(tmp)
        results: dict[str, float] = {}
        started = time.perf_counter()
        results |= _bench_save(root, doc)
        results |= _bench_edits(root, doc)
        results |= _bench_unlock(root)
        results |= _bench_listing(root)
        results["total_s"] = time.perf_counter() - started
    return results


GOALS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "save_ratio_p50": ("≤ 1.5", lambda v: v <= 1.5),
    "edit_ratio_1000_vs_1": ("≤ 1.2", lambda v: v <= 1.2),
    "unlock_default_kdf_s": ("0.1–1 s", lambda v: 0.1 <= v <= 1.0),  # below: a fast CPU
}


def table(results: dict[str, float]) -> str:
    lines = [f"{'measure':<28} {'value':>12}  goal"]
    for name, value in results.items():
        goal = ""
        if name in GOALS:
            text, ok = GOALS[name]
            goal = f"{text} {'met' if ok(value) else 'MISSED'}"
        shown = f"{value:,.0f}" if name.endswith("bytes") else f"{value:.3f}"
        lines.append(f"{name:<28} {shown:>12}  {goal}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))

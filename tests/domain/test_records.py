"""Applying changes is idempotent and order-free: the basis of crash recovery and sync."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from assessor_tui.domain.clock import HybridClock
from assessor_tui.domain.records import Change, apply_change

FIELDS = st.sampled_from(["a", "b", "c"])
VALUES = st.one_of(st.none(), st.integers(), st.text(max_size=5))


@st.composite
def changes(draw) -> list[Change]:
    count = draw(st.integers(1, 12))
    out = []
    for n in range(count):
        stamp = f"{draw(st.integers(0, 50)):013d}-{n:04d}-d{draw(st.integers(1, 3))}"
        out.append(
            Change(
                id=f"c{n}",
                visit_id="v",
                record_id="r",
                type="note",
                hlc=stamp,
                device="d",
                op=draw(st.sampled_from(["put", "put", "put", "delete"])),
                fields=draw(st.dictionaries(FIELDS, VALUES, max_size=3)),
            )
        )
    return out


def replay(seq):
    record = None
    for change in seq:
        record = apply_change(record, change)
    return record


@given(changes(), st.randoms())
def test_order_and_duplicates_do_not_matter(seq, rnd) -> None:
    shuffled = list(seq) + list(seq)
    rnd.shuffle(shuffled)
    a, b = replay(seq), replay(shuffled)
    assert (a.data, a.clocks, a.deleted) == (b.data, b.clocks, b.deleted)


@given(changes())
def test_newest_stamp_wins_per_field(seq) -> None:
    record = replay(seq)
    for name, value in record.data.items():
        newest = max((c for c in seq if name in c.fields), key=lambda c: c.hlc)
        assert value == newest.fields[name]


def test_clock_never_goes_backwards() -> None:
    times = iter([1000, 1000, 999, 1001, 1002])
    clock = HybridClock("d", now_ms=lambda: next(times))
    stamps = [clock.tick() for _ in range(4)]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 4
    clock.observe("0000000005000-0003-other")
    assert clock.tick() > "0000000005000-0003-other"

"""The server's pre-parse nesting check agrees with the real nesting of any JSON body,
whatever its strings hold (brackets, quotes, backslashes, escapes)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from assessor_tui.sync.protocol import json_depth_exceeds

TRICKY = st.text(alphabet=st.sampled_from('[]{}"\\/ab\n\u00e9\u202e\U0001f600'), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    return 0


@given(VALUES, st.integers(min_value=0, max_value=8), st.booleans())
def test_agrees_with_the_real_depth(value: Any, limit: int, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert json_depth_exceeds(body, limit) is (depth(value) > limit)


def test_brackets_and_escapes_inside_strings_do_not_count() -> None:
    assert json_depth_exceeds(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') is False
    assert json_depth_exceeds(b'["\\\\", [["\\"[[["]]]', limit=3) is False
    assert json_depth_exceeds(b'["\\\\", [["\\"[[[", []]]]', limit=3) is True
    assert json_depth_exceeds(b"[" * 5000 + b"]" * 5000) is True

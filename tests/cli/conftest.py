"""Run the real ``assessor`` command of this environment as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ASSESSOR = Path(sys.executable).with_name("assessor")

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def assessor() -> Run:
    def run(
        *args: str,
        env: dict[str, str] | None = None,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [str(ASSESSOR), *args],
            capture_output=True,
            text=True,
            env=full_env,
            check=check,
            timeout=60,
        )

    return run

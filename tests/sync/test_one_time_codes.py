"""Accounts under concurrency, as several server processes see it: an enrolment code is
good for one device even when several log in with it at the same moment (PostgreSQL
reads it unused in every one of their transactions), and a user added twice at once is
one user and a 409."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from assessor_tui.server import db
from assessor_tui.server.service import Service, ServiceError

PROCESSES = 8
ROUNDS = 5


@pytest.fixture
def services(db_url: str) -> Iterator[list[Service]]:
    """One service per would-be server process, each with its own engine."""
    engine = db.make_engine(db_url)
    db.migrate(engine)
    engine.dispose()
    made = [Service(db.make_engine(db_url)) for _ in range(PROCESSES)]
    yield made
    for service in made:
        service.engine.dispose()


def at_once(services: list[Service], action: Callable[[Service], Any]) -> tuple[
    list[Any], list[str]
]:
    """``action`` run by every service at the same moment: (results, refusals)."""
    results: list[Any] = []
    refusals: list[str] = []
    start = threading.Barrier(len(services))

    def run(service: Service) -> None:
        start.wait()
        try:
            results.append(action(service))
        except ServiceError as exc:
            refusals.append(f"{exc.status} {exc.message}")

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, refusals


def test_one_code_logs_in_one_device_however_many_try_at_once(
    services: list[Service],
) -> None:
    for round_ in range(ROUNDS):
        name = f"user{round_}"
        code = services[0].add_user(name, "assessor").code
        tokens, refusals = at_once(
            services, lambda s, n=name, c=code: s.login(n, c, "laptop").token
        )
        assert len(tokens) == 1, f"round {round_}: {len(tokens)} devices used one code"
        assert refusals == ["401 unknown user or enrolment code"] * (PROCESSES - 1)
        assert len(services[0].devices(name)) == 1


def test_a_name_added_twice_at_once_is_one_user_and_a_clear_refusal(
    services: list[Service],
) -> None:
    """Two admins (or processes) adding the same user at the same moment: one user, and
    the other is told it exists (409 through the API), not a database error (5xx)."""
    for round_ in range(ROUNDS):
        name = f"user{round_}"
        added, refusals = at_once(services, lambda s, n=name: s.add_user(n, "assessor"))
        assert len(added) == 1
        assert refusals == [f"409 user '{name}' already exists"] * (PROCESSES - 1)
    assert len(services[0].users()) == ROUNDS

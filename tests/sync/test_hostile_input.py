"""Hostile input: schemathesis generates requests from the published OpenAPI document.
No response may be a 5xx or disagree with the document (status, content type, schema).

Runs against SQLite in process (the ASGI app); the same routes and data layer run
on PostgreSQL in the other tests. Authenticated as an assessor and as an admin, so
generation reaches past the 401s into the data layer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from tests.sync.pgcluster import PostgresCluster

from assessor_tui.server import db
from assessor_tui.server.app import create_app
from assessor_tui.server.service import Service

EXAMPLES = 45  # × 15 operations × 2 roles: well over 1,000 cases
EXAMPLES_POSTGRESQL = 20  # × 15 operations, each sent as both roles

_folder = Path(tempfile.mkdtemp(prefix="assessor-schemathesis-"))
_engine = db.make_engine(f"sqlite:///{_folder / 'server.db'}")
db.migrate(_engine)
_service = Service(_engine)
_tokens = {}
for _name, _role in (("ann", "assessor"), ("root", "admin")):
    _code = _service.add_user(_name, _role).code
    _tokens[_role] = _service.login(_name, _code, "fuzz").token
app = create_app(_service)
# The checks are the default set minus the two that grade *requests* (whether an
# unusual but harmless input, such as an empty-named query parameter that never
# reaches the app, was refused): what must hold is about responses — no 5xx, and
# status, content type, headers and body exactly as the document says.
_config = schemathesis.config.SchemathesisConfig.from_dict({
    "checks": {
        "negative_data_rejection": {"enabled": False},
        "positive_data_acceptance": {"enabled": False},
    }
})
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=_config)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_no_schema_violation_as_assessor(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_tokens['assessor']}"})


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_no_schema_violation_as_admin(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {_tokens['admin']}"})


@pytest.fixture(scope="module")
def postgres_app(postgres: PostgresCluster) -> Iterator[tuple[Any, dict[str, str]]]:
    """The same app over a real PostgreSQL database, whose text columns refuse what
    SQLite's accept (a NUL character): a 5xx there must be found too."""
    engine = db.make_engine(postgres.new_database())
    db.migrate(engine)
    service = Service(engine)
    tokens = {}
    for name, role in (("ann", "assessor"), ("root", "admin")):
        tokens[role] = service.login(name, service.add_user(name, role).code, "fuzz").token
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(service),
                                         config=_config), tokens
    engine.dispose()


@pytest.fixture
def postgres_schema(postgres_app: tuple[Any, dict[str, str]]) -> Any:
    return postgres_app[0]


on_postgresql = schemathesis.pytest.from_fixture("postgres_schema")


@on_postgresql.parametrize()
@settings(
    max_examples=EXAMPLES_POSTGRESQL,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_5xx_and_no_schema_violation_on_postgresql(
    case: schemathesis.Case, postgres_app: tuple[Any, dict[str, str]]
) -> None:
    for role in ("assessor", "admin"):
        case.call_and_validate(headers={"Authorization": f"Bearer {postgres_app[1][role]}"})

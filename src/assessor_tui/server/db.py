"""The server's database: tables, engines for SQLite and PostgreSQL, migrations.

SQLite is opened in WAL mode with ``synchronous=FULL`` (an acknowledged push
survives power loss) and writers take the lock up front (``BEGIN IMMEDIATE``)
so two pushes never deadlock upgrading a read lock. PostgreSQL needs nothing
special: the push path serialises itself on the ``counter`` row (see service).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)

SERVER_DIR_ENV = "ASSESSOR_SERVER_DIR"
DB_ENV = "ASSESSOR_SERVER_DB"
SERVER_APP_NAME = "assessor-server"

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", Text, nullable=False),
)

counter = Table(
    "counter",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("value", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("created", String(40), nullable=False),
)

enrolments = Table(
    "enrolments",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("created", String(40), nullable=False),
    Column("expires", String(40), nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

devices = Table(
    "devices",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created", String(40), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

visits = Table(
    "visits",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("owner_id", Integer, nullable=False, index=True),
    Column("status", String(20), nullable=False),
    Column("school", String(200), nullable=False),
    Column("urn", String(200), nullable=False, index=True),
    Column("framework_id", String(100), nullable=False),
    Column("updated", String(60), nullable=False),
)

grants = Table(
    "grants",
    metadata,
    Column("visit_id", String(36), primary_key=True),
    Column("user_id", Integer, primary_key=True, index=True),
    Column("mode", String(10), nullable=False),
    Column("seq", BigInteger, nullable=False),
)

records = Table(
    "records",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("type", String(20), nullable=False),
    Column("data", Text, nullable=False),
    Column("clocks", Text, nullable=False),
    Column("created", String(60), nullable=False),
    Column("updated", String(60), nullable=False),
    Column("device", String(40), nullable=False),
    Column("deleted", Boolean, nullable=False),
)

changes = Table(
    "changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("record_id", String(36), nullable=False),
    Column("body", Text, nullable=False),
    Column("conflicts", Text, nullable=False),
    Column("user_id", Integer, nullable=False),
)

batches = Table(
    "batches",
    metadata,
    Column("device_id", String(32), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("body_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created", String(40), nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key", String(300), nullable=False, index=True),
    Column("at", Float, nullable=False),
)
"""Recent logins by client address and by user name, so every server process sharing
the database counts them together (the rate limit holds however many workers run)."""

access_log = Table(
    "access_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, nullable=False),
    Column("visit_id", String(36), nullable=False, index=True),
    Column("action", String(20), nullable=False),
    Column("at", String(40), nullable=False),
)


def server_dir() -> Path:
    chosen = os.environ.get(SERVER_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_path

    return user_data_path(SERVER_APP_NAME, appauthor=False)


def default_url() -> str:
    """``$ASSESSOR_SERVER_DB``, else SQLite in the server's data folder."""
    url = os.environ.get(DB_ENV)
    if url:
        return url
    folder = server_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return f"sqlite:///{folder / 'server.db'}"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic, scripts inside the package)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(726354)")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

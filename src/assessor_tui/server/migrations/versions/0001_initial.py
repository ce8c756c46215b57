"""The first schema: users, devices, visits, records, the change log, batches.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    counter = op.create_table(
        "counter",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created", sa.String(40), nullable=False),
    )
    op.create_table(
        "enrolments",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("created", sa.String(40), nullable=False),
        sa.Column("expires", sa.String(40), nullable=False),
        sa.Column("used", sa.Boolean, nullable=False),
    )
    op.create_table(
        "devices",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created", sa.String(40), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("owner_id", sa.Integer, nullable=False, index=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("school", sa.String(200), nullable=False),
        sa.Column("urn", sa.String(200), nullable=False, index=True),
        sa.Column("framework_id", sa.String(100), nullable=False),
        sa.Column("updated", sa.String(60), nullable=False),
    )
    op.create_table(
        "grants",
        sa.Column("visit_id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, primary_key=True, index=True),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("clocks", sa.Text, nullable=False),
        sa.Column("created", sa.String(60), nullable=False),
        sa.Column("updated", sa.String(60), nullable=False),
        sa.Column("device", sa.String(40), nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("conflicts", sa.Text, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "batches",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(100), primary_key=True),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created", sa.String(40), nullable=False),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("visit_id", sa.String(36), nullable=False, index=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    # The epoch names this database's history: a restore from backup gets a new
    # one (`assessor server new-epoch`), and every client then resyncs in full.
    op.bulk_insert(meta, [{"key": "epoch", "value": uuid.uuid4().hex[:16]}])
    op.bulk_insert(counter, [{"id": 1, "value": 0}])


def downgrade() -> None:
    for name in (
        "access_log", "batches", "changes", "records", "grants", "visits",
        "devices", "enrolments", "users", "counter", "meta",
    ):
        op.drop_table(name)

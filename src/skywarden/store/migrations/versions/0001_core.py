"""Core tables: API tokens, catalogs, sites, zones, winds, report batches, reports, tracks, query cache.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(200), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS, nullable=True),
    )
    op.create_table(
        "catalogs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False, index=True),
        sa.Column("n_objects", sa.Integer, nullable=False),
        sa.Column("n_issues", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("alt_m", sa.Float, nullable=False),
        sa.Column("radius_km", sa.Float, nullable=False),
        sa.Column("polygon", sa.JSON, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "zones",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("geojson", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "winds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("path", sa.String(1000), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "report_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("accepted", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", _BIGID, primary_key=True, autoincrement=True),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("report_batches.id"), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("t_unix_s", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("alt_m", sa.Float, nullable=False),
        sa.Column("alt_datum", sa.String(16), nullable=False),
        sa.Column("vel_e_m_s", sa.Float, nullable=True),
        sa.Column("vel_n_m_s", sa.Float, nullable=True),
        sa.Column("vel_u_m_s", sa.Float, nullable=True),
        sa.Column("h_acc_m", sa.Float, nullable=True),
        sa.Column("v_acc_m", sa.Float, nullable=True),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
    )
    op.create_index("ix_reports_object_time", "reports", ["object_id", "t_unix_s"])
    op.create_table(
        "tracks",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("object_class", sa.String(32), nullable=False),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.Column("last_t_unix_s", sa.Float, nullable=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "query_cache",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("catalog_id", sa.Integer, nullable=False, index=True),
        sa.Column("site_id", sa.Integer, nullable=False, index=True),
        sa.Column("result", sa.JSON, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
    )


def downgrade() -> None:
    for name in ("query_cache", "tracks", "reports", "report_batches", "winds", "zones", "sites", "catalogs"):
        op.drop_table(name)
    op.drop_table("api_tokens")

"""auth: used client-assertion ids (replay protection) and issued access tokens (revocation).

Revision ID: 0002_auth
Revises: 0001_foundation
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0002_auth"
down_revision = "0001_foundation"
branch_labels = ("auth",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_used_assertion",
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "jti"),
    )
    op.create_index("ix_auth_used_assertion_expires_at", "auth_used_assertion", ["expires_at"])
    op.create_table(
        "auth_access_token",
        sa.Column("jti", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cnf_thumbprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index("ix_auth_access_token_client_id", "auth_access_token", ["client_id"])
    op.create_index("ix_auth_access_token_expires_at", "auth_access_token", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_access_token_expires_at", table_name="auth_access_token")
    op.drop_index("ix_auth_access_token_client_id", table_name="auth_access_token")
    op.drop_table("auth_access_token")
    op.drop_index("ix_auth_used_assertion_expires_at", table_name="auth_used_assertion")
    op.drop_table("auth_used_assertion")

"""audit: an index on (event_type, event_time) for the officer's reports (issue 14, item 5).

The annual report counts a year's records of a few event types: content destroyed, inspections, access
reports, and the disclosure, refusal and read events of its reports. With only the index on event_time, each
of those counts walked every record of the year and filtered by type; with this one, each reads the records
of its types in the period only. Its cost: one more index entry per append.

Revision ID: 0008_audit_report_indexes
Revises: 0006_audit_hardening
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0008_audit_report_indexes"
down_revision = "0006_audit_hardening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_record_type_time", "audit_record", ["event_type", "event_time"])


def downgrade() -> None:
    op.drop_index("ix_audit_record_type_time", table_name="audit_record")

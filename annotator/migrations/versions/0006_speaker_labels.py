"""dataset speaker labels: which entity labels can be a quote's speaker or a stance's holder

Revision ID: 0006_speaker_labels
Revises: 0005_gold_counts
Create Date: 2026-11-29 21:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_speaker_labels'
down_revision = '0005_gold_counts'
branch_labels = None
depends_on = None

# vocab.SPEAKER_LABELS when this revision was written (a migration must not change with the code).
DEFAULT = '["PERSON", "ORG", "NORP", "GPE"]'


def upgrade():
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker_labels', sa.JSON(), nullable=False, server_default=sa.text(f"'{DEFAULT}'")))


def downgrade():
    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_column('speaker_labels')

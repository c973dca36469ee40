"""index annotation sets by kind and status, so gold drafts are counted without scanning a dataset

Revision ID: 0005_gold_counts
Revises: 0004_agreement_sets
Create Date: 2026-11-29 21:55:00

"""
from alembic import op


revision = '0005_gold_counts'
down_revision = '0004_agreement_sets'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('annotation_sets', schema=None) as batch_op:
        batch_op.create_index('ix_annotation_sets_kind_status', ['kind', 'status', 'document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('annotation_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_sets_kind_status')

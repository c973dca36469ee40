"""stored per-set progress and active time, per-document done state index

Revision ID: 0004_agreement_sets
Revises: 0003_model
Create Date: 2026-11-29 20:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004_agreement_sets'
down_revision = '0003_model'
branch_labels = None
depends_on = None

COLUMNS = ('user_id', 'finished', 'seconds', 'n')


def upgrade():
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.create_index('ix_agreement_documents_done', ['dataset_id', 'has_gold', 'annotators'], unique=False)
    op.create_table(
        'agreement_sets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in COLUMNS],
        sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_agreement_sets_dataset_id_datasets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_agreement_sets_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_sets')),
    )
    with op.batch_alter_table('agreement_sets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_sets_document_id'), ['document_id'], unique=False)
    op.create_table(
        'agreement_set_totals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        *[sa.Column(n, sa.Integer(), nullable=False) for n in COLUMNS],
        sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'],
                                name=op.f('fk_agreement_set_totals_dataset_id_datasets'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_set_totals')),
        sa.UniqueConstraint('dataset_id', 'user_id', 'finished', 'seconds',
                            name=op.f('uq_agreement_set_totals_dataset_id')),
    )


def downgrade():
    op.drop_table('agreement_set_totals')
    op.drop_table('agreement_sets')
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_agreement_documents_done')

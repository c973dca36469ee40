"""stored per-document agreement, annotators' active time, indexes for paged listings

Revision ID: 0002_agreement
Revises: 0002_hardening
Create Date: 2026-11-29 18:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002_agreement'
down_revision = '0002_hardening'
branch_labels = None
depends_on = None

COUNTS = ("ent_tp", "ent_fp", "ent_fn", "ovl_tp", "ovl_fp", "ovl_fn", "quo_tp", "quo_fp", "quo_fn",
          "spk_agree", "spk_total", "kind_agree", "kind_total", "cue_agree", "cue_total", "sta_tp", "sta_fp",
          "sta_fn")
LABELS = ("ex_tp", "ex_fp", "ex_fn", "ov_tp", "ov_fp", "ov_fn")


def _keys(table):
    return [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f(f'fk_{table}_dataset_id_datasets'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f(f'fk_{table}_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
    ]


def upgrade():
    with op.batch_alter_table('annotation_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active_ms', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_annotation_sets_document_kind_status', ['document_id', 'kind', 'status'],
                              unique=False)
    with op.batch_alter_table('annotation_sets', schema=None) as batch_op:
        batch_op.alter_column('active_ms', server_default=None)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_dataset_order', ['dataset_id', 'id'], unique=False)
    op.create_table(
        'agreement_documents',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('annotators', sa.Integer(), nullable=False),
        sa.Column('rejected', sa.Boolean(), nullable=False),
        sa.Column('has_gold', sa.Boolean(), nullable=False),
        sa.Column('units_all', sa.Integer(), nullable=False),
        sa.Column('units_changed', sa.Integer(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'],
                                name=op.f('fk_agreement_documents_dataset_id_datasets'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_agreement_documents_document_id_documents'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_agreement_documents')),
    )
    with op.batch_alter_table('agreement_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_documents_dataset_id'), ['dataset_id'], unique=False)
    op.create_table(
        'agreement_pairs', *_keys('agreement_pairs'),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('a', sa.String(length=40), nullable=False),
        sa.Column('b', sa.String(length=40), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
    )
    with op.batch_alter_table('agreement_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_pairs_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_agreement_pairs_pool', ['dataset_id', 'scope', 'kind', 'a', 'b'], unique=False)
    op.create_table(
        'agreement_labels', *_keys('agreement_labels'),
        sa.Column('a', sa.String(length=40), nullable=False),
        sa.Column('b', sa.String(length=40), nullable=False),
        sa.Column('label', sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in LABELS],
    )
    with op.batch_alter_table('agreement_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_labels_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_agreement_labels_pool', ['dataset_id', 'scope', 'a', 'b', 'label'], unique=False)
    op.create_table(
        'agreement_values', *_keys('agreement_values'),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('a', sa.String(length=40), nullable=False),
        sa.Column('b', sa.String(length=40), nullable=False),
        sa.Column('value_a', sa.String(length=32), nullable=False),
        sa.Column('value_b', sa.String(length=32), nullable=False),
        sa.Column('weight', sa.Double(), nullable=False),
    )
    with op.batch_alter_table('agreement_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_values_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_agreement_values_pool', ['dataset_id', 'scope', 'kind', 'a', 'b'], unique=False)


    _totals('agreement_totals', ['kind', 'a', 'b'], [sa.Column(n, sa.Integer(), nullable=False) for n in COUNTS])
    _totals('agreement_label_totals', ['a', 'b', 'label'],
            [sa.Column(n, sa.Integer(), nullable=False) for n in LABELS])
    _totals('agreement_value_totals', ['kind', 'a', 'b', 'value_a', 'value_b'],
            [sa.Column('weight', sa.Double(), nullable=False)])


def _totals(table, keys, values):
    sizes = {'kind': 8, 'a': 40, 'b': 40, 'label': 64, 'value_a': 32, 'value_b': 32}
    op.create_table(
        table,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dataset_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=8), nullable=False),
        *[sa.Column(k, sa.String(length=sizes[k]), nullable=False) for k in keys],
        *values,
        sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f(f'fk_{table}_dataset_id_datasets'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{table}')),
        sa.UniqueConstraint('dataset_id', 'scope', *keys, name=op.f(f'uq_{table}_dataset_id')),
    )


def downgrade():
    for table in ('agreement_value_totals', 'agreement_label_totals', 'agreement_totals'):
        op.drop_table(table)
    for table in ('agreement_values', 'agreement_labels', 'agreement_pairs', 'agreement_documents'):
        op.drop_table(table)
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_dataset_order')
    with op.batch_alter_table('annotation_sets', schema=None) as batch_op:
        batch_op.drop_index('ix_annotation_sets_document_kind_status')
        batch_op.drop_column('last_active_at')
        batch_op.drop_column('active_ms')

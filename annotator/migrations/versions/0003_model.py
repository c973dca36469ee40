"""model in the loop: trained versions, evaluations, a dataset's pipeline and queue order

Revision ID: 0003_model
Revises: 0002_agreement
Create Date: 2026-11-29 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_model'
down_revision = '0002_agreement'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('base', sa.String(length=500), nullable=False),
    sa.Column('train_docs', sa.Integer(), nullable=False),
    sa.Column('dev_docs', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_model_versions_dataset_id_datasets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_versions')),
    sa.UniqueConstraint('dataset_id', 'number', name='uq_model_versions_dataset_number')
    )
    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_versions_dataset_id'), ['dataset_id'], unique=False)

    op.create_table('model_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=500), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['datasets.id'], name=op.f('fk_model_evaluations_dataset_id_datasets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['model_versions.id'], name=op.f('fk_model_evaluations_version_id_model_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_evaluations'))
    )
    with op.batch_alter_table('model_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_evaluations_dataset_id'), ['dataset_id'], unique=False)

    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spacy_model', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('queue_order', sa.String(length=16), server_default='import', nullable=False))

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uncertainty', sa.Float(), nullable=True))


def downgrade():
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('uncertainty')

    with op.batch_alter_table('datasets', schema=None) as batch_op:
        batch_op.drop_column('queue_order')
        batch_op.drop_column('spacy_model')

    with op.batch_alter_table('model_evaluations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_evaluations_dataset_id'))
    op.drop_table('model_evaluations')

    with op.batch_alter_table('model_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_versions_dataset_id'))
    op.drop_table('model_versions')

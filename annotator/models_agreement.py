"""Stored agreement: per-document counts that the dashboard sums in SQL instead of recomputing.

One ``AgreementDocument`` row per document with finished work; ``AgreementPair`` rows hold the
match counts of two versions for one scope ("all" items, or only "changed" ones): kind "pair" for
two annotators (user ids in ``a`` < ``b``), "model" and "gold" for an annotator (``a``) against the
model or reviewed gold (the reference). ``AgreementLabel`` splits annotator pairs' entity counts by
label; ``AgreementValue`` holds stance-polarity confusion cells per pair (kappa) and, with kind
"alpha", the coincidence cells among all annotators. Every column adds up over documents, and the
``*Total`` tables hold those sums per dataset: each store adds the difference it makes, so the
dashboard reads a few rows whatever the dataset's size.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .db import db
from .vocab import SetKind

SCOPES = ("all", "changed")
PAIR_KINDS = ("pair", SetKind.MODEL.value, SetKind.GOLD.value)
COUNT_COLUMNS = (
    "ent_tp", "ent_fp", "ent_fn", "ovl_tp", "ovl_fp", "ovl_fn", "quo_tp", "quo_fp", "quo_fn",
    "spk_agree", "spk_total", "kind_agree", "kind_total", "cue_agree", "cue_total", "sta_tp", "sta_fp", "sta_fn",
)
LABEL_COLUMNS = ("ex_tp", "ex_fp", "ex_fn", "ov_tp", "ov_fp", "ov_fn")


class AgreementDocument(db.Model):  # type: ignore[name-defined,misc]
    """A document with annotator sets or reviewed gold: finished annotators, gold, rejection, stance units."""

    __tablename__ = "agreement_documents"
    __table_args__ = (sa.Index("ix_agreement_documents_done", "dataset_id", "has_gold", "annotators"),)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    annotators: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[bool] = mapped_column(default=False)
    has_gold: Mapped[bool] = mapped_column(default=False)
    units_all: Mapped[int] = mapped_column(default=0)
    units_changed: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class AgreementPair(db.Model):  # type: ignore[name-defined,misc]
    """Match counts of two versions of one document, in one scope."""

    __tablename__ = "agreement_pairs"
    __table_args__ = (sa.Index("ix_agreement_pairs_pool", "dataset_id", "scope", "kind", "a", "b"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    ent_tp: Mapped[int] = mapped_column(default=0)
    ent_fp: Mapped[int] = mapped_column(default=0)
    ent_fn: Mapped[int] = mapped_column(default=0)
    ovl_tp: Mapped[int] = mapped_column(default=0)
    ovl_fp: Mapped[int] = mapped_column(default=0)
    ovl_fn: Mapped[int] = mapped_column(default=0)
    quo_tp: Mapped[int] = mapped_column(default=0)
    quo_fp: Mapped[int] = mapped_column(default=0)
    quo_fn: Mapped[int] = mapped_column(default=0)
    spk_agree: Mapped[int] = mapped_column(default=0)
    spk_total: Mapped[int] = mapped_column(default=0)
    kind_agree: Mapped[int] = mapped_column(default=0)
    kind_total: Mapped[int] = mapped_column(default=0)
    cue_agree: Mapped[int] = mapped_column(default=0)
    cue_total: Mapped[int] = mapped_column(default=0)
    sta_tp: Mapped[int] = mapped_column(default=0)
    sta_fp: Mapped[int] = mapped_column(default=0)
    sta_fn: Mapped[int] = mapped_column(default=0)


class AgreementLabel(db.Model):  # type: ignore[name-defined,misc]
    """Exact and overlap entity counts of two annotators for one label of one document."""

    __tablename__ = "agreement_labels"
    __table_args__ = (sa.Index("ix_agreement_labels_pool", "dataset_id", "scope", "a", "b", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(64))
    ex_tp: Mapped[int] = mapped_column(default=0)
    ex_fp: Mapped[int] = mapped_column(default=0)
    ex_fn: Mapped[int] = mapped_column(default=0)
    ov_tp: Mapped[int] = mapped_column(default=0)
    ov_fp: Mapped[int] = mapped_column(default=0)
    ov_fn: Mapped[int] = mapped_column(default=0)


class AgreementValue(db.Model):  # type: ignore[name-defined,misc]
    """One cell of a stance-polarity confusion (kappa) or coincidence (alpha) matrix of a document."""

    __tablename__ = "agreement_values"
    __table_args__ = (sa.Index("ix_agreement_values_pool", "dataset_id", "scope", "kind", "a", "b"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    value_a: Mapped[str] = mapped_column(sa.String(32))
    value_b: Mapped[str] = mapped_column(sa.String(32))
    weight: Mapped[float] = mapped_column(default=0.0)


class AgreementTotal(db.Model):  # type: ignore[name-defined,misc]
    """A dataset's ``AgreementPair`` counts summed over its documents, kept up to date by every store."""

    __tablename__ = "agreement_totals"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "scope", "kind", "a", "b"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    ent_tp: Mapped[int] = mapped_column(default=0)
    ent_fp: Mapped[int] = mapped_column(default=0)
    ent_fn: Mapped[int] = mapped_column(default=0)
    ovl_tp: Mapped[int] = mapped_column(default=0)
    ovl_fp: Mapped[int] = mapped_column(default=0)
    ovl_fn: Mapped[int] = mapped_column(default=0)
    quo_tp: Mapped[int] = mapped_column(default=0)
    quo_fp: Mapped[int] = mapped_column(default=0)
    quo_fn: Mapped[int] = mapped_column(default=0)
    spk_agree: Mapped[int] = mapped_column(default=0)
    spk_total: Mapped[int] = mapped_column(default=0)
    kind_agree: Mapped[int] = mapped_column(default=0)
    kind_total: Mapped[int] = mapped_column(default=0)
    cue_agree: Mapped[int] = mapped_column(default=0)
    cue_total: Mapped[int] = mapped_column(default=0)
    sta_tp: Mapped[int] = mapped_column(default=0)
    sta_fp: Mapped[int] = mapped_column(default=0)
    sta_fn: Mapped[int] = mapped_column(default=0)


class AgreementLabelTotal(db.Model):  # type: ignore[name-defined,misc]
    """A dataset's ``AgreementLabel`` counts summed over its documents."""

    __tablename__ = "agreement_label_totals"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "scope", "a", "b", "label"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(64))
    ex_tp: Mapped[int] = mapped_column(default=0)
    ex_fp: Mapped[int] = mapped_column(default=0)
    ex_fn: Mapped[int] = mapped_column(default=0)
    ov_tp: Mapped[int] = mapped_column(default=0)
    ov_fp: Mapped[int] = mapped_column(default=0)
    ov_fn: Mapped[int] = mapped_column(default=0)


class AgreementValueTotal(db.Model):  # type: ignore[name-defined,misc]
    """A dataset's ``AgreementValue`` cells summed over its documents."""

    __tablename__ = "agreement_value_totals"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "scope", "kind", "a", "b", "value_a", "value_b"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(sa.String(8))
    kind: Mapped[str] = mapped_column(sa.String(8))
    a: Mapped[str] = mapped_column(sa.String(40))
    b: Mapped[str] = mapped_column(sa.String(40))
    value_a: Mapped[str] = mapped_column(sa.String(32))
    value_b: Mapped[str] = mapped_column(sa.String(32))
    weight: Mapped[float] = mapped_column(default=0.0)


class AgreementSet(db.Model):  # type: ignore[name-defined,misc]
    """One annotator set of a document: whose, finished or not, and its active time in whole seconds."""

    __tablename__ = "agreement_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(default=0)
    finished: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    n: Mapped[int] = mapped_column(default=1)


class AgreementSetTotal(db.Model):  # type: ignore[name-defined,misc]
    """How many sets each annotator has per (finished, active seconds): counts and a time histogram."""

    __tablename__ = "agreement_set_totals"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "user_id", "finished", "seconds"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(default=0)
    finished: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(default=0)
    n: Mapped[int] = mapped_column(default=0)


TOTALS: tuple[tuple[type, type, tuple[str, ...], tuple[str, ...]], ...] = (
    (AgreementSet, AgreementSetTotal, ("dataset_id", "user_id", "finished", "seconds"), ("n",)),
    (AgreementPair, AgreementTotal, ("dataset_id", "scope", "kind", "a", "b"), COUNT_COLUMNS),
    (AgreementLabel, AgreementLabelTotal, ("dataset_id", "scope", "a", "b", "label"), LABEL_COLUMNS),
    (AgreementValue, AgreementValueTotal, ("dataset_id", "scope", "kind", "a", "b", "value_a", "value_b"),
     ("weight",)),
)
"""(per-document table, dataset totals table, key columns, summed columns)."""

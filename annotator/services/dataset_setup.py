"""Setting a dataset up without the web: create it or change its labels, speaker labels and annotators per document."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ..checks import check_speaker_labels, check_vocabulary
from ..db import db
from ..models import AnnotationSet, Dataset, Document, EntitySpan
from ..spans import SpanError
from ..vocab import DEFAULT_POLARITIES
from .preannotation import current


def labels_in_use(dataset: Dataset, labels: Sequence[str]) -> dict[str, int]:
    """How many entities of the dataset's sets carry each of the given labels (used ones only)."""
    rows = db.session.execute(
        sa.select(EntitySpan.label, sa.func.count()).join(AnnotationSet, AnnotationSet.id == EntitySpan.set_id)
        .join(Document, Document.id == AnnotationSet.document_id)
        .where(Document.dataset_id == dataset.id, EntitySpan.label.in_(list(labels)))
        .group_by(EntitySpan.label)).all()
    return {label: count for label, count in rows}


def configure_dataset(name: str, *, annotators_per_doc: int | None = None, labels: Sequence[str] | None = None,
                      speaker_labels: Sequence[str] | None = None) -> tuple[Dataset, bool]:
    """Create the dataset or update it; return it and whether it is new. The caller commits.

    Raises SpanError naming the option when a value is bad, or when a label to drop is in use.
    """
    name = name.strip()
    if not name or len(name) > 120:
        raise SpanError("must be 1 to 120 characters", field="NAME")
    if annotators_per_doc is not None and annotators_per_doc < 1:
        raise SpanError("must be at least 1", field="--annotators-per-doc")
    wanted = check_vocabulary(labels, field="--labels") if labels is not None else None
    dataset = db.session.scalar(sa.select(Dataset).where(Dataset.name == name))
    created = dataset is None
    if dataset is None:
        pre = current()
        dataset = Dataset(name=name, entity_labels=wanted or list(pre.new_labels),
                          stance_polarities=list(DEFAULT_POLARITIES), label_map=dict(pre.label_map),
                          annotators_per_doc=1)
        db.session.add(dataset)
    elif wanted is not None:
        dropped = [label for label in dataset.entity_labels if label not in wanted]
        used = labels_in_use(dataset, dropped)
        if used:
            names = ", ".join(f"{label} ({count} entities)" for label, count in sorted(used.items()))
            raise SpanError(f"would drop labels still in use: {names}; relabel or delete those first",
                            field="--labels")
        dataset.entity_labels = wanted
    if annotators_per_doc is not None:
        dataset.annotators_per_doc = annotators_per_doc
    if speaker_labels is not None:
        dataset.speaker_labels = check_speaker_labels(speaker_labels, dataset.entity_labels, field="--speaker-labels")
    db.session.flush()
    return dataset, created

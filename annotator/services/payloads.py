"""Annotation sets as the JSON the API answers with and the pages embed."""

from __future__ import annotations

from typing import Any

from ..agreement.signatures import keyed
from ..models import AnnotationSet, Document, annotation_of
from .annotations import current_annotation


def set_payload(aset: AnnotationSet) -> dict[str, Any]:
    """A set as JSON: its state, version and the three layers."""
    return {"id": aset.id, "document_id": aset.document_id, "kind": aset.kind, "owner": aset.owner_name,
            "status": aset.status, "answer": aset.answer, "version": aset.version,
            "annotation": current_annotation(aset).to_dict()}


def gold_payload(document: Document, gold: AnnotationSet | None) -> dict[str, Any] | None:
    """The gold set as JSON, with the merge keys of its items (how the review page finds its rows)."""
    if gold is None:
        return None
    payload = set_payload(gold)
    annotation = annotation_of(gold.id)
    payload["review"] = {"in_gold": {key: item.uid for key, item in keyed(annotation, document.text).items()}}
    return payload


def stored_payload(aset: AnnotationSet) -> dict[str, Any]:
    """A set's id, version, status and its stored items (no seeding)."""
    return {"id": aset.id, "version": aset.version, "status": aset.status,
            "annotation": annotation_of(aset.id).to_dict()}

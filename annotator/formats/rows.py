"""One annotation set with its document, as every export format's writer receives it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from annotator.formats.jsonl import EntityRow
from annotator.formats.tokens import DocTokens
from annotator.spans import Annotation, Entity


@dataclass(frozen=True)
class ExportRow:
    """One annotation set with its document, ready for a format writer."""

    text: str
    meta: dict[str, Any]
    tokens: DocTokens
    answer: str
    annotator_id: str
    timestamp: int
    status: str
    document_id: int = 0
    entity_rows: list[EntityRow] = field(default_factory=list)
    layers: Annotation = field(default_factory=Annotation)  # quotes and stances; no entities

    @cached_property
    def annotation(self) -> Annotation:
        """The whole annotation; Entity objects are built only here, for formats that need them."""
        entities = [Entity(uid, start, end, label, origin)  # type: ignore[arg-type]
                    for uid, start, end, label, origin in self.entity_rows]
        return Annotation(entities, self.layers.quotes, self.layers.stances)

    @property
    def name(self) -> str:
        """How errors name this set: its document and owner."""
        return f"document {self.document_id} ({self.annotator_id})"

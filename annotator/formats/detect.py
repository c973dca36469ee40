"""Tell which format a JSONL record is in from its keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

FormatName = Literal["annotator", "prodigy", "doccano", "plain"]
PRODIGY_KEYS = ("spans", "tokens", "relations", "answer", "_input_hash", "_task_hash")


def detect_format(record: Mapping[str, Any]) -> FormatName:
    """Return "annotator", "prodigy", "doccano" or "plain" (text and meta only)."""
    if "_format_version" in record or record.get("_view_id") == "annotator" \
            or ("quotes" in record or "stances" in record) and "spans" in record:  # Prodigy has neither
        return "annotator"
    if isinstance(record.get("entities"), list) or _is_label_triples(record.get("label")):
        return "doccano"
    if any(key in record for key in PRODIGY_KEYS):
        return "prodigy"
    return "plain"


def _is_label_triples(value: object) -> bool:
    """Whether a value is doccano's older ``[[start, end, label], ...]``."""
    return isinstance(value, list) and all(
        isinstance(item, list) and len(item) == 3 and isinstance(item[2], str) for item in value)

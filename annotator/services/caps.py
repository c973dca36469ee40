"""Caps on one save, so a single client cannot hold the write lock for long or grow a set without end."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS
from ..spans import SpanError


class TooManyOps(ValueError):
    """A save with more edits than one request may carry (answered with 413)."""


def check_op_count(raw_ops: Any, limit: int) -> None:
    """Refuse a batch of more than `limit` edits before any of it is parsed or applied."""
    if isinstance(raw_ops, list) and len(raw_ops) > limit:
        raise TooManyOps(f"ops: {len(raw_ops)} edits in one save; at most {limit} are allowed, "
                         "send them in smaller batches")


def check_set_size(set_id: int, limit: int) -> None:
    """Refuse (SpanError, 422) a save that leaves a set with more than `limit` items in a layer."""
    counts = db.session.execute(sa.select(*(  # one statement for every layer
        sa.select(sa.func.count()).select_from(model).where(model.set_id == set_id).scalar_subquery()
        for model in ITEM_MODELS.values()))).one()
    for layer, count in zip(ITEM_MODELS, counts):
        if (count or 0) > limit:
            raise SpanError(f"the set would hold {count} {layer}; at most {limit} are allowed", field="ops")

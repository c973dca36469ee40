"""Bulk inserts of documents, annotation sets and items, with their new ids fetched back."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import repeat
from operator import attrgetter
from typing import Any

import orjson
import sqlalchemy as sa

from ..db import db
from ..models import ITEM_MODELS, AnnotationSet, Document
from ..spans import Annotation

SetKey = tuple[str, "int | None"]
ENTITY_FIELDS = ["uid", "start", "end", "label", "origin"]  # EntitySpan.columns(): Entity's own fields
CHUNK = 500
# The documents table with its JSON columns as text, so that orjson (not json) serialises them.
_DOCUMENTS = sa.table("documents", sa.column("id"), sa.column("dataset_id"), sa.column("text"),
                      sa.column("content_hash"), sa.column("created_at", sa.DateTime(timezone=True)),
                      sa.column("meta", sa.Text), sa.column("tokens", sa.Text))


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for offset in range(0, len(values), CHUNK):
        yield values[offset:offset + CHUNK]


def insert_documents(dataset_id: int, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert document rows; return their ids by content hash."""
    ids: dict[str, int] = {}
    insert, suffix = sa.insert(_DOCUMENTS), ""
    if db.session.get_bind().dialect.name == "postgresql":  # it refuses text for a json column
        suffix = "_raw"
        insert = insert.values(meta=sa.cast(sa.bindparam("meta_raw", type_=sa.Text), sa.JSON),
                               tokens=sa.cast(sa.bindparam("tokens_raw", type_=sa.Text), sa.JSON))
    for chunk in _chunks(rows):
        db.session.execute(insert, [_raw_json(row, suffix) for row in chunk])
        digests = [row["content_hash"] for row in chunk]
        ids.update({digest: id_ for id_, digest in db.session.execute(
            sa.select(Document.id, Document.content_hash).where(
                Document.dataset_id == dataset_id, Document.content_hash.in_(digests)))})
    return ids


def _raw_json(row: dict[str, Any], suffix: str) -> dict[str, Any]:
    out = {key: value for key, value in row.items() if key not in ("meta", "tokens")}
    out["meta" + suffix] = orjson.dumps(row["meta"]).decode()
    out["tokens" + suffix] = orjson.dumps(row["tokens"]).decode()
    return out


def update_tokens(tokens: dict[int, list[tuple[int, int]]]) -> None:
    """Store documents' tokens (by document id), one executemany."""
    if not tokens:
        return
    value = sa.bindparam("tokens_raw", type_=sa.Text)
    if db.session.get_bind().dialect.name == "postgresql":  # it refuses text for a json column
        value = sa.cast(value, sa.JSON)  # type: ignore[assignment]
    update = sa.update(_DOCUMENTS).where(_DOCUMENTS.c.id == sa.bindparam("doc_id")).values(tokens=value)
    db.session.execute(update, [{"doc_id": doc_id, "tokens_raw": orjson.dumps(pairs).decode()}
                                for doc_id, pairs in tokens.items()])


def insert_sets(rows: list[dict[str, Any]]) -> dict[tuple[int, str, int | None], int]:
    """Insert annotation set rows of new documents; return ids by (document id, kind, user id)."""
    ids: dict[tuple[int, str, int | None], int] = {}
    for chunk in _chunks(rows):
        db.session.execute(sa.insert(AnnotationSet), chunk)
        documents = list({row["document_id"] for row in chunk})
        found = db.session.execute(
            sa.select(AnnotationSet.id, AnnotationSet.document_id, AnnotationSet.kind, AnnotationSet.user_id)
            .where(AnnotationSet.document_id.in_(documents)))
        ids.update({(doc_id, kind, user_id): id_ for id_, doc_id, kind, user_id in found})
    return ids


def insert_items(annotations: Iterable[tuple[int, Annotation]]) -> None:
    """Insert the items of annotations into their (new, empty) sets, a few thousand rows at a time."""
    pending: dict[str, list[tuple[Any, ...]]] = {layer: [] for layer in ITEM_MODELS}
    names: dict[str, list[str]] = {}
    for set_id, annotation in annotations:
        for layer, model in ITEM_MODELS.items():
            values = getattr(annotation, layer)
            if not values:
                continue
            columns = list(model.columns(values[0]))
            names.setdefault(layer, ["set_id", *columns])
            pending[layer].extend(_rows(set_id, model, values, columns))
            if len(pending[layer]) >= 20 * CHUNK:
                _flush(layer, names[layer], pending)
    for layer in names:
        _flush(layer, names[layer], pending)


def _rows(set_id: int, model: Any, values: list[Any], columns: list[str]) -> Iterable[tuple[Any, ...]]:
    """Row tuples of one set's items: read attribute by attribute in C when the columns are the
    value's own fields (entities, most of an import), else through the model's columns()."""
    if columns == ENTITY_FIELDS:
        return zip(repeat(set_id), *(map(attrgetter(name), values) for name in columns))
    return ((set_id, *model.columns(value).values()) for value in values)


def _flush(layer: str, names: list[str], pending: dict[str, list[tuple[Any, ...]]]) -> None:
    """One DB-API executemany of plain tuples: SQLAlchemy's per-row parameter handling costs more."""
    if not pending[layer]:
        return
    connection = db.session.connection()
    quote = connection.dialect.identifier_preparer.quote
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(ITEM_MODELS[layer].__tablename__), ", ".join(quote(name) for name in names),
        ", ".join([mark] * len(names)))
    connection.exec_driver_sql(sql, pending[layer])
    pending[layer] = []

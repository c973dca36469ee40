"""Typed database models: users, datasets, documents, annotation sets, their items and the audit log."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .db import db
from .spans import Annotation, Entity, Quote, Span, Stance
from .vocab import (DEFAULT_POLARITIES, REVIEW_ROLES, SPEAKER_LABELS, JobStatus, Origin, QueueOrder, QuoteKind, Role,
                    Status)


def utcnow() -> datetime:
    """Timezone-aware current time."""
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    """A stored time as timezone-aware UTC (SQLite hands back naive values)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def content_hash(text: str) -> str:
    """The hash that identifies a document's text within a dataset."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A person who logs in: annotator, reviewer or admin."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), default=Role.ANNOTATOR.value)
    active: Mapped[bool] = mapped_column(default=True)
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def get_id(self) -> str:
        """The login id kept in session and remember cookies: "<id>:<session version>"."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """Invalidate every session and remember cookie of this user (logout, password change)."""
        self.session_version = User.session_version + 1  # in SQL: two bumps never collapse into one

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login refuses inactive accounts."""
        return self.active

    @property
    def can_review(self) -> bool:
        """Reviewers and admins review and adjudicate."""
        return self.role in REVIEW_ROLES

    @property
    def is_admin(self) -> bool:
        """Admins manage users, datasets and assignment."""
        return self.role == Role.ADMIN


class ApiToken(db.Model):  # type: ignore[name-defined,misc]
    """A per-user token for scripts using the JSON API; only its hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    user: Mapped[User] = relationship()

    def state(self, now: datetime | None = None) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and aware(self.expires_at) <= (now or utcnow()):
            return "expired"
        return "active"


class Throttle(db.Model):  # type: ignore[name-defined,misc]
    """Failed attempts against one key (an account name, a client address, a password change)."""

    __tablename__ = "throttles"
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    checked_at: Mapped[float] = mapped_column(sa.Float, default=0.0)
    updated_at: Mapped[float] = mapped_column(sa.Float, default=0.0)


class Dataset(db.Model):  # type: ignore[name-defined,misc]
    """A collection of documents with its label set, speaker labels, polarity set and guidelines."""

    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    entity_labels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    stance_polarities: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_POLARITIES))
    # Labels whose entities can be a quote's speaker or a stance's holder, most likely first.
    speaker_labels: Mapped[list[str]] = mapped_column(sa.JSON, default=lambda: list(SPEAKER_LABELS))
    label_map: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    annotators_per_doc: Mapped[int] = mapped_column(default=1)
    guidelines: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # The spaCy pipeline that pre-annotates: a package name or a trained version's folder; None = the default.
    spacy_model: Mapped[str | None] = mapped_column(sa.String(500))
    queue_order: Mapped[str] = mapped_column(sa.String(16), default=QueueOrder.IMPORT.value,
                                             server_default=QueueOrder.IMPORT.value)


class Document(db.Model):  # type: ignore[name-defined,misc]
    """An article; its text never changes after import."""

    __tablename__ = "documents"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "content_hash", name="uq_documents_dataset_hash"),
                      sa.Index("ix_documents_dataset_order", "dataset_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    tokens: Mapped[list[list[int]]] = mapped_column(sa.JSON, default=list, deferred=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # How unsure the pre-annotation was (0 sure .. 1 unsure); orders queues that ask for it.
    uncertainty: Mapped[float | None] = mapped_column(sa.Float)
    dataset: Mapped[Dataset] = relationship()

    @property
    def title(self) -> str:
        """A short title: meta title or the first line of the text."""
        title = self.meta.get("title") if isinstance(self.meta, dict) else None
        return str(title) if title else self.text.split("\n", 1)[0][:90]


class AnnotationSet(db.Model):  # type: ignore[name-defined,misc]
    """One version of a document's annotation: the model's, an annotator's, or the gold."""

    __tablename__ = "annotation_sets"
    __table_args__ = (
        sa.Index("ix_annotation_sets_document_user", "document_id", "user_id"),
        sa.Index("uq_annotation_sets_document_user", "document_id", "user_id", unique=True,
                 sqlite_where=sa.text("user_id IS NOT NULL"),
                 postgresql_where=sa.text("user_id IS NOT NULL")),
        sa.Index("uq_annotation_sets_document_kind", "document_id", "kind", unique=True,
                 sqlite_where=sa.text("user_id IS NULL"), postgresql_where=sa.text("user_id IS NULL")),
        sa.Index("ix_annotation_sets_user_status", "user_id", "status"),
        sa.Index("ix_annotation_sets_document_kind_status", "document_id", "kind", "status"),
        sa.Index("ix_annotation_sets_kind_status", "kind", "status", "document_id"),  # gold drafts, counted
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default=Status.NEW.value)
    answer: Mapped[str | None] = mapped_column(sa.String(8))
    seeded: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    submitted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    active_ms: Mapped[int] = mapped_column(default=0)
    last_active_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    document: Mapped[Document] = relationship()
    user: Mapped[User | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def owner_name(self) -> str:
        """The annotator's name, or "model" / "gold"."""
        return self.user.name if self.user is not None else self.kind


class EntitySpan(db.Model):  # type: ignore[name-defined,misc]
    """A labelled entity span of an annotation set."""

    __tablename__ = "entity_spans"
    __table_args__ = (sa.UniqueConstraint("set_id", "uid", name="uq_entity_spans_set_uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("annotation_sets.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(sa.String(40))
    start: Mapped[int]
    end: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(64))
    origin: Mapped[str] = mapped_column(sa.String(8), default=Origin.HUMAN.value)

    def to_value(self) -> Entity:
        """The pure value."""
        return Entity(self.uid, self.start, self.end, self.label, self.origin)  # type: ignore[arg-type]

    @staticmethod
    def columns(value: Entity) -> dict[str, Any]:
        """Column values for a pure value."""
        return {"uid": value.uid, "start": value.start, "end": value.end, "label": value.label,
                "origin": value.origin}


class QuoteItem(db.Model):  # type: ignore[name-defined,misc]
    """A quote of an annotation set: content, cue and speaker spans, speaker entity link, kind."""

    __tablename__ = "quotes"
    __table_args__ = (sa.UniqueConstraint("set_id", "uid", name="uq_quotes_set_uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("annotation_sets.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(sa.String(40))
    content_start: Mapped[int]
    content_end: Mapped[int]
    cue_start: Mapped[int | None]
    cue_end: Mapped[int | None]
    speaker_start: Mapped[int | None]
    speaker_end: Mapped[int | None]
    speaker_entity_uid: Mapped[str | None] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(10), default=QuoteKind.DIRECT.value)
    confidence: Mapped[float | None]
    origin: Mapped[str] = mapped_column(sa.String(8), default=Origin.HUMAN.value)

    def to_value(self) -> Quote:
        """The pure value."""
        return Quote(
            uid=self.uid, content=Span(self.content_start, self.content_end),
            kind=self.kind,  # type: ignore[arg-type]
            cue=_span(self.cue_start, self.cue_end), speaker=_span(self.speaker_start, self.speaker_end),
            speaker_entity=self.speaker_entity_uid, confidence=self.confidence,
            origin=self.origin,  # type: ignore[arg-type]
        )

    @staticmethod
    def columns(value: Quote) -> dict[str, Any]:
        """Column values for a pure value."""
        return {
            "uid": value.uid, "content_start": value.content.start, "content_end": value.content.end,
            "cue_start": value.cue.start if value.cue else None, "cue_end": value.cue.end if value.cue else None,
            "speaker_start": value.speaker.start if value.speaker else None,
            "speaker_end": value.speaker.end if value.speaker else None,
            "speaker_entity_uid": value.speaker_entity, "kind": value.kind,
            "confidence": value.confidence, "origin": value.origin,
        }


class StanceItem(db.Model):  # type: ignore[name-defined,misc]
    """A stance of an annotation set: holder, polarity, target entity or topic, evidence span."""

    __tablename__ = "stances"
    __table_args__ = (sa.UniqueConstraint("set_id", "uid", name="uq_stances_set_uid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("annotation_sets.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(sa.String(40))
    holder_text: Mapped[str] = mapped_column(sa.String(300), default="")
    holder_entity_uid: Mapped[str | None] = mapped_column(sa.String(40))
    target_text: Mapped[str] = mapped_column(sa.String(300), default="")
    target_entity_uid: Mapped[str | None] = mapped_column(sa.String(40))
    polarity: Mapped[str] = mapped_column(sa.String(32))
    evidence_start: Mapped[int]
    evidence_end: Mapped[int]
    confidence: Mapped[float | None]
    origin: Mapped[str] = mapped_column(sa.String(8), default=Origin.HUMAN.value)

    def to_value(self) -> Stance:
        """The pure value."""
        return Stance(
            uid=self.uid, polarity=self.polarity, evidence=Span(self.evidence_start, self.evidence_end),
            holder=self.holder_text, holder_entity=self.holder_entity_uid,
            target=self.target_text, target_entity=self.target_entity_uid,
            confidence=self.confidence, origin=self.origin,  # type: ignore[arg-type]
        )

    @staticmethod
    def columns(value: Stance) -> dict[str, Any]:
        """Column values for a pure value."""
        return {
            "uid": value.uid, "holder_text": value.holder, "holder_entity_uid": value.holder_entity,
            "target_text": value.target, "target_entity_uid": value.target_entity,
            "polarity": value.polarity, "evidence_start": value.evidence.start,
            "evidence_end": value.evidence.end, "confidence": value.confidence, "origin": value.origin,
        }


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One change to an annotation set, never updated or deleted: who, when, what, before, after."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_set_version", "set_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(sa.ForeignKey("annotation_sets.id", ondelete="CASCADE"))
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[int]
    action: Mapped[str] = mapped_column(sa.String(16))
    layer: Mapped[str | None] = mapped_column(sa.String(16))
    item_uid: Mapped[str | None] = mapped_column(sa.String(40))
    before: Mapped[Any | None] = mapped_column(sa.JSON)
    after: Mapped[Any | None] = mapped_column(sa.JSON)
    user: Mapped[User | None] = relationship()


@sa.event.listens_for(AuditEvent, "before_update")
@sa.event.listens_for(AuditEvent, "before_delete")
def _audit_is_append_only(*_args: Any) -> None:
    raise RuntimeError("the audit log is append-only")


class Job(db.Model):  # type: ignore[name-defined,misc]
    """A background job (an upload's import) and its progress."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    dataset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(16), default=JobStatus.QUEUED.value)
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    payload: Mapped[str | None] = mapped_column(sa.String(500))
    worker: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    def to_dict(self) -> dict[str, Any]:
        """JSON form for the progress bar."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "total": self.total,
                "done": self.done, "message": self.message}


class ModelVersion(db.Model):  # type: ignore[name-defined,misc]
    """A pipeline trained on a dataset's gold: where it is, what it started from, how it scored."""

    __tablename__ = "model_versions"
    __table_args__ = (sa.UniqueConstraint("dataset_id", "number", name="uq_model_versions_dataset_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    path: Mapped[str] = mapped_column(sa.String(500))
    base: Mapped[str] = mapped_column(sa.String(500))
    train_docs: Mapped[int]
    dev_docs: Mapped[int]
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    @property
    def label(self) -> str:
        """How pages and commands name it."""
        return f"v{self.number}"


class ModelEvaluation(db.Model):  # type: ignore[name-defined,misc]
    """A pipeline's scores on a dataset's reviewed gold at one moment."""

    __tablename__ = "model_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(sa.ForeignKey("datasets.id", ondelete="CASCADE"), index=True)
    model: Mapped[str] = mapped_column(sa.String(500))
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("model_versions.id", ondelete="CASCADE"))
    documents: Mapped[int]
    scores: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    version: Mapped[ModelVersion | None] = relationship()


ITEM_MODELS: dict[str, Any] = {"entities": EntitySpan, "quotes": QuoteItem, "stances": StanceItem}


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else Span(start, end)


def annotation_of(set_id: int) -> Annotation:
    """Load the three layers of an annotation set as pure values, in text order (plain rows, no ORM objects)."""
    where = [EntitySpan.set_id == set_id]
    entities = [Entity(uid, start, end, label, origin)  # type: ignore[arg-type]
                for uid, start, end, label, origin in db.session.execute(
        sa.select(EntitySpan.uid, EntitySpan.start, EntitySpan.end, EntitySpan.label, EntitySpan.origin)
        .where(*where).order_by(EntitySpan.start, EntitySpan.end))]
    quotes = [Quote(uid=r.uid, content=Span(r.content_start, r.content_end), kind=r.kind,
                    cue=_span(r.cue_start, r.cue_end), speaker=_span(r.speaker_start, r.speaker_end),
                    speaker_entity=r.speaker_entity_uid, confidence=r.confidence, origin=r.origin)
              for r in db.session.execute(sa.select(*_columns(QuoteItem)).where(QuoteItem.set_id == set_id)
                                          .order_by(QuoteItem.content_start, QuoteItem.id))]
    stances = [Stance(uid=r.uid, polarity=r.polarity, evidence=Span(r.evidence_start, r.evidence_end),
                      holder=r.holder_text, holder_entity=r.holder_entity_uid, target=r.target_text,
                      target_entity=r.target_entity_uid, confidence=r.confidence, origin=r.origin)
               for r in db.session.execute(sa.select(*_columns(StanceItem)).where(StanceItem.set_id == set_id)
                                           .order_by(StanceItem.evidence_start, StanceItem.id))]
    return Annotation(entities=entities, quotes=quotes, stances=stances)


def _columns(model: Any) -> list[Any]:
    """An item table's value columns (not its id or set), for plain-row selects."""
    return [column for column in model.__table__.c if column.name not in ("id", "set_id")]


# The stored agreement tables live in their own module; importing it here registers them with the models.
from .models_agreement import (  # noqa: E402,F401
    AgreementDocument as AgreementDocument,
    AgreementLabel as AgreementLabel,
    AgreementPair as AgreementPair,
    AgreementValue as AgreementValue,
)

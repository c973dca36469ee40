"""Slowing down password guesses: atomic failure counts per key, growing waits, never a long lock.

Every attempt is counted in the database before the password is checked (one atomic
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so parallel attempts each get their own
number. The first ``free`` attempts of a key are checked at once; after that, attempt n is only
checked once ``delay(n)`` seconds have passed since the last failed check, and only one parallel
attempt can claim that slot. A success clears the key; quiet keys are forgotten after ``window``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..db import db
from ..models import Throttle


@dataclass(frozen=True)
class Rule:
    """How many attempts are free, the first wait, the longest wait, and when a key is forgotten."""

    free: int
    base: float
    longest: float
    window: float

    def delay(self, attempt: int) -> float:
        """Seconds that must pass after the last checked attempt before attempt n is checked."""
        if attempt <= self.free:
            return 0.0
        return min(self.base * 2 ** min(attempt - self.free - 1, 30), self.longest)


def _upsert(key: str, now: float, stale: float) -> sa.Executable:
    """Count one attempt for a key atomically, returning the new count."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    table = Throttle.__table__
    insert = dialect.insert(table).values(key=key, failures=1, checked_at=0.0, updated_at=now)
    count = sa.case((table.c.updated_at < stale, 1), else_=table.c.failures + 1)
    checked = sa.case((table.c.updated_at < stale, 0.0), else_=table.c.checked_at)
    return insert.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"failures": count, "checked_at": checked, "updated_at": now},
    ).returning(table.c.failures)


def attempt(keys: list[tuple[str, Rule]]) -> bool:
    """Count an attempt on every key; True if the password may be checked now.

    Each key is counted whatever happens; the slots are claimed in order and the first refusal
    stops, so a refused address does not use up the account's slot.
    """
    now = time.time()
    with db.engine.begin() as conn:  # its own short transaction, committed before the check
        counts = [int(conn.execute(_upsert(key, now, now - rule.window)).scalar_one()) for key, rule in keys]
    return all(_claim(key, now, rule.delay(count)) for (key, rule), count in zip(keys, counts))


def _claim(key: str, now: float, delay: float) -> bool:
    """Take the one slot for a check on this key, if its wait is over (atomic)."""
    table = Throttle.__table__
    with db.engine.begin() as conn:
        if not delay:  # a free attempt: always checked; only move the clock forward
            conn.execute(sa.update(table).where(table.c.key == key, table.c.checked_at < now)
                         .values(checked_at=now))
            return True
        claimed = conn.execute(sa.update(table).where(
            table.c.key == key, table.c.checked_at <= now - delay).values(checked_at=now))
    return claimed.rowcount == 1


def failed(keys: Sequence[str]) -> None:
    """After a wrong password: the next wait runs from now (a slow check does not eat into it)."""
    table = Throttle.__table__
    now = time.time()
    with db.engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.key.in_(list(keys)), table.c.checked_at < now)
                     .values(checked_at=now))


def succeed(cleared: list[str], uncounted: Sequence[str] = ()) -> None:
    """After a correct password: forget the cleared keys, take this attempt back from the others."""
    table = Throttle.__table__
    with db.engine.begin() as conn:
        conn.execute(sa.delete(table).where(table.c.key.in_(cleared)))
        if uncounted:
            conn.execute(sa.update(table).where(table.c.key.in_(list(uncounted)), table.c.failures > 0)
                         .values(failures=table.c.failures - 1))


def failures(key: str) -> int:
    """The current count of a key (0 when unknown)."""
    return db.session.scalar(sa.select(Throttle.failures).where(Throttle.key == key)) or 0

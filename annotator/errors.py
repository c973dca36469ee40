"""The error family every layer raises and the app maps in one place (the handlers in annotator/views/__init__.py).

``InvalidInput`` names the field at fault and means HTTP 422 (or a flashed message on a page);
``Conflict`` means the stored state moved on or forbids the change: HTTP 409.
"""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input that breaks a rule, naming the field it came from."""

    status = 422

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """A change that collides with what is stored (another edit came first, or the state forbids it)."""

    status = 409

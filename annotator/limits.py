"""What one request may ask of the server: id sizes, API body size and JSON nesting.

Each limit answers with a clear 4xx instead of a traceback: ids beyond the id columns (2^31 and
up, 2^63 included) match no route (404), API bodies over API_MAX_BODY_BYTES get 413, JSON nested deeper than
MAX_JSON_DEPTH gets 400 (however deep, without exhausting the parser's recursion).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from .formats.task_fields import nesting_depth
from .security import api_request

LARGEST_ID = 2**31 - 1  # ids are INTEGER columns (32 bits on PostgreSQL): larger ones name no row


class IdConverter(IntegerConverter):
    """`<int:...>` for database ids: too large a number simply matches no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(map, *args, **kwargs)


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing documents nested deeper than MAX_JSON_DEPTH with a 400."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse, then check the nesting."""
        limit = int(self._app.config["MAX_JSON_DEPTH"])  # the provider's own app: no context needed
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            value = None
        else:
            if nesting_depth(value) <= limit:
                return value
        raise BadRequest(f"The JSON body is nested more than {limit} levels deep.")


def _cap_api_body() -> None:
    """API requests carry edits, not files: refuse big bodies before reading them."""
    if not api_request():
        return
    caps = (current_app.config["API_MAX_BODY_BYTES"], current_app.config.get("MAX_CONTENT_LENGTH"))
    cap = min(int(c) for c in caps if c)
    if request.content_length is not None and request.content_length > cap:
        abort(413, f"The request body is larger than the API limit of {cap / 1024:g} KB; "
                   "send the edits in smaller batches.")
    request.max_content_length = cap  # also for bodies sent without a length


def init_app(app: Flask) -> None:
    """Install the id converter, the JSON guard and the body cap (before blueprints register)."""
    app.url_map.converters["int"] = IdConverter
    app.json = GuardedJSONProvider(app)
    app.before_request(_cap_api_body)

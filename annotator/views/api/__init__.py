"""The JSON API: every JSON route is on this one blueprint, under /api/.

Requests to it may authenticate with an API token instead of the session (see annotator.security),
and its errors answer as JSON (see annotator.views). Its routes: annotation sets (sets), review
actions (review), agreement figures and the review state (agreement), background jobs (jobs).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import agreement, jobs, review, sets  # noqa: E402,F401  (attach their routes to bp)

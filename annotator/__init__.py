"""annotator: correct spaCy's entities, quotes and stances in news articles, as a team."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app (annotator.app): defaults, instance/config.py, ANNOTATOR_* variables, then test_config.

    Flask is imported on the first call, not with the package: the command line starts an import's
    tokenizer helper before anything heavy loads (annotator.cli.main).
    """
    from .app import create_app as build

    return build(test_config)

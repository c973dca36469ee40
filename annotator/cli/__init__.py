"""The `annotator` command (annotator.cli.group): Flask's command line for this app, with our commands."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..token_pool import TokenPool


def main() -> None:
    """The console script. `annotator import` first forks its tokenizer helper (annotator.token_pool), so
    that spaCy loads while Flask, the app and the file do; then the command line runs as usual."""
    pool = _early_token_pool(sys.argv[1:])
    from .group import run

    run(pool)


def _early_token_pool(args: list[str]) -> TokenPool | None:
    """A helper process importing spaCy at once, for `annotator import` (the command decides whether to use it)."""
    if args[:1] != ["import"] or "--help" in args:
        return None
    from ..token_pool import TokenPool

    return TokenPool(None)

"""The `annotator` command: Flask's command line for this app, with our commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command, shell_command


def _create_app() -> Flask:
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Annotate news articles: entities, quotes and stances.")
def main() -> None:
    """The console script."""


def register_commands(app: Flask) -> None:
    """Attach our commands to the app's CLI (also used by `flask --app annotator`)."""
    from .agreement import agreement_group
    from .data import demo_command, export_command, import_command
    from .serve import run_command
    from .teams import assign_command
    from .users import user

    for command in (user, import_command, export_command, demo_command, run_command, assign_command,
                    agreement_group, shell_command, routes_command):
        app.cli.add_command(command)

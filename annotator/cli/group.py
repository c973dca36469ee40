"""The `annotator` command: Flask's command line for this app, with our commands (run by annotator.cli.main)."""

from __future__ import annotations

import click
from flask import Flask, g
from flask.cli import FlaskGroup, ScriptInfo, routes_command, shell_command, with_appcontext

from ..token_pool import TokenPool

EARLY_TOKEN_POOL = "annotator.token_pool"
"""Where ScriptInfo.data holds a tokenizer helper started before the command line (annotator.cli.main)."""


def _create_app() -> Flask:
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             help="Annotate news articles: entities, quotes and stances.")
def cli() -> None:
    """The command group."""


def run(pool: TokenPool | None) -> None:
    """Run the command line, handing it a tokenizer helper started early (stopped when it ends)."""
    info = ScriptInfo(create_app=_create_app, load_dotenv_defaults=cli.load_dotenv)
    if pool is not None:
        info.data[EARLY_TOKEN_POOL] = pool
    try:
        cli.main(obj=info)
    finally:
        if pool is not None:
            pool.close()


class MigrationsGroup(click.Group):
    """`annotator db ...`: Flask-Migrate's commands, imported (with Alembic) only when one runs."""

    def _migrate_commands(self, ctx: click.Context) -> click.Group:
        from flask.cli import ScriptInfo
        from flask_migrate.cli import db as migrate_group

        from ..extensions import init_migrate

        init_migrate(ctx.ensure_object(ScriptInfo).load_app())
        return migrate_group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._migrate_commands(ctx).list_commands(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._migrate_commands(ctx).get_command(ctx, cmd_name)


def register_commands(app: Flask) -> None:
    """Attach our commands to the app's CLI (also used by `flask --app annotator`)."""
    from .agreement import agreement_group
    from .data import demo_command, export_command, import_command
    from .model import model_commands
    from .serve import run_command
    from .teams import assign_command, dataset_command
    from .users import user

    for command in (user, import_command, export_command, demo_command, run_command, assign_command,
                    dataset_command, agreement_group, shell_command, routes_command, *model_commands()):
        app.cli.add_command(command)
    app.cli.add_command(MigrationsGroup(
        "db", callback=_migrations_options, help="Database migrations (Flask-Migrate: upgrade, downgrade, ...).",
        params=[click.Option(["-d", "--directory"], help="Migration script directory."),
                click.Option(["-x", "--x-arg"], multiple=True, help="Arguments for custom env.py scripts.")]))


@with_appcontext
def _migrations_options(directory: str | None = None, x_arg: tuple[str, ...] = ()) -> None:
    """What Flask-Migrate's own `db` group records for its commands."""
    g.directory, g.x_arg = directory, x_arg

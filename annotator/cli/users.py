"""`annotator user`: manage accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from ..db import committing
from ..services.users import AccountError, create_user
from ..vocab import Role


@click.group()
def user() -> None:
    """Manage user accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice([role.value for role in Role]), default=Role.ANNOTATOR.value,
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def user_add(name: str, role: str, password_stdin: bool) -> None:
    """Add a user; prompts for the password unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with committing():
            create_user(name, password, role=role)
    except AccountError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Added {role} {name!r}.")

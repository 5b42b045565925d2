"""The users commands: who may sign in to the dashboard, with which role, for which organisations."""

from __future__ import annotations

from typing import Annotated

import typer

from equitrack.cli.common import DbOption, open_store, user_errors, who
from equitrack.console import console

users_app = typer.Typer(help="Dashboard users: add, remove, list.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, editor or viewer.")],
    org: Annotated[
        list[str],
        typer.Option(help="An organisation's ODS code, or * for the whole system; repeat."),
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            confirmation_prompt=True,
            hide_input=True,
            envvar="EQUITRACK_NEW_PASSWORD",
            help="At least 12 characters (asked if not given).",
        ),
    ],
    db: DbOption = None,
) -> None:
    """Add a user, or change an existing one's password, role and organisations."""
    from equitrack.web.users import add_user

    with user_errors(), open_store(db) as store:
        user = add_user(store, username, password, role, org, by=who())
    console.print(f"User {user.username}: {user.role} for {', '.join(user.orgs)}")


@users_app.command("remove")
def users_remove(
    username: Annotated[str, typer.Argument(help="The sign-in name.")], db: DbOption = None
) -> None:
    """Remove a user (their history stays in the store)."""
    from equitrack.web.users import remove_user

    with user_errors(), open_store(db) as store:
        remove_user(store, username, by=who())
    console.print(f"Removed {username}")


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """Every user, their role and organisations."""
    from rich.table import Table

    from equitrack.web.users import list_users

    with user_errors(), open_store(db) as store:
        found = list_users(store)
    table = Table("user", "role", "organisations", "since", title="Dashboard users")
    for u in found:
        table.add_row(u.username, str(u.role), ", ".join(u.orgs), u.recorded_at.isoformat(" "))
    console.print(table)

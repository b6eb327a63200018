"""targets (model commands join later)."""
from __future__ import annotations

import click

from workbench.commands.common import db_option, open_db


@click.group()
def targets() -> None:
    """Stance targets: what statements are for or against."""


@targets.command("add")
@click.argument("text")
@click.option("--description", default=None, help="What annotators should understand by this target.")
@db_option
def targets_add(text: str, description: str | None, db_url: str | None) -> None:
    """Add a stance target."""
    from db.engine import transaction
    from db.repository import add_target

    with transaction(open_db(db_url)) as session:
        target = add_target(session, text, description)
        click.echo(f"target {target.id}: {target.text}")


@targets.command("list")
@db_option
def targets_list(db_url: str | None) -> None:
    """List stance targets."""
    from db.engine import readonly, transaction
    from db.repository import list_targets

    with transaction(readonly(open_db(db_url))) as session:
        rows = list_targets(session)
        if not rows:
            click.echo("no targets yet: add one with `workbench targets add TEXT`")
        for target in rows:
            suffix = f" — {target.description}" if target.description else ""
            click.echo(f"{target.id}\t{target.text}{suffix}")


def register(group: click.Group) -> None:
    group.add_command(targets)

"""init, ingest, status."""
from __future__ import annotations

import json

import click

from workbench.commands.common import db_option, open_db, progress_bar


@click.command()
@db_option
def init(db_url: str | None) -> None:
    """Create the database, or upgrade it to the current schema."""
    from db.migrate import upgrade

    engine = open_db(db_url, require_current=False)
    revision = upgrade(engine)
    click.echo(f"database ready at schema revision {revision}: {engine.url.render_as_string(hide_password=True)}")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@db_option
def ingest(paths: tuple[str, ...], db_url: str | None) -> None:
    """Ingest article files and folders (.txt .md .html .jsonl), one transaction per file."""
    from sqlalchemy.exc import SQLAlchemyError

    from db.engine import transaction
    from db.errors import StorageError
    from db.repository import add_document
    from workbench.ingest import IngestError, discover, iter_inputs

    engine = open_db(db_url)
    files, failures = discover(list(paths))
    added = duplicates = 0
    with progress_bar(len(files), "ingesting") as advance:
        for path, result in iter_inputs(files):
            advance(1)
            if isinstance(result, IngestError):
                failures.append(result)
                continue
            try:
                with transaction(engine) as session:
                    new = [add_document(session, item.source, item.text, item.title, item.meta)[1] for item in result]
            except (StorageError, SQLAlchemyError) as exc:
                # this file's transaction is rolled back; the others go on (one transaction per file)
                failures.append(IngestError(path, _first_line(exc)))
                continue
            added += sum(new)
            duplicates += len(new) - sum(new)
    from db.plaintext import clean_line

    for failure in failures:
        click.echo(f"error: {clean_line(str(failure))}", err=True)
    click.echo(f"ingested {added} document(s), {duplicates} duplicate(s) skipped, {len(failures)} file(s) failed")
    if failures:
        raise SystemExit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--by", "bucket", type=click.Choice(["day", "week", "month", "all"]), default="day", show_default=True,
              help="Period of the acceptance-rate rows.")
@db_option
def status(as_json: bool, bucket: str, db_url: str | None) -> None:
    """Counts of documents, statements, targets, predictions and decisions per annotator; progress per annotator
    and target (done / assigned, flags, skips); acceptance per model."""
    from dataclasses import asdict

    from db.engine import readonly, transaction
    from db.metrics import acceptance_by_model_version
    from db.progress import progress
    from db.repository import counts

    engine = open_db(db_url)
    with transaction(readonly(engine)) as session:
        summary = counts(session)
        acceptance = acceptance_by_model_version(session, bucket)
        team = progress(session)
    summary["acceptance_by_model_version"] = [{**asdict(row), "bucket": bucket} for row in acceptance]
    summary.update({"assignment_plans": team["plans"], "progress_per_target": team["per_target"],
                    "progress_per_annotator": team["per_annotator"], "progress": team["per_annotator_target"]})
    if as_json:
        click.echo(json.dumps(summary))
        return
    from rich.console import Console
    from rich import box
    from rich.table import Column, Table

    from workbench.plain import plain

    console = Console()
    table = Table(title="workbench status", show_header=False)
    for key in ("documents", "statements", "targets", "predictions", "annotators", "decisions"):
        table.add_row(key, str(summary[key]))
    for name, n in summary["decisions_per_annotator"].items():
        table.add_row(plain(f"  labels by {name}"), str(n))
    for row in summary["predictions_per_model"]:
        precision = f" ({row['precision']})" if row["precision"] else ""
        table.add_row(plain(f"  {row['task']} by {row['model']} {row['version']}{precision}"), str(row["count"]))
    console.print(table)
    from workbench.commands.team_cmds import print_progress

    print_progress(console, team)
    if not acceptance:
        console.print("suggestions accepted as is: no labelled item with a model suggestion shown yet")
        return
    # real model names are ~21 characters: no vertical rules, and each count with its rate in one
    # cell, so that a row stays whole in an 80-column terminal
    whole = {"no_wrap": True}
    rates = Table(Column("model", **whole), Column("version", **whole), Column(bucket, **whole),
                  Column("shown", justify="right", **whole), Column("as is", justify="right", **whole),
                  Column("kept", justify="right", **whole), box=box.SIMPLE_HEAD,
                  title="suggestions accepted as is, per model version",
                  caption="as is: the whole item accepted (Enter); kept: this model's own label left unchanged")
    for row in acceptance:
        rates.add_row(plain(row.model_name), plain(row.model_version), row.period, str(row.shown),
                      f"{row.accepted} {_percent(row.rate)}", f"{row.kept} {_percent(row.kept_rate)}")
    console.print(rates)


def _first_line(exc: BaseException) -> str:
    """A database driver's message is several lines with SQL; its first line says what was wrong."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def register(group: click.Group) -> None:
    for command in (init, ingest, status):
        group.add_command(command)

"""extract, statements."""
from __future__ import annotations

import csv
import json
import sys

import click

from workbench.commands.common import db_option, open_db, progress_bar

STATEMENT_COLUMNS = ("doc", "start", "end", "text", "speaker", "speaker_role", "speaker_type", "kind", "cue",
                     "speaker_id")


@click.command()
@click.option("--redo", is_flag=True, help="Recompute statements for every document, not only new ones.")
@db_option
def extract(redo: bool, db_url: str | None) -> None:
    """Find the quoted and reported statements in ingested documents."""
    from db.engine import transaction
    from db.repository import StatementFields, documents_for_extraction, replace_statements
    from workbench.extract import EXTRACTOR_VERSION, extract as find_statements

    engine = open_db(db_url)
    with transaction(engine) as session:
        doc_ids = [d.id for d in documents_for_extraction(session, redo=redo)]
    added = removed = 0
    with progress_bar(len(doc_ids), "extracting") as advance:
        for doc_id in doc_ids:
            with transaction(engine) as session:
                from db.schema import Document

                document = session.get(Document, doc_id)
                found = [StatementFields(s.start, s.end, s.text, s.speaker, s.speaker_role, s.speaker_type,
                                         s.kind, s.cue, s.speaker_id) for s in find_statements(document.text)]
                a, r = replace_statements(session, document, found, EXTRACTOR_VERSION)
                added, removed = added + a, removed + r
            advance(1)
    click.echo(f"extracted from {len(doc_ids)} document(s): {added} statement(s) added, {removed} removed")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of stdout.")
@db_option
def statements(fmt: str, out_path: str | None, db_url: str | None) -> None:
    """Print every stored statement (offsets index the document text as ingested)."""
    engine = open_db(db_url)
    if out_path:
        from workbench.output import atomic_file

        # refuses the database's own path before anything is read; appears whole or not at all
        with atomic_file(out_path, engine, newline="") as out:
            _write_statements(engine, fmt, out)
    else:
        _write_statements(engine, fmt, sys.stdout)


def _write_statements(engine, fmt: str, out) -> None:
    from db.engine import readonly, transaction
    from db.repository import iter_statements

    writer = csv.DictWriter(out, fieldnames=STATEMENT_COLUMNS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    with transaction(readonly(engine)) as session:
        for stmt, doc in iter_statements(session):
            row = {"doc": doc.source, "start": stmt.start, "end": stmt.end, "text": stmt.text,
                   "speaker": stmt.speaker, "speaker_role": stmt.speaker_role,
                   "speaker_type": stmt.speaker_type, "kind": stmt.kind, "cue": stmt.cue,
                   "speaker_id": stmt.speaker_id}
            if writer:
                writer.writerow(row)
            else:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def register(group: click.Group) -> None:
    for command in (extract, statements):
        group.add_command(command)

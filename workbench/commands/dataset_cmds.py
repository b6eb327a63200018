"""export, import, merge, agreement, adjudicate, review."""
from __future__ import annotations

import json

import click

from vocabulary import TASKS
from workbench.commands.common import db_option, open_db, progress_bar, run_app

TASK_CHOICE = click.Choice(list(TASKS))


def _tasks(task: str | None) -> tuple[str, ...]:
    return (task,) if task else TASKS


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet", "hf"]), default="jsonl",
              show_default=True, help="hf writes a folder: a datasets.DatasetDict per task (OUT/stance, "
                                      "OUT/sentiment) and a dataset card OUT/README.md.")
@click.argument("out", type=click.Path(dir_okay=True, writable=True))
@click.option("--gold-only", is_flag=True, help="Only items with an adjudicated gold label.")
@click.option("--task", type=TASK_CHOICE, default=None, help="One task only (default: both).")
@click.option("--with-documents", is_flag=True, help="Add each row's document title, url and published date.")
@click.option("--split-by", type=click.Choice(["document"]), default=None,
              help="hf: a train and a test split, no document in both (stable: by a hash of the document).")
@click.option("--test", "test_fraction", type=click.FloatRange(0.0, 1.0, min_open=True, max_open=True), default=None,
              help="hf with --split-by: the share of documents in the test split [default: 0.2].")
@click.option("--licence", default=None, metavar="TEXT",
              help="hf: the source documents' licences, for the dataset card (default: unspecified).")
@db_option
def export_cmd(fmt: str, out: str, gold_only: bool, task: str | None, with_documents: bool, split_by: str | None,
               test_fraction: float | None, licence: str | None, db_url: str | None) -> None:
    """Export one row per (statement, target) with every annotator's current label.

    Sentiment rows have no target. The JSONL export imports back losslessly with
    `workbench import`.
    """
    import time

    from workbench.errors import WorkbenchError
    from workbench.export import export

    if fmt != "hf" and (split_by or test_fraction is not None or licence is not None):
        raise WorkbenchError("--split-by, --test and --licence are for --format hf")
    if test_fraction is not None and split_by is None:
        raise WorkbenchError("--test needs --split-by document")
    if split_by and test_fraction is None:
        test_fraction = 0.2
    engine = open_db(db_url)
    command = _export_command(fmt, out, gold_only, task, with_documents, split_by, test_fraction, licence, db_url)
    summary: dict = {}
    started = time.perf_counter()
    with progress_bar(0, "exporting") as advance:
        n = export(engine, fmt, out, _tasks(task), gold_only, on_row=advance, with_documents=with_documents,
                   test_fraction=test_fraction, licence=licence, command=command, summary=summary)
    click.echo(f"exported {n} row(s) to {out} ({fmt}) in {time.perf_counter() - started:.2f}s")
    if summary.get("sentiment_conflicts"):
        click.echo(f"warning: {summary['sentiment_conflicts']} statement(s) have a sentiment an annotator gave "
                   f"differently under two targets: not resolved, see the sentiment_conflict column", err=True)


def _export_command(fmt, out, gold_only, task, with_documents, split_by, test_fraction, licence, db_url) -> str:
    """The command line that makes this export (canonical option order; the database URL without its password)."""
    import shlex

    from sqlalchemy.engine import make_url

    args = ["workbench", "export", "--format", fmt, out]
    args += ["--task", task] if task else []
    args += ["--gold-only"] if gold_only else []
    args += ["--with-documents"] if with_documents else []
    args += ["--split-by", split_by, "--test", f"{test_fraction:g}"] if split_by else []
    args += ["--licence", licence] if licence is not None else []
    if db_url:
        try:
            db_url = make_url(db_url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - open_db already accepted it; never print a password
            db_url = "…"
        args += ["--db", db_url]
    return " ".join(shlex.quote(a) for a in args)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
def import_cmd(file: str, db_url: str | None) -> None:
    """Import decisions from JSONL (minimal lines or export rows), all or nothing."""
    from workbench.importer import import_jsonl

    click.echo(import_jsonl(open_db(db_url), file).report())


@click.command("merge")
@click.argument("other_db_url")
@db_option
def merge_cmd(other_db_url: str, db_url: str | None) -> None:
    """Copy another database's decisions and adjudications in (idempotent)."""
    from workbench.merge import merge_databases

    local = open_db(db_url)
    other = open_db(other_db_url)
    s = merge_databases(local, other)
    click.echo(f"merged: {s.decisions_added} decision(s) added ({s.decisions_present} already here), "
               f"{s.adjudications_added} adjudication(s) added ({s.adjudications_present} already here), "
               f"{s.predictions_added} prediction(s), {s.targets_added} target(s) added")


@click.command("agreement")
@click.option("--task", type=TASK_CHOICE, default=None, help="One task only (default: both).")
@click.option("--target", default=None, help="Only stance items with this target text.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--html", "html_out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Also write a self-contained HTML report with heatmaps.")
@click.option("--bootstrap", default=1000, show_default=True, type=click.IntRange(0, 100_000),
              help="Bootstrap replicates for the 95% confidence intervals (0: none).")
@db_option
def agreement_cmd(task: str | None, target: str | None, as_json: bool, html_out: str | None, bootstrap: int,
                  db_url: str | None) -> None:
    """Inter-annotator agreement over every item with at least two annotators."""
    from db.engine import readonly, transaction
    from db.repository import find_target
    from workbench.agreement import agreement_report

    engine = open_db(db_url)
    if html_out:
        from workbench.output import check_output

        check_output(html_out, engine)  # before the report is computed: never the database itself
    with transaction(readonly(engine)) as session:
        if target is not None:
            target = find_target(session, target).text
        report = agreement_report(session, _tasks(task), target, bootstrap)
    if html_out:
        from workbench.agreement.html import render_html
        from workbench.output import atomic_file

        with atomic_file(html_out, engine) as fh:
            fh.write(render_html(report))
    if as_json:
        click.echo(json.dumps(report))
        return
    from rich.console import Console

    from workbench.agreement.report import render
    from workbench.plain import plain

    console = Console()
    render(report, console)
    if html_out:
        console.print(plain(f"HTML report written to {html_out}"))


def _adjudication_filters(command):
    """The annotation queue's filters (one definition: annotate_cmds.filter_options), less --all-pairs:
    relatedness does not gate items that were annotated already."""
    from workbench.commands.annotate_cmds import filter_options

    command = filter_options(command)
    command.__click_params__ = [p for p in command.__click_params__ if p.name != "all_pairs"]
    return command


def _run_adjudication(mode: str, name: str, task: str, include_flagged: bool, target: str | None,
                      document: str | None, speaker: str | None, speaker_type: str | None, label: str | None,
                      max_confidence: float | None, db_url: str | None) -> None:
    from db.engine import readonly, transaction
    from db.repository import annotator_name, find_target
    from workbench.commands.annotate_cmds import make_filters
    from workbench.errors import WorkbenchError
    from workbench.tui.adjudicate_app import AdjudicateApp
    from workbench.tui.adjudicate_backend import AdjudicationBackend
    from workbench.tui.keymap import KeymapError, load_keymap

    name = annotator_name(name)  # before the screen opens: '' was accepted and failed on the first save
    if target is not None and task != "stance":
        raise WorkbenchError("--target applies to stance only (sentiment belongs to the statement)")
    filters = make_filters(False, document, speaker, speaker_type, label, max_confidence)
    if label is not None and task == "sentiment":
        from db.queue import label_task

        if label_task(label)[0] == "stance":
            raise WorkbenchError(f"--label {label} is a stance label; with --task sentiment use positive, "
                                 "negative or sentiment:neutral")
    try:
        keymap = load_keymap()
    except KeymapError as exc:
        raise WorkbenchError(str(exc)) from None
    engine = open_db(db_url)
    if target is not None:
        with transaction(readonly(engine)) as session:
            find_target(session, target)  # a clear error before the screen opens
    backend = AdjudicationBackend(engine, name, task, mode=mode, include_flagged=include_flagged, filters=filters,
                                  target=target)
    run_app(AdjudicateApp(backend, keymap=keymap))


@click.command("adjudicate")
@click.option("--annotator", "name", required=True, help="Your name (the adjudicator): gold labels are recorded "
                                                         "under it.")
@click.option("--task", type=TASK_CHOICE, default="stance", show_default=True)
@click.option("--include-flagged", is_flag=True, help="Also queue items an annotator flagged.")
@click.option("--target", default=None, metavar="TEXT|ID", help="One stance target only (default: all).")
@_adjudication_filters
@db_option
def adjudicate_cmd(name: str, task: str, include_flagged: bool, target: str | None, document: str | None,
                   speaker: str | None, speaker_type: str | None, label: str | None, max_confidence: float | None,
                   db_url: str | None) -> None:
    """Choose gold labels where annotators disagree (a terminal UI; press ? inside for keys)."""
    _run_adjudication("adjudicate", name, task, include_flagged, target, document, speaker, speaker_type, label,
                      max_confidence, db_url)


@click.command("review")
@click.option("--annotator", "name", required=True, help="Your name (the lead): gold labels you confirm or set "
                                                         "are recorded under it, as in adjudicate.")
@click.option("--task", type=TASK_CHOICE, default="stance", show_default=True)
@click.option("--target", default=None, metavar="TEXT|ID", help="One stance target only (default: all).")
@_adjudication_filters
@db_option
def review_cmd(name: str, task: str, target: str | None, document: str | None, speaker: str | None,
               speaker_type: str | None, label: str | None, max_confidence: float | None, db_url: str | None) -> None:
    """Review any annotated item: every annotator's labels, the model, the context; confirm or set gold."""
    _run_adjudication("review", name, task, True, target, document, speaker, speaker_type, label, max_confidence,
                      db_url)


def register(group: click.Group) -> None:
    for command in (export_cmd, import_cmd, merge_cmd, agreement_cmd, adjudicate_cmd, review_cmd):
        group.add_command(command)

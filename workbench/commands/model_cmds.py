"""targets, prelabel, evaluate."""
from __future__ import annotations

import click

from vocabulary import RELATEDNESS_TASK, TASKS
from workbench.commands.common import db_option, open_db, progress_bar


@click.group()
def targets() -> None:
    """Stance targets: what statements are for or against."""


@targets.command("add")
@click.argument("text")
@click.option("--description", default=None, help="What annotators should understand by this target (shown under it).")
@click.option("--alias", "aliases", multiple=True, metavar="KEYWORD",
              help="Another name or keyword (repeatable): a statement whose paragraph contains it is always queued.")
@click.option("--documents", default=None, metavar="GLOB",
              help="Annotate this target only in documents whose name matches GLOB (e.g. 'izvestia-*').")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Relatedness score a pair needs to be queued (default: the gate's, chosen on dev for 95 % "
                   "recall; 0 queues every pair).")
@db_option
def targets_add(text: str, description: str | None, aliases: tuple[str, ...], documents: str | None,
                threshold: float | None, db_url: str | None) -> None:
    """Add a stance target."""
    from db.engine import transaction
    from db.plaintext import clean_line
    from db.repository import add_target

    with transaction(open_db(db_url)) as session:
        target = add_target(session, text, description, aliases=aliases, documents=documents, threshold=threshold)
        click.echo(f"target {target.id}: {clean_line(target.text)}")


@targets.command("list")
@db_option
def targets_list(db_url: str | None) -> None:
    """List stance targets."""
    from db.engine import readonly, transaction
    from db.plaintext import clean_line
    from db.repository import list_targets

    with transaction(readonly(open_db(db_url))) as session:
        rows = list_targets(session)
        if not rows:
            click.echo("no targets yet: add one with `workbench targets add TEXT`")
        for target in rows:
            suffix = f" — {target.description}" if target.description else ""
            click.echo(f"{target.id}\t{clean_line(target.text + suffix)}")
            scope = [f"aliases: {', '.join(target.aliases)}" if target.aliases else "",
                     f"documents: {target.documents}" if target.documents else "",
                     f"threshold: {target.threshold:g}" if target.threshold is not None else ""]
            if any(scope):
                click.echo("\t" + clean_line("; ".join(part for part in scope if part)))


@click.command()
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 4096))
@db_option
def prelabel(batch_size: int, db_url: str | None) -> None:
    """Predict sentiment for every statement, stance toward every target and how related each pair is."""
    from workbench.modelstore import models_dir_for
    from workbench.prelabel import LOADING_MODELS, load_classifiers, load_gate, pending, pending_relatedness
    from workbench.prelabel import prelabel as run_prelabel, prelabel_relatedness

    engine = open_db(db_url)
    click.echo(LOADING_MODELS, err=True)
    gate = load_gate(models_dir_for(engine))
    classifiers = load_classifiers(models_dir_for(engine))
    pairs = pending_relatedness(engine, gate)
    with progress_bar(len(pairs), "relatedness") as advance:
        related = prelabel_relatedness(engine, gate, pairs, on_progress=advance)
    total = sum(len(items) for items in pending(engine, classifiers).values())
    with progress_bar(total, "pre-labelling") as advance:
        written = run_prelabel(engine, classifiers, batch_size=batch_size, on_progress=advance)
    versions = ", ".join(f"{task}: {clf.name} {clf.version}" for task, clf in classifiers.items())
    click.echo(f"pre-labelled {written.get('sentiment', 0)} sentiment and {written.get('stance', 0)} stance "
               f"item(s) with {versions}; scored {related} pair(s) for relatedness with {gate.name} {gate.version}")


@click.command()
@click.option("--task", type=click.Choice([*TASKS, RELATEDNESS_TASK, "extraction"]), required=True)
@click.option("--format", "fmt", type=click.Choice(["newsmtsc", "vast", "semeval", "news", "csv"]), default=None,
              help="news: CSV with text, target, label favor/against/none (GWSD, Emergent); "
                   "csv (relatedness): text, target, related 1/0. Not for --task extraction.")
@click.argument("path", type=click.Path(), required=False)
@click.option("--split", default=None, help="semeval: which split (e.g. val, train).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--batch-size", default=64, show_default=True, type=click.IntRange(1, 4096))
@click.option("--model", "model_path", default=None, type=click.Path(), help="A model folder (default: shipped).")
@db_option
def evaluate(task: str, fmt: str | None, path: str | None, split: str | None, as_json: bool, batch_size: int,
             model_path: str | None, db_url: str | None) -> None:
    """Score a model on a labelled file: macro-F1, per-class P/R/F1, confusion matrix (relatedness: recall of
    related pairs, share of unrelated ones kept out at the default threshold, AUC). --task extraction reads no
    file: the extractor's precision, span and speaker accuracy as annotators' corrections in the database
    measure them, per extractor version."""
    import json

    from workbench.errors import WorkbenchError

    if task == "extraction":
        if fmt is not None or path is not None:
            raise WorkbenchError("--task extraction reads the database's corrections, no file (leave out --format and PATH)")
        _evaluate_extraction(db_url, as_json)
        return
    if fmt is None or path is None:
        raise WorkbenchError(f"--task {task} needs --format and a PATH")
    from models.evaluate import evaluate_examples, read_examples

    if task == "relatedness" and fmt != "csv":
        raise WorkbenchError("--task relatedness reads --format csv (text, target, related)")
    if task == "relatedness":
        _evaluate_relatedness(path, as_json, model_path)
        return
    expected = {"newsmtsc": "sentiment", "vast": "stance", "semeval": "stance", "news": "stance", "csv": "stance"}[fmt]
    if task != expected:
        raise WorkbenchError(f"--format {fmt} holds {expected} labels, not {task}")
    if fmt == "semeval" and not split:
        raise WorkbenchError("--format semeval needs --split (e.g. --split val)")
    # the file is read (and a bad one refused) before the model loads
    examples = read_examples(task, fmt, path, split)
    with progress_bar(len(examples), "evaluating") as advance:
        report = evaluate_examples(task, fmt, examples, batch_size=batch_size, model_path=model_path,
                                   on_progress=advance)
    if as_json:
        click.echo(json.dumps(report))
        return
    _print_report(task, fmt, report)


def _evaluate_extraction(db_url: str | None, as_json: bool) -> None:
    import json

    from db.corrections import extraction_quality
    from db.engine import readonly

    engine = open_db(db_url)
    with readonly(engine).connect() as conn:  # read only: never takes the write lock
        report = extraction_quality(conn)
    if as_json:
        click.echo(json.dumps(report))
        return

    def share(value) -> str:
        return "—" if value is None else f"{value:.3f}"
    click.echo(f"extraction, as annotators' corrections measure it ({report['n_added']} statement(s) added by hand):")
    rows = list(report["by_version"].items()) + ([("all", report["overall"])] if len(report["by_version"]) > 1 else [])
    if not rows:
        click.echo("  no statement reviewed yet")
    for version, m in rows:
        click.echo(f"  {version}: reviewed {m['n_reviewed']}  precision {share(m['precision'])} "
                   f"({m['n_not_statement']} not a statement)  span accuracy {share(m['span_accuracy'])} "
                   f"({m['n_span_fixed']} fixed)  speaker accuracy {share(m['speaker_accuracy'])} "
                   f"({m['n_speaker_fixed']} fixed)")


def _evaluate_relatedness(path: str, as_json: bool, model_path: str | None) -> None:
    import json

    from models.relatedness_gate import evaluate_csv, load_gate, read_relatedness_csv

    n = len(read_relatedness_csv(path)[0])  # a bad file is refused before the model loads
    gate = load_gate(model_path)
    with progress_bar(n, "evaluating") as advance:
        report = evaluate_csv(path, gate, on_progress=advance)
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"relatedness on {path}: n={report['n']}  recall_related={report['recall_related']:.3f}  "
               f"filtered_unrelated={report['filtered_unrelated']:.3f}  auc={report['auc']:.3f}  "
               f"(threshold {report['threshold']:g}, {report['model']})")


def _print_report(task: str, fmt: str, report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    summary = f"{task} on {fmt}: n={report['n']}  macro-F1={report['macro_f1']:.3f}"
    if "f_avg" in report:
        summary += f"  F_avg={report['f_avg']:.3f}"
    console.print(summary)
    for name, part in report.get("subsets", {}).items():
        console.print(f"  {name}: n={part['n']}  macro-F1={part['macro_f1']:.3f}")
    per_class = Table("label", "precision", "recall", "F1", "support")
    for label, row in report["per_class"].items():
        per_class.add_row(label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}",
                          str(row["support"]))
    console.print(per_class)
    labels = report["confusion"]["labels"]
    confusion = Table("gold \\ predicted", *labels)
    for label, counts in zip(labels, report["confusion"]["matrix"]):
        confusion.add_row(label, *(str(c) for c in counts))
    console.print(confusion)


def register(group: click.Group) -> None:
    for command in (targets, prelabel, evaluate):
        group.add_command(command)

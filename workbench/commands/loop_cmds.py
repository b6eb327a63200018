"""train, models list, models use: the model in the annotation loop."""
from __future__ import annotations

import json

import click

from vocabulary import RELATEDNESS_TASK, TASKS
from workbench.commands.common import db_option, open_db

TASK_CHOICE = click.Choice([*TASKS, RELATEDNESS_TASK])


def _engine_for_models(db_url: str | None):
    """An engine only to locate the models folder next to the database (no connection, no schema check)."""
    from db.engine import make_engine

    return make_engine(db_url)


def _dev_summary(dev_metrics: dict) -> str:
    parts = []
    for name, report in (dev_metrics or {}).items():
        if isinstance(report, dict) and "macro_f1" in report:
            parts.append(f"{name} macro-F1 {report['macro_f1']:.3f} (n={report.get('n', '?')})")
        elif isinstance(report, dict) and "recall_related" in report:  # a relatedness gate
            parts.append(f"{name} recall {_score(report['recall_related'])} / filtered "
                         f"{_score(report.get('filtered_unrelated'))} (n={report.get('n', '?')})")
    return "; ".join(parts) or "—"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


@click.command()
@click.option("--task", type=TASK_CHOICE, required=True, help="Which model to fine-tune (relatedness: refit the gate).")
@click.option("--target", default=None, metavar="TEXT", help="Stance: train on this target's items only (text or id).")
@click.option("--seed", default=13, show_default=True, type=int)
@click.option("--epochs", default=None, type=click.IntRange(1, 100), help="Default: more passes for fewer examples.")
@click.option("--activate", "force_activate", is_flag=True,
              help="Make the new version active even when it does not beat its parent on the held-back items.")
@click.option("--no-activate", "no_activate", is_flag=True, help="Save the new version without making it active.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def train(task: str, target: str | None, seed: int, epochs: int | None, force_activate: bool, no_activate: bool,
          as_json: bool, db_url: str | None) -> None:
    """Fine-tune the active model version on the decisions in the database; save a new version.

    The new version becomes active only when its held-back macro-F1 beats its parent's on the
    same items (both are printed), unless --activate (always) or --no-activate (never).
    --task relatedness refits the relatedness gate on the annotators' verdicts (a stance label:
    related; "not about this target": unrelated) mixed with its shipped pairs; it is compared on
    held-back recall of related pairs (up to 0.95), then the share of unrelated ones kept out.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workbench.modelstore import models_dir_for
    from workbench.training import train_from_decisions

    from workbench.errors import WorkbenchError

    if force_activate and no_activate:
        raise WorkbenchError("--activate and --no-activate contradict each other: give one or neither")
    activate = True if force_activate else False if no_activate else None
    if task == "relatedness":
        if target is not None or epochs is not None:
            raise WorkbenchError("--target and --epochs apply to stance and sentiment; --task relatedness refits "
                                 "the gate on every target's verdicts")
        from workbench.commands.relatedness_train_cmd import train_relatedness_command

        train_relatedness_command(open_db(db_url), seed, activate, as_json)
        return
    engine = open_db(db_url)
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[note]}"), console=console, disable=not console.is_terminal) as bar:
        bar_task = bar.add_task(f"fine-tuning {task}", total=None, note="loading")

        def progress(done: int, total: int, message: str) -> None:
            bar.update(bar_task, completed=done, total=total, note=message)

        result = train_from_decisions(engine, task, target=target, models_dir=models_dir_for(engine), seed=seed,
                                      epochs=epochs, progress=progress, activate=activate)
    if as_json:
        click.echo(json.dumps(result))
        return
    sources = result["sources"]
    made = ", ".join(f"{n} {k}" for k, n in sources.items() if n and k != "tied_skipped") or "none"
    tied = f"; {sources['tied_skipped']} tied item(s) left out" if sources["tied_skipped"] else ""
    if result["not_a_statement_skipped"]:
        tied += f"; {result['not_a_statement_skipped']} item(s) flagged not a statement left out"
    scope = f" for target {result['target']!r}" if result["target"] else ""
    click.echo(f"trained {result['name']} {result['version']}{scope} from parent {result['parent']}"
               f"{' (shipped)' if result['parent_shipped'] else ''}")
    click.echo(f"  examples: {result['n_examples']} ({made}{tied}); {result['n_train']} trained on, "
               f"{result['n_dev']} held back; {result['epochs']} epochs in {result['seconds']} s")
    click.echo(f"  dev: {_dev_summary(result['dev_metrics'])}")
    activation = result["activation"]
    click.echo(f"  held-back {activation['metric']} on the same {result['n_dev']} item(s): new "
               f"{_score(activation['new'])}, parent {result['parent']} {_score(activation['parent'])}")
    click.echo(f"  {activation['reason']}")
    click.echo(f"  training set sha256 {result['training_set_sha256'][:12]}…; saved to {result['path']}")
    if result["activated"]:
        click.echo(f"  active {task} model is now {result['version']} (`workbench prelabel` uses it; "
                   f"`workbench models use {result['parent']} --task {task}` to go back)")
    else:
        click.echo(f"  active {task} model stays {result['parent']}: `workbench models use {result['version']} "
                   f"--task {task}` to use the new one")


@click.group()
def models() -> None:
    """Model versions: the shipped ones and those fine-tuned from decisions."""


@models.command("list")
@click.option("--task", type=TASK_CHOICE, default=None, help="Only this task's versions.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
@db_option
def models_list(task: str | None, as_json: bool, db_url: str | None) -> None:
    """List model versions (task, version, parent, created, dev metrics; * active, shipped marked)."""
    from models.registry import list_versions
    from workbench.modelstore import models_dir_for

    store = models_dir_for(_engine_for_models(db_url))
    rows = [e for e in list_versions(store) if task is None or e["task"] == task]
    if as_json:
        click.echo(json.dumps(rows))
        return
    if not rows:
        click.echo(f"no model versions: the shipped weights are missing and {store} holds none")
        return
    from rich.console import Console
    from rich.table import Table

    from workbench.plain import plain

    # a folder named "[x]" or a hand-edited version string would otherwise be read as markup
    table = Table("", "task", "version", "parent", "created", "dev metrics", "", title=plain(f"models ({store})"))
    for e in rows:
        table.add_row("*" if e["active"] else "", e["task"], plain(e["version"]), plain(e["parent"] or "—"),
                      plain(e["created"] or "—"),
                      _dev_summary(e["dev_metrics"]), "shipped" if e["shipped"] else "")
    console = Console()
    (console if console.is_terminal else Console(width=200)).print(table)
    click.echo("* = active (used by `workbench prelabel`)")


@models.command("use")
@click.argument("version")
@click.option("--task", type=TASK_CHOICE, default=None, help="Needed when both tasks have this version.")
@db_option
def models_use(version: str, task: str | None, db_url: str | None) -> None:
    """Make VERSION the active model of its task."""
    from models.registry import list_versions, set_active
    from workbench.errors import WorkbenchError
    from workbench.modelstore import models_dir_for

    store = models_dir_for(_engine_for_models(db_url))
    tasks = sorted({e["task"] for e in list_versions(store) if e["version"] == version
                    and (task is None or e["task"] == task)})
    if not tasks:
        scope = f"{task} " if task else ""
        raise WorkbenchError(f"no {scope}model version {version!r} (see `workbench models list`)")
    if len(tasks) > 1:
        raise WorkbenchError(f"version {version!r} exists for {' and '.join(tasks)}: pass --task")
    set_active(store, tasks[0], version)
    click.echo(f"active {tasks[0]} model is now {version}")


def register(group: click.Group) -> None:
    for command in (train, models):
        group.add_command(command)

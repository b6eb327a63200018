"""`workbench train --task relatedness`: run the refit and print what it did (loop_cmds.train dispatches here)."""
from __future__ import annotations

import json

import click


def _num(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _pair(m: dict) -> str:
    return f"recall_related {_num(m.get('recall_related'))}, filtered_unrelated {_num(m.get('filtered_unrelated'))}"


def train_relatedness_command(engine, seed: int, activate: bool | None, as_json: bool) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workbench.modelstore import models_dir_for
    from workbench.relatedness_training import train_relatedness

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[note]}"), console=console, disable=not console.is_terminal) as bar:
        bar_task = bar.add_task("refitting relatedness", total=None, note="loading the gate")

        def progress(done: int, total: int, message: str) -> None:
            bar.update(bar_task, completed=done, total=total, note=message)

        result = train_relatedness(engine, models_dir_for(engine), seed=seed, progress=progress, activate=activate)
    if as_json:
        click.echo(json.dumps(result))
        return
    left_out = "".join(f"; {n} {what} left out" for n, what in (
        (result["tied_skipped"], "tied pair(s)"),
        (result["not_a_statement_skipped"], "pair(s) of statements flagged not a statement")) if n)
    click.echo(f"refitted {result['name']} {result['version']} from parent {result['parent']}"
               f"{' (shipped)' if result['parent_shipped'] else ''}")
    click.echo(f"  verdicts: {result['n_examples']} pair(s) ({result['related']} related: a stance label, "
               f"{result['not_about']} not about the target{left_out}); {result['n_train']} fitted with "
               f"{result['anchor_pairs']} shipped pairs (a verdict counts as {result['verdict_weight']:g}), "
               f"{result['n_dev']} held back; {result['seconds']} s")
    new, parent = result["dev_metrics"], result["parent_dev_metrics"]
    click.echo(f"  held-back verdicts (n={new['heldback'].get('n', 0)}): new {_pair(new['heldback'])}; "
               f"parent {result['parent']} {_pair(parent['heldback'])}")
    click.echo(f"  shipped dev pairs (n={new['shipped_dev'].get('n', 0)}): new {_pair(new['shipped_dev'])}; "
               f"parent {_pair(parent['shipped_dev'])}")
    per_target = "; ".join(f"{t!r} {v:g}" for t, v in result["target_thresholds"].items()) or "none"
    click.echo(f"  threshold {result['parent_threshold']:g} -> {result['threshold']:g}; raised for targets: "
               f"{per_target}")
    click.echo(f"  {result['activation']['reason']}")
    click.echo(f"  saved to {result['path']}")
    if result["activated"]:
        click.echo(f"  active relatedness gate is now {result['version']}: `workbench prelabel` scores the pairs "
                   f"with it (the queue reads the newest score); `workbench models use {result['parent']} --task "
                   f"relatedness` to go back")
    else:
        click.echo(f"  active relatedness gate stays {result['parent']}: `workbench models use {result['version']} "
                   f"--task relatedness` to use the new one")

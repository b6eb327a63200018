"""assign: share items out among annotators with a controlled overlap; the progress part of `status`."""
from __future__ import annotations

import json

import click

from workbench.commands.common import db_option, open_db


@click.command("assign")
@click.option("--annotators", default=None, metavar="A,B,C",
              help="Who annotates, comma-separated (new names are fine). Left out: share out the items added "
                   "since the last run under the stored plan(s).")
@click.option("--overlap", type=float, default=None, metavar="SHARE",
              help="Share of items (0 to 1) that go to several annotators, for agreement [default: 0].")
@click.option("--overlap-annotators", type=int, default=None, metavar="K",
              help="How many annotators an overlap item goes to [default: 2].")
@click.option("--target", default=None, metavar="TEXT|ID",
              help="This target only (its own plan); default: every target, now and later.")
@click.option("--all-pairs", is_flag=True, help="Share out every (statement, target) pair, not only related ones.")
@click.option("--seed", default=None, metavar="TEXT", help="Hash seed (default: a random one, stored with the plan).")
@click.option("--clear", is_flag=True, help="Remove the plan and assignments (of --target, or all): everyone sees "
                                             "every item again.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@db_option
def assign(annotators: str | None, overlap: float | None, overlap_annotators: int | None, target: str | None,
           all_pairs: bool, seed: str | None, clear: bool, as_json: bool, db_url: str | None) -> None:
    """Assign each item to one annotator and a stable random share (--overlap) to several."""
    from db import assignment
    from db.engine import transaction
    from db.repository import find_target
    from workbench.errors import WorkbenchError

    plan_options = overlap is not None or overlap_annotators is not None or all_pairs or seed is not None
    if clear and (annotators is not None or plan_options):
        raise WorkbenchError("--clear takes only --target")
    if annotators is None and plan_options:
        raise WorkbenchError("--overlap, --overlap-annotators, --all-pairs and --seed set a plan: give --annotators")
    request = None
    if annotators is not None:
        request = assignment.PlanRequest(
            tuple(annotators.split(",")) if annotators.strip() else (), 0.0 if overlap is None else overlap,
            assignment.DEFAULT_OVERLAP_ANNOTATORS if overlap_annotators is None else overlap_annotators,
            seed, all_pairs).checked()  # before the database is opened: a typo costs nothing
    engine = open_db(db_url)
    with transaction(engine) as session:  # all or nothing: the plan and every assignment it deals
        assignment.lock(session)
        found = find_target(session, target) if target is not None else None
        if clear:
            removed = assignment.clear(session, found)
            still = bool(found and assignment.plan_by_target(session, [found.id]))
            summary = {"cleared": removed, "target": found.text if found else None, "under_plan": still}
        else:
            if request is not None:
                assignment.set_plan(session, request, found)
            elif not assignment.plan_by_target(session, [found.id] if found else
                                               [t.id for t in _targets(session)]):
                raise WorkbenchError("nothing is assigned yet: give --annotators A,B,C")
            dealt = assignment.extend(session, [found.id] if found else None)
            summary = {"targets": [{"target": d.target, "new_items": d.new_items, "overlap_items": d.overlap_items,
                                    "already_assigned": d.already, "per_annotator": d.per_annotator} for d in dealt]}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    from db.plaintext import clean_line

    if clear:
        what = f" of {summary['target']}" if summary["target"] else ""
        then = ("it is under the plan for every target: run `workbench assign` to share it out again"
                if summary["under_plan"] else "everyone sees every item again")
        click.echo(clean_line(f"removed {summary['cleared']} assignment(s){what}; {then}"))
        return
    if not summary["targets"]:  # the plan covers targets added later; nothing to deal yet
        click.echo("plan stored; no targets yet: add them with `workbench targets add`, then run "
                   "`workbench assign` again to share their items out")
        return
    for row in summary["targets"]:
        shares = ", ".join(f"{name} {n}" for name, n in sorted(row["per_annotator"].items())) or "nobody"
        click.echo(clean_line(f"{row['target']}: {row['new_items']} new item(s) assigned, {row['overlap_items']} of "
                              f"them to several annotators (new items per annotator: {shares}); "
                              f"{row['already_assigned']} already assigned"))


def _targets(session):
    from db.repository import list_targets

    return list_targets(session)


def print_progress(console, progress: dict) -> None:
    """The text form of status's progress part."""
    from rich import box
    from rich.table import Column, Table

    from workbench.plain import plain

    if not progress["per_annotator_target"] and not progress["plans"]:
        return
    for plan in progress["plans"]:
        where = plan["target"] if plan["target"] is not None else "every target"
        console.print(plain(f"assignment ({where}): {', '.join(plan['annotators'])}; "
                            f"{plan['overlap']:.0%} overlap to {plan['overlap_annotators']} annotators"
                            + ("; every pair" if plan["all_pairs"] else "")))
    whole = {"no_wrap": True}
    table = Table(Column("annotator", **whole), Column("target"), Column("done / assigned", justify="right", **whole),
                  Column("flags", justify="right"), Column("skips", justify="right"), box=box.SIMPLE_HEAD,
                  title="progress per annotator and target",
                  caption="assigned: the items in the annotator's queue (all of a target without assignment)")
    for row in progress["per_annotator_target"]:
        table.add_row(plain(row["annotator"]), plain(row["target"]), _ratio(row["done"], row["assigned"]),
                      str(row["flags"]), str(row["skips"]))
    for name, row in progress["per_annotator"].items():
        table.add_row(plain(name), "all targets", _ratio(row["done"], row["assigned"]), str(row["flags"]),
                      str(row["skips"]), style="bold")
    console.print(table)
    for row in progress["per_target"]:
        if row["plan"]:
            console.print(plain(f"{row['target']}: {row['items']} item(s), {row['assigned']} assigned "
                                f"({row['overlap']} to several), done by every assignee {row['done_by_all']}"))
            if row["unassigned"]:
                console.print(plain(f"warning: {row['unassigned']} item(s) of {row['target']} are assigned to "
                                    "nobody yet: run `workbench assign` to share them out"))


def _ratio(done: int, total: int) -> str:
    return f"{done} / {total}" + (f" ({done / total:.0%})" if total else "")


def register(group: click.Group) -> None:
    group.add_command(assign)

"""`workbench assign`: controlled overlap stored in the database, the queue that respects it, and status progress.

Real SQLite files and the live PostgreSQL; the CLI in process (CliRunner), the queue code the UI runs."""
from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from db.decisions import NewDecision, record, undo_last
from db.engine import transaction
from db.queue import AnnotationQueue, ItemKey
from db.repository import (PredictionItem, StatementFields, add_document, add_predictions, add_target,
                           get_or_create_annotator, replace_statements)
from db.schema import Annotator, Assignment, AssignmentPlan, Document, Statement, Target
from workbench.cli import cli

TARGETS = ("the new tax", "the bridge")


def build(engine, statements: int, docs: int = 4, targets=TARGETS, prefix: str = "doc") -> None:
    """`docs` documents sharing `statements` quoted sentences, and the targets."""
    per_doc = -(-statements // docs)
    with transaction(engine) as session:
        made = 0
        for d in range(docs):
            quotes = [f'"Claim {prefix}-{d}-{n} holds," said Speaker {n}.'
                      for n in range(min(per_doc, statements - made))]
            text = "\n\n".join(quotes)
            doc, _ = add_document(session, f"{prefix}-{d}.txt", text, title=f"{prefix} {d}")
            fields, at = [], 0
            for quote in quotes:
                start = text.index(quote, at)
                end = start + quote.index(",") + 2
                fields.append(StatementFields(start, end, text[start:end], quote.split("said ")[1][:-1], None,
                                              "other", "direct", "said"))
                at = start + len(quote)
            replace_statements(session, doc, fields, "test")
            made += len(quotes)
        for target in targets:
            if session.scalar(select(Target).where(Target.text == target)) is None:
                add_target(session, target)


def wb(engine, *args: str):
    return CliRunner().invoke(cli, [*args, "--db", engine.url.render_as_string(hide_password=False)])


def assignments(engine) -> dict[tuple, set[str]]:
    """(document sha256, start, end, target text) → annotator names: ids differ between databases."""
    out: dict[tuple, set[str]] = {}
    A = Assignment
    with transaction(engine) as session:
        for sha, start, end, target, name in session.execute(
                select(Document.sha256, Statement.start, Statement.end, Target.text, Annotator.name).select_from(A)
                .join(Statement, Statement.id == A.statement_id).join(Document, Document.id == Statement.document_id)
                .join(Target, Target.id == A.target_id).join(Annotator, Annotator.id == A.annotator_id)):
            out.setdefault((sha, start, end, target), set()).add(name)
    return out


def all_items(engine) -> set[ItemKey]:
    with transaction(engine) as session:
        return {ItemKey(s, t) for s, t in session.execute(select(Statement.id, Target.id).join(Target, Target.id > 0))}


def queue_of(engine, name: str, target_ids=None) -> list[ItemKey]:
    with transaction(engine) as session:
        annotator = get_or_create_annotator(session, name)
        ids = target_ids or list(session.scalars(select(Target.id).order_by(Target.id)))
        return AnnotationQueue(annotator.id, name, ids).next_keys(session, 100_000)


def keyed(engine) -> dict[ItemKey, set[str]]:
    with transaction(engine) as session:
        rows = session.execute(select(Assignment.statement_id, Assignment.target_id, Annotator.name)
                               .join(Annotator, Annotator.id == Assignment.annotator_id)).all()
    out: dict[ItemKey, set[str]] = {}
    for s, t, name in rows:
        out.setdefault(ItemKey(s, t), set()).add(name)
    return out


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_thousand_items_each_assigned_the_overlap_share_to_two_loads_balanced(backend, engine, request):
    eng = engine if backend == "sqlite" else request.getfixturevalue("pg_engine")
    build(eng, 500)  # 500 statements x 2 targets = 1000 items
    out = wb(eng, "assign", "--annotators", "a,b,c", "--overlap", "0.2", "--seed", "s1", "--json")
    assert out.exit_code == 0, out.output
    summary = json.loads(out.output)
    got = keyed(eng)
    assert set(got) == all_items(eng)  # every item assigned at least once
    sizes = Counter(len(names) for names in got.values())
    assert set(sizes) == {1, 2}  # one annotator, or two for the overlap share
    assert abs(sizes[2] - 200) <= 2  # the share of each target's 500 items, exact to one item per target
    assert sum(t["overlap_items"] for t in summary["targets"]) == sizes[2]
    load = Counter(name for names in got.values() for name in names)
    assert set(load) == {"a", "b", "c"} and max(load.values()) - min(load.values()) <= 1
    assert sum(load.values()) == 1000 + sizes[2]
    # every pair of annotators shares overlap items (pairwise agreement needs them), about equally many
    pairs = Counter(tuple(sorted(names)) for names in got.values() if len(names) == 2)
    assert set(pairs) == {("a", "b"), ("a", "c"), ("b", "c")} and max(pairs.values()) - min(pairs.values()) <= 2


@pytest.mark.parametrize("seed", ["s1", "s2", "s3", "s4", "s5", "s6"])
def test_a_small_project_gets_the_overlap_share_it_asked_for_whatever_the_seed(engine, seed):
    # 32 items at 20 %: 6.4 overlap items, so 6 or 7 (a per-item hash threshold gave 2 to 13 with real seeds)
    build(engine, 32, docs=1, targets=("the new tax",))
    out = json.loads(wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.2", "--seed", seed,
                        "--json").output)
    shared = sum(1 for names in keyed(engine).values() if len(names) == 2)
    assert shared in (6, 7) and out["targets"][0]["overlap_items"] == shared


def test_the_rounding_of_the_share_is_unbiased():
    from db.assignment import overlap_items

    items = [f"doc:{i}:{i + 5}:t" for i in range(32)]
    counts = Counter(len(overlap_items(f"seed{n}", items, 0.2)) for n in range(400))
    assert set(counts) == {6, 7}
    assert abs(counts[7] / 400 - 0.4) < 0.1  # 6.4 on average: the fraction decides how often it rounds up


def test_three_overlap_annotators_and_a_full_overlap(engine):
    build(engine, 60, docs=2, targets=("the new tax",))
    out = wb(engine, "assign", "--annotators", "a,b,c,d", "--overlap", "1", "--overlap-annotators", "3")
    assert out.exit_code == 0, out.output
    got = keyed(engine)
    assert len(got) == 60 and all(len(names) == 3 for names in got.values())
    load = Counter(name for names in got.values() for name in names)
    assert sum(load.values()) == 180 and max(load.values()) - min(load.values()) <= 1


def test_same_seed_same_assignment_on_sqlite_and_postgres_and_a_new_seed_differs(engine, pg_engine, tmp_path):
    from db.engine import make_engine
    from db.migrate import upgrade

    build(engine, 120)
    build(pg_engine, 120)
    for eng in (engine, pg_engine):
        assert wb(eng, "assign", "--annotators", "a,b,c", "--overlap", "0.3", "--seed", "fixed").exit_code == 0
    assert assignments(engine) == assignments(pg_engine)  # the ids differ; items are named by content
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    build(other, 120)
    assert wb(other, "assign", "--annotators", "a,b,c", "--overlap", "0.3", "--seed", "another").exit_code == 0
    assert assignments(other) != assignments(engine)
    other.dispose()


def test_rerunning_is_idempotent_and_new_statements_are_dealt_without_moving_old_ones(engine):
    build(engine, 60, docs=2)
    assert wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.2").exit_code == 0
    before = assignments(engine)
    with transaction(engine) as session:
        seed = session.scalar(select(AssignmentPlan.seed))
    again = wb(engine, "assign", "--json")  # no --annotators: extend under the stored plan
    assert again.exit_code == 0, again.output
    assert all(t["new_items"] == 0 and t["already_assigned"] == 60 for t in json.loads(again.output)["targets"])
    same = wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.2")
    assert same.exit_code == 0 and assignments(engine) == before
    with transaction(engine) as session:
        assert session.scalar(select(AssignmentPlan.seed)) == seed  # the stored seed is kept
    # more articles come in: until assign runs again, their items go to nobody (status says so)
    build(engine, 30, docs=1, prefix="late")
    status = json.loads(wb(engine, "status", "--json").output)
    assert [t["unassigned"] for t in status["progress_per_target"]] == [30, 30]
    late = [k for k in all_items(engine) if k not in keyed(engine)]
    assert not set(late) & {k for name in "abc" for k in queue_of(engine, name)}
    out = wb(engine, "assign", "--json")
    assert [t["new_items"] for t in json.loads(out.output)["targets"]] == [30, 30]
    after = assignments(engine)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing moved
    assert len(after) == 180
    # a target added later falls under the project-wide plan and is dealt on the next run
    with transaction(engine) as session:
        add_target(session, "the port")
    out = json.loads(wb(engine, "assign", "--json").output)
    assert [t["new_items"] for t in out["targets"]] == [0, 0, 90]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_three_queues_hold_exactly_the_assigned_items_and_an_unplanned_target_stays_shared(backend, engine, request):
    engine = engine if backend == "sqlite" else request.getfixturevalue("pg_engine")
    build(engine, 90, docs=3, targets=TARGETS + ("the port",))
    out = wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.2", "--target", "the new tax")
    assert out.exit_code == 0, out.output
    with transaction(engine) as session:
        tax, bridge, port = session.scalars(select(Target.id).order_by(Target.id)).all()
    got = keyed(engine)
    queues = {name: queue_of(engine, name) for name in "abc"}
    for name, keys in queues.items():
        assert len(keys) == len(set(keys))
        assert {k for k in keys if k.target_id == tax} == {k for k, names in got.items() if name in names}
        # the targets without a plan: every item, as before assignment existed
        assert {k for k in keys if k.target_id != tax} == {k for k in all_items(engine) if k.target_id != tax}
    # the overlap items are in two queues, the others in one
    seen = Counter(k for keys in queues.values() for k in keys if k.target_id == tax)
    assert seen == Counter({k: len(names) for k, names in got.items()})
    # someone not in the plan sees the shared targets only; `workbench queue` prints the same as the UI queue
    assert {k.target_id for k in queue_of(engine, "dora")} == {bridge, port}
    printed = wb(engine, "queue", "--annotator", "b", "--json", "--target", "the new tax")
    assert printed.exit_code == 0, printed.output
    assert len(printed.output.splitlines()) == sum(1 for names in got.values() if "b" in names)
    # done items leave the queue; progress counts done / assigned
    first = [k for k in queues["a"] if k.target_id == tax][:5]
    with transaction(engine) as session:
        a = get_or_create_annotator(session, "a")
        for key in first:
            record(session, a, NewDecision(key.statement_id, key.target_id, stance="favor"))
    with transaction(engine) as session:
        queue = AnnotationQueue(a.id, "a", [tax])
        assert not set(first) & set(queue.next_keys(session, 1000))
        progress = queue.progress(session)
    assert (progress.done, progress.total) == (5, sum(1 for names in got.values() if "a" in names))


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_status_shows_done_assigned_flags_and_skips_per_annotator_and_target(backend, engine, request):
    engine = engine if backend == "sqlite" else request.getfixturevalue("pg_engine")
    build(engine, 40, docs=2)
    assert wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.25", "--target", "the new tax").exit_code == 0
    with transaction(engine) as session:
        tax, bridge = session.scalars(select(Target.id).order_by(Target.id)).all()
    got = keyed(engine)
    mine = {name: sorted(k for k, names in got.items() if name in names) for name in "abc"}
    with transaction(engine) as session:
        a, b = get_or_create_annotator(session, "a"), get_or_create_annotator(session, "b")
        for key in mine["a"][:4]:
            record(session, a, NewDecision(key.statement_id, key.target_id, stance="against", sentiment="negative"))
        k = mine["a"][4]
        record(session, a, NewDecision(k.statement_id, k.target_id, action="flag", reason_codes=("sarcasm",)))
        for key in mine["a"][5:8]:
            record(session, a, NewDecision(key.statement_id, key.target_id, action="skip"))
        k = mine["a"][5]  # skipped, then labelled: done, no longer a skip
        record(session, a, NewDecision(k.statement_id, k.target_id, stance="favor"))
        k = mine["b"][0]
        record(session, b, NewDecision(k.statement_id, k.target_id, stance="neutral"))
        k = mine["b"][1]
        record(session, b, NewDecision(k.statement_id, k.target_id, stance="neutral"))
        undo_last(session, b)  # withdrawn: not done
        # b also works on the unplanned target, where every item is theirs
        for s in range(1, 4):
            record(session, b, NewDecision(s, bridge, stance="favor"))
        record(session, b, NewDecision(4, bridge, action="skip"))
        # an item not assigned to c that c labelled anyway (before the plan, say) is not c's progress
        stranger = next(key for key, names in got.items() if "c" not in names)
        record(session, get_or_create_annotator(session, "c"), NewDecision(stranger.statement_id, tax, stance="favor"))
    out = wb(engine, "status", "--json")
    assert out.exit_code == 0, out.output
    status = json.loads(out.output)
    assert {"documents", "statements", "decisions_per_annotator", "acceptance_by_model_version"} <= set(status)
    rows = {(r["annotator"], r["target"]): r for r in status["progress"]}
    n = {name: len(keys) for name, keys in mine.items()}
    assert rows[("a", "the new tax")] == {"annotator": "a", "target": "the new tax", "assigned": n["a"], "done": 6,
                                          "flags": 1, "skips": 2}
    assert rows[("b", "the new tax")] == {"annotator": "b", "target": "the new tax", "assigned": n["b"], "done": 1,
                                          "flags": 0, "skips": 0}
    assert rows[("c", "the new tax")]["done"] == 0 and rows[("c", "the new tax")]["assigned"] == n["c"]
    assert rows[("b", "the bridge")] == {"annotator": "b", "target": "the bridge", "assigned": 40, "done": 3,
                                         "flags": 0, "skips": 1}
    assert ("a", "the bridge") not in rows  # a never worked on the unplanned target
    assert status["progress_per_annotator"]["b"] == {"assigned": n["b"] + 40, "done": 4, "flags": 0, "skips": 1}
    tax_row, bridge_row = status["progress_per_target"]
    done = {"a": set(mine["a"][:6]), "b": {mine["b"][0]}, "c": set()}  # c's label is on an item not c's
    overlap = sum(1 for names in got.values() if len(names) > 1)
    assert tax_row == {"target": "the new tax", "plan": True, "items": 40, "assigned": 40, "overlap": overlap,
                       "unassigned": 0, "done_by_one": len(done["a"] | done["b"]),
                       "done_by_all": sum(1 for k, names in got.items() if all(k in done[n] for n in names))}
    assert bridge_row["plan"] is False and bridge_row["assigned"] is None and bridge_row["done_by_one"] == 3
    assert status["assignment_plans"][0]["target"] == "the new tax"
    assert status["assignment_plans"][0]["annotators"] == ["a", "b", "c"]
    text = wb(engine, "status")
    assert text.exit_code == 0
    assert "progress per annotator and target" in text.output
    assert f"6 / {n['a']}" in text.output and "20% overlap" not in text.output and "25% overlap" in text.output


@pytest.mark.parametrize("args, message", [
    (["--annotators", "a,b,c", "--overlap", "1.5"], "error: --overlap is a share between 0 and 1, got 1.5"),
    (["--annotators", "a,b,c", "--overlap", "-0.1"], "error: --overlap is a share between 0 and 1, got -0.1"),
    (["--annotators", ""], "error: --annotators needs at least one name"),
    (["--annotators", "a,b,a"], "error: annotator 'a' is named twice in --annotators"),
    (["--annotators", "a,,b"], "error: an annotator needs a name"),
    (["--annotators", "a,b\x1b[2J"], "error: annotator name 'b\\x1b[2J' contains control characters"),
    (["--annotators", "a,b", "--overlap", "0.2", "--overlap-annotators", "3"],
     "error: an overlap item goes to 3 annotators, but --annotators names 2"),
    (["--annotators", "a,b", "--overlap-annotators", "1"], "error: --overlap-annotators is at least 2"),
    (["--overlap", "0.2"], "error: --overlap, --overlap-annotators, --all-pairs and --seed set a plan"),
    ([], "error: nothing is assigned yet: give --annotators"),
    (["--annotators", "a,b", "--target", "no such target"], "error: "),
    (["--clear", "--annotators", "a"], "error: --clear takes only --target"),
])
def test_bad_input_is_one_line_non_zero_and_writes_nothing(engine, args, message):
    build(engine, 10, docs=1)
    out = wb(engine, "assign", *args)
    assert out.exit_code == 1, out.output
    assert out.output.startswith(message) and len(out.output.strip().splitlines()) == 1, out.output
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0
        assert session.scalar(select(func.count()).select_from(AssignmentPlan)) == 0
        assert session.scalar(select(func.count()).select_from(Annotator)) == 0


def test_a_new_name_is_fine_and_assign_is_one_transaction(engine, monkeypatch):
    import db.assignment

    build(engine, 30, docs=1)
    calls = []
    real = db.assignment.Dealer.deal

    def fail_on_the_second_target(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)
    monkeypatch.setattr(db.assignment.Dealer, "deal", fail_on_the_second_target)
    with pytest.raises(RuntimeError):
        CliRunner().invoke(cli, ["assign", "--annotators", "new person,b", "--db", str(engine.url)],
                           catch_exceptions=False)
    with transaction(engine) as session:  # the first target's rows, the plan and the new names: all rolled back
        assert session.scalar(select(func.count()).select_from(Assignment)) == 0
        assert session.scalar(select(func.count()).select_from(AssignmentPlan)) == 0
        assert session.scalar(select(func.count()).select_from(Annotator)) == 0
    monkeypatch.setattr(db.assignment.Dealer, "deal", real)
    out = wb(engine, "assign", "--annotators", "new person,b")
    assert out.exit_code == 0, out.output
    assert Counter(n for names in keyed(engine).values() for n in names) == {"new person": 30, "b": 30}


def test_the_relatedness_gate_decides_what_is_dealt_and_all_pairs_deals_everything(engine):
    build(engine, 20, docs=1, targets=("the new tax",))
    with transaction(engine) as session:
        add_predictions(session, "relatedness", "gate", "1", [
            (PredictionItem(s, 1, "", ""), "related" if s <= 5 else "unrelated",
             {"related": 0.9 if s <= 5 else 0.1}, 0.9 if s <= 5 else 0.1) for s in range(1, 21)])
    out = json.loads(wb(engine, "assign", "--annotators", "a,b", "--json").output)
    assert out["targets"][0]["new_items"] == 5  # what the queue holds: the related pairs
    status = json.loads(wb(engine, "status", "--json").output)
    assert status["progress_per_target"][0]["items"] == 5
    out = json.loads(wb(engine, "assign", "--annotators", "a,b", "--all-pairs", "--json").output)
    assert out["targets"][0] == {"target": "the new tax", "new_items": 15, "overlap_items": 0,
                                 "already_assigned": 5, "per_annotator": {"a": 7, "b": 8} if
                                 out["targets"][0]["per_annotator"]["a"] == 7 else {"a": 8, "b": 7}}
    # each annotator's queue still applies the gate (unless they annotate with --all-pairs): the five related
    # items, shared out between them
    queues = {name: set(queue_of(engine, name)) for name in "ab"}
    assert not queues["a"] & queues["b"] and {k.statement_id for k in queues["a"] | queues["b"]} == {1, 2, 3, 4, 5}


def test_a_plan_before_any_target_is_stored_and_says_what_comes_next(engine):
    build(engine, 6, docs=1, targets=())
    out = wb(engine, "assign", "--annotators", "a,b", "--overlap", "0.5")
    assert out.exit_code == 0 and "plan stored; no targets yet" in out.output
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(AssignmentPlan)) == 1
    with transaction(engine) as session:
        add_target(session, "the new tax")
    out = json.loads(wb(engine, "assign", "--json").output)  # the stored plan deals the new target's items
    assert out["targets"][0]["new_items"] == 6 and out["targets"][0]["overlap_items"] == 3


def test_clear_gives_every_item_back_to_everyone(engine):
    build(engine, 12, docs=1)
    assert wb(engine, "assign", "--annotators", "a,b,c").exit_code == 0
    assert len(queue_of(engine, "a")) == 8
    out = wb(engine, "assign", "--clear")
    assert out.exit_code == 0 and "removed 24 assignment(s)" in out.output
    assert len(queue_of(engine, "a")) == 24
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(AssignmentPlan)) == 0


def test_the_ui_says_when_nothing_is_assigned_to_the_annotator(engine):
    from workbench.tui.backend import Backend

    build(engine, 6, docs=1)
    assert wb(engine, "assign", "--annotators", "a,b").exit_code == 0
    info = Backend(engine, "dora").start()
    assert info.problem is not None and "Nothing is assigned to dora" in info.problem
    info = Backend(engine, "a").start()
    assert info.problem is None and info.progress.total == 6


def test_a_three_annotator_project_end_to_end_through_the_cli(engine, tmp_path):
    """The README's walkthrough (less the models and the screens): assign, each annotator's queue labelled and
    imported, status, agreement on the overlap items for every pair, gold, export."""
    build(engine, 150, docs=5)
    assert wb(engine, "assign", "--annotators", "ann1,ann2,ann3", "--overlap", "0.2", "--seed", "walk").exit_code == 0
    labels = ("favor", "against", "neutral")
    for n, name in enumerate(("ann1", "ann2", "ann3")):
        queued = wb(engine, "queue", "--annotator", name, "--json")
        assert queued.exit_code == 0, queued.output
        rows = [json.loads(line) for line in queued.output.splitlines()]
        lines = [{"doc": r["doc"], "start": r["start"], "end": r["end"], "target": r["target"], "annotator": name,
                  "stance": labels[(r["start"] // 7 + (i % 5 == 0) * n) % 3]} for i, r in enumerate(rows)]
        left = 10 if name == "ann3" else 0  # ann3 is not finished
        path = tmp_path / f"{name}.jsonl"
        path.write_text("".join(json.dumps(line) + "\n" for line in lines[:len(lines) - left]))
        assert wb(engine, "import", str(path)).exit_code == 0
    status = json.loads(wb(engine, "status", "--json").output)
    per = status["progress_per_annotator"]
    assert [per[n]["done"] for n in ("ann1", "ann2")] == [per["ann1"]["assigned"], per["ann2"]["assigned"]]
    assert per["ann3"]["done"] == per["ann3"]["assigned"] - 10
    assert sum(p["assigned"] for p in per.values()) == 300 + sum(t["overlap"] for t in status["progress_per_target"])
    agreement = json.loads(wb(engine, "agreement", "--json", "--task", "stance").output)["stance"]
    pairs = {(p["a"], p["b"]): p["n"] for p in agreement["pairwise"]}
    assert set(pairs) == {("ann1", "ann2"), ("ann1", "ann3"), ("ann2", "ann3")} and min(pairs.values()) > 0
    with transaction(engine) as session:
        from db.adjudication import disagreement_queue, set_gold

        lead = get_or_create_annotator(session, "lead")
        open_items = disagreement_queue(session, "stance")
        assert open_items  # the simulated annotators disagree on some overlap items
        for item in open_items:
            set_gold(session, lead, item.statement_id, item.target_id, "stance", "neutral")
    out = wb(engine, "export", "--format", "jsonl", str(tmp_path / "gold.jsonl"), "--gold-only", "--task", "stance")
    assert out.exit_code == 0, out.output
    exported = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text().splitlines()]
    assert len(exported) == len(open_items) and {row["gold"] for row in exported} == {"neutral"}


def test_items_labelled_before_the_plan_go_to_who_labelled_them(engine):
    build(engine, 60, docs=2, targets=("the new tax",))
    with transaction(engine) as session:
        b = get_or_create_annotator(session, "b")
        for s in range(1, 21):
            record(session, b, NewDecision(s, 1, stance="favor"))
        record(session, b, NewDecision(21, 1, stance="favor"))
        undo_last(session, b)  # withdrawn: not b's work
    out = wb(engine, "assign", "--annotators", "a,b,c", "--overlap", "0.2")
    assert out.exit_code == 0, out.output
    got = keyed(engine)
    assert all("b" in got[ItemKey(s, 1)] for s in range(1, 21))  # b's finished work is not asked of anyone else
    status = json.loads(wb(engine, "status", "--json").output)
    row = next(r for r in status["progress"] if r["annotator"] == "b")
    assert row["done"] == 20
    load = Counter(name for names in got.values() for name in names)
    assert load["b"] >= 20 and sum(load.values()) == 60 + sum(1 for names in got.values() if len(names) > 1)

"""Isolation between annotators at the repository layer (issue 8): db/decisions.py and db/queue.py.

Annotators label overlapping items. Whatever one of them does — label, skip, flag, undo — the
others' current labels, queues, progress, search results and undo stacks are untouched, and a
blind queue never reads the predictions table. Hypothesis generates interleavings of actions for
two or three annotators and checks the database against a plain in-memory model of each
annotator's own actions.
"""
from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from db import repository
from db.decisions import NewDecision, current_labels, record, undo_last
from db.engine import make_engine, readonly, transaction
from db.errors import StorageError
from db.migrate import upgrade
from db.queue import AnnotationQueue, ItemKey
from db.schema import Statement, Target

N_STATEMENTS = 4
TARGETS = ("the plan", "the minister")
STANCES = ("favor", "against", "neutral")
SENTIMENTS = ("positive", "negative", "neutral")


def seed(engine) -> tuple[list[int], list[int]]:
    """One document, N_STATEMENTS statements, two targets, and predictions for every item."""
    body = " ".join(f"Speaker {i} said the plan works." for i in range(N_STATEMENTS))
    with transaction(engine) as s:
        doc, _ = repository.add_document(s, "iso.txt", body, title="Isolation")
        fields, pos = [], 0
        for i in range(N_STATEMENTS):
            sentence = f"Speaker {i} said the plan works."
            pos = body.index(sentence, pos)
            fields.append(repository.StatementFields(pos, pos + len(sentence), sentence, f"Speaker {i}", None,
                                                     "other", "direct", "said"))
            pos += len(sentence)
        repository.replace_statements(s, doc, fields, "test")
        for t in TARGETS:
            repository.add_target(s, t)
        sids = list(s.scalars(select(Statement.id).order_by(Statement.id)))
        tids = list(s.scalars(select(Target.id).order_by(Target.id)))
        for task, targets in (("stance", tids), ("sentiment", [None])):
            items = [repository.PredictionItem(sid, tid, "x", None) for sid in sids for tid in targets]
            labels = STANCES if task == "stance" else SENTIMENTS
            repository.add_predictions(s, task, "m", "1", ((i, labels[0], {labels[0]: 0.6, labels[1]: 0.4})
                                                           for i in items))
    return sids, tids


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """A seeded database shared by the module: each test and example uses fresh annotator names."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('iso') / 'workbench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        sids, tids = seed(engine)
        yield engine, sids, tids
        engine.dispose()
        return
    # the live server: a schema of our own, dropped afterwards (the conftest fixture is function-scoped)
    import uuid

    from sqlalchemy import create_engine, text

    from tests.conftest import PG_SERVER_URL

    schema = f"wb_iso_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # part of the test environment: fail loudly, never skip
        pytest.fail(f"PostgreSQL at {PG_SERVER_URL} is not reachable: {exc}")
    separator = "&" if "?" in PG_SERVER_URL else "?"
    engine = make_engine(f"{PG_SERVER_URL}{separator}options=-csearch_path%3D{schema}")
    upgrade(engine)
    sids, tids = seed(engine)
    yield engine, sids, tids
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


_names = itertools.count()


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def annotator_id(engine, name: str) -> int:
    with transaction(engine) as s:
        return repository.get_or_create_annotator(s, name).id


@contextmanager
def sql_log(engine):
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def reads_predictions(statements: list[str]) -> list[str]:
    return [s for s in statements if re.search(r"\bpredictions\b", s, re.IGNORECASE)]


# -- the in-memory model ------------------------------------------------------------------------------

@dataclass
class Event:
    action: str
    key: ItemKey
    stance: str | None = None
    sentiment: str | None = None
    withdrawn: bool = False


@dataclass
class Model:
    """One annotator's own history, and what it implies."""
    events: list[Event] = field(default_factory=list)

    def standing(self) -> list[Event]:
        return [e for e in self.events if not e.withdrawn]

    def undo(self) -> Event | None:
        for e in reversed(self.events):
            if not e.withdrawn:
                e.withdrawn = True
                return e
        return None

    def stance(self) -> dict[tuple[int, int], str]:
        out = {}
        for e in self.standing():
            if e.action == "label" and e.stance is not None:
                out[tuple(e.key)] = e.stance
        return out

    def sentiment(self) -> dict[int, str]:
        out = {}
        for e in self.standing():
            if e.action == "label" and e.sentiment is not None:
                out[e.key.statement_id] = e.sentiment
        return out

    def done(self) -> set[ItemKey]:
        return {e.key for e in self.standing() if e.action in ("label", "flag")}

    def skipped(self) -> set[ItemKey]:
        return {e.key for e in self.standing() if e.action == "skip"} - self.done()


def db_stance(session, aid: int) -> dict[tuple[int, int], str]:
    return {(d.statement_id, d.target_id): d.stance for d in current_labels(session, "stance", aid)}


def db_sentiment(session, aid: int) -> dict[int, str]:
    return {d.statement_id: d.sentiment for d in current_labels(session, "sentiment", aid)}


def drain(queue: AnnotationQueue, session) -> list[ItemKey]:
    keys: list[ItemKey] = []
    while True:
        page = queue.next_keys(session, 3, exclude=keys)
        if not page:
            return keys
        keys.extend(page)
        assert len(keys) <= N_STATEMENTS * len(TARGETS), "queue returned an item twice"


def check_annotator(engine, name: str, aid: int, model: Model, sids, tids, blind: bool) -> None:
    """Everything the repository returns for this annotator matches their own history only."""
    everything = {ItemKey(s, t) for s in sids for t in tids}
    reader = readonly(engine)
    with sql_log(engine) as statements, transaction(reader) as session:
        queue = AnnotationQueue(aid, name, tids, "document", blind)
        keys = drain(queue, session)
        main, tail = keys[:len(keys) - len(model.skipped())], keys[len(keys) - len(model.skipped()):]
        assert set(main) == everything - model.done() - model.skipped()
        assert set(tail) == model.skipped()  # own skips come back at the end, nobody else's
        progress = queue.progress(session)
        assert (progress.done, progress.total) == (len(model.done()), len(everything))
        found = queue.search(session, "said the plan", limit=100)
        assert set(found) == everything - model.done()
        items = queue.load(session, sorted(everything))
        own_sentiment = model.sentiment()
        for item in items:
            assert item.own_sentiment == own_sentiment.get(item.key.statement_id)
            assert item.skipped_before == (item.key in {e.key for e in model.standing() if e.action == "skip"})
            if blind:
                assert item.stance is None and item.sentiment is None
            else:
                assert item.stance is not None and item.sentiment is not None
    if blind:
        assert not reads_predictions(statements), reads_predictions(statements)[:1]
    with transaction(reader) as session:
        assert db_stance(session, aid) == model.stance()
        assert db_sentiment(session, aid) == own_sentiment


# -- deterministic scenarios -------------------------------------------------------------------------

def test_undo_by_one_annotator_never_withdraws_anothers_event(world):
    engine, sids, tids = world
    a, b = fresh("A"), fresh("B")
    aid, bid = annotator_id(engine, a), annotator_id(engine, b)
    item = ItemKey(sids[0], tids[0])
    with transaction(engine) as s:
        ann_a = repository.get_or_create_annotator(s, a)
        record(s, ann_a, NewDecision(*item, stance="favor", sentiment="positive"))
    with transaction(engine) as s:  # B undoes with an empty stack: nothing of A's is touched
        assert undo_last(s, repository.get_or_create_annotator(s, b)) is None
    with transaction(engine) as s:
        ann_b = repository.get_or_create_annotator(s, b)
        record(s, ann_b, NewDecision(*item, stance="against", sentiment="negative"))
    with transaction(engine) as s:
        withdrawn = undo_last(s, repository.get_or_create_annotator(s, b))
        assert withdrawn is not None and withdrawn.annotator_id == bid
    with transaction(engine) as s:
        assert undo_last(s, repository.get_or_create_annotator(s, b)) is None
        assert db_stance(s, aid) == {tuple(item): "favor"}
        assert db_sentiment(s, aid) == {item.statement_id: "positive"}
        assert db_stance(s, bid) == {}


def test_items_labelled_by_b_stay_in_as_queue_and_progress(world):
    engine, sids, tids = world
    a, b = fresh("A"), fresh("B")
    aid = annotator_id(engine, a)
    with transaction(engine) as s:
        ann_b = repository.get_or_create_annotator(s, b)
        for sid in sids:
            for tid in tids:
                record(s, ann_b, NewDecision(sid, tid, stance="neutral", sentiment="neutral"))
        record(s, ann_b, NewDecision(sids[0], tids[0], action="skip"))
    for blind in (False, True):
        check_annotator(engine, a, aid, Model(), sids, tids, blind)


def test_blind_queue_never_reads_predictions(world):
    engine, sids, tids = world
    name = fresh("blind")
    aid = annotator_id(engine, name)
    with transaction(engine) as s:
        ann = repository.get_or_create_annotator(s, name)
        record(s, ann, NewDecision(sids[1], tids[0], action="skip"))
    queue = AnnotationQueue(aid, name, tids, "random", blind=True)
    with sql_log(engine) as statements, transaction(readonly(engine)) as session:
        keys = drain(queue, session)
        items = queue.load(session, keys)
        queue.search(session, "plan")
        queue.progress(session)
        with pytest.raises(StorageError, match="never reads predictions"):
            queue.margins(session)
    assert len(keys) == N_STATEMENTS * len(TARGETS) and keys[-1] == ItemKey(sids[1], tids[0])
    assert all(i.stance is None and i.sentiment is None for i in items)
    assert statements and not reads_predictions(statements)
    with pytest.raises(StorageError, match="cannot be used with --blind"):
        AnnotationQueue(aid, name, tids, "uncertainty", blind=True)
    # the same calls on a non-blind queue do read them: the listener is not blind itself
    with sql_log(engine) as statements, transaction(readonly(engine)) as session:
        AnnotationQueue(aid, name, tids, "document").load(session, keys[:1])
    assert reads_predictions(statements)


def test_blind_backend_never_reads_predictions(world):
    """The UI's backend in blind mode: start, fetch, search, save, undo, predict."""
    from workbench.tui.backend import Backend

    engine, sids, tids = world

    def factory():
        raise AssertionError("a blind session must not load models")

    backend = Backend(engine, fresh("blindui"), blind=True, predictor_factory=factory)
    with sql_log(engine) as statements:
        info = backend.start()
        items, _ = backend.fetch(3)
        backend.search("plan")
        backend.save(NewDecision(*items[0].key, stance="favor", sentiment="neutral", suggestions_shown=False))
        backend.undo()
        assert backend.predict(items) == {}
        backend.progress()
    assert info.problem is None and len(items) == 3
    assert all(i.stance is None and i.sentiment is None for i in items)
    assert not reads_predictions(statements)


# -- hypothesis: interleavings ----------------------------------------------------------------------

actions = st.tuples(
    st.integers(0, 2),  # who
    st.sampled_from(["label", "label", "label", "skip", "flag", "undo", "undo"]),
    st.integers(0, N_STATEMENTS - 1), st.integers(0, len(TARGETS) - 1),
    st.sampled_from(STANCES + (None,)), st.sampled_from(SENTIMENTS + (None,)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(n_annotators=st.integers(2, 3), steps=st.lists(actions, min_size=1, max_size=25),
       blind=st.lists(st.booleans(), min_size=3, max_size=3))
def test_interleaved_actions_match_each_annotators_own_model(world, n_annotators, steps, blind):
    engine, sids, tids = world
    names = [fresh(f"H{i}") for i in range(n_annotators)]
    ids = [annotator_id(engine, n) for n in names]
    models = [Model() for _ in names]
    for who, action, si, ti, stance, sentiment in steps:
        who %= n_annotators
        key = ItemKey(sids[si], tids[ti])
        with transaction(engine) as s:
            annotator = repository.get_or_create_annotator(s, names[who])
            if action == "undo":
                withdrawn = undo_last(s, annotator)
                expected = models[who].undo()
                assert (withdrawn is None) == (expected is None)
                if withdrawn is not None:
                    assert withdrawn.annotator_id == ids[who]
                    assert (withdrawn.action, withdrawn.statement_id, withdrawn.target_id) == (
                        expected.action, *expected.key)
                continue
            if action == "label" and stance is None and sentiment is None:
                stance = "neutral"
            if action != "label":
                stance = sentiment = None
            record(s, annotator, NewDecision(*key, action=action, stance=stance, sentiment=sentiment))
            models[who].events.append(Event(action, key, stance, sentiment))
    for i, name in enumerate(names):
        check_annotator(engine, name, ids[i], models[i], sids, tids, blind[i])

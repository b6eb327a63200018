"""Copy another database's decision log into this one (what `workbench merge` does), idempotently.

Statements are matched by document sha256 (never by name: names can be shared) plus offsets;
targets by text (created here if missing); annotators by name (created as needed);
predictions a decision points at by (item, task, model name, version, label) (copied if
missing). An event is "the same event" when annotator, item, action, labels, creation
time and the event it supersedes all match, so merging twice — or merging back a copy —
adds nothing. Copied events keep their original created_at; undo events keep pointing at the
(local copy of the) event they withdraw. The copy is one transaction: a decision on a statement
this database lacks aborts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError

from db.engine import readonly, transaction
from db.errors import StorageError, first_line
from db.lookup import statements_by_sha_and_span, target_id_by_text
from db.plaintext import clean_text
from db.repository import ensure_target, find_or_add_prediction, get_or_create_annotator
from db.schema import Adjudication, Annotator, Decision, Document, Prediction, Statement, Target


class CopyRefused(StorageError):
    """The other database's log cannot be copied here (nothing was)."""


DECISION_FIELDS = ("action", "stance", "sentiment", "accepted_as_is", "suggestions_shown", "duration_ms",
                   "reason_codes", "order_mode", "source")  # and the note, cleaned of control characters


@dataclass
class MergeSummary:
    decisions_added: int = 0
    decisions_present: int = 0
    adjudications_added: int = 0
    adjudications_present: int = 0
    predictions_added: int = 0
    targets_added: int = 0


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _aware(value: datetime | None) -> datetime | None:
    """Timestamps are UTC; SQLite hands them back naive, PostgreSQL needs them aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def _read_other(other: Engine) -> dict:
    with readonly(other).connect() as conn:
        def rows(query):
            return conn.execute(query).all()

        return {
            "statements": {r.id: r for r in rows(
                select(Statement.id, Statement.start, Statement.end, Document.sha256, Document.source)
                .join(Document, Document.id == Statement.document_id))},
            "targets": dict(rows(select(Target.id, Target.text))),
            "target_descriptions": dict(rows(select(Target.text, Target.description))),
            "annotators": dict(rows(select(Annotator.id, Annotator.name))),
            "predictions": {r.id: r for r in rows(select(Prediction.__table__))},
            "decisions": rows(select(Decision.__table__).order_by(Decision.id)),
            "adjudications": rows(select(Adjudication.__table__).order_by(Adjudication.id)),
        }


def copy_log(local: Engine, other: Engine) -> MergeSummary:
    """Copy `other`'s decisions and adjudications into `local` in one transaction, each with its original
    created_at (and the predictions, targets and annotators they name); raises CopyRefused, nothing copied,
    when `other` names a statement `local` lacks or holds a value `local` cannot store."""
    if local.url == other.url:
        raise CopyRefused("cannot merge a database into itself")
    theirs = _read_other(other)
    try:
        return _merge(local, theirs)
    except (StatementError, UnicodeEncodeError) as exc:
        # SQLite keeps what PostgreSQL refuses (a NUL in a model name, say): the merge is rolled back whole
        raise CopyRefused(f"the other database holds a value this one cannot store ({first_line(exc)}); "
                          "nothing merged") from None


def _merge(local: Engine, theirs: dict) -> MergeSummary:
    summary = MergeSummary()
    with transaction(local) as session:
        by_sha = statements_by_sha_and_span(session)

        statement_map: dict[int, int] = {}

        def local_statement(other_id: int) -> int:
            if other_id not in statement_map:
                r = theirs["statements"][other_id]
                # by the text's hash only: a same-named document with another text is another document,
                # and offsets into it would label the wrong words
                found = by_sha.get((r.sha256, r.start, r.end))
                if found is None:
                    raise CopyRefused(
                        f"the other database has decisions on a statement this one lacks: {r.source} "
                        f"{r.start}:{r.end}, document sha256 {r.sha256[:12]}… (ingest and extract that same text "
                        "here first)")
                statement_map[other_id] = found
            return statement_map[other_id]

        target_map: dict[int, int] = {}

        def local_target(other_id: int | None) -> int | None:
            if other_id is None:
                return None
            if other_id not in target_map:
                text = theirs["targets"][other_id]
                existed = target_id_by_text(session, text)
                target = ensure_target(session, text, theirs["target_descriptions"].get(text))
                summary.targets_added += existed is None
                target_map[other_id] = target.id
            return target_map[other_id]

        annotator_map: dict[int, int] = {}

        def local_annotator(other_id: int) -> int:
            if other_id not in annotator_map:
                annotator_map[other_id] = get_or_create_annotator(session, theirs["annotators"][other_id]).id
            return annotator_map[other_id]

        prediction_map: dict[int, int] = {}

        def local_prediction(other_id: int | None) -> int | None:
            if other_id is None:
                return None
            if other_id not in prediction_map:
                p = theirs["predictions"][other_id]
                sid, tid = local_statement(p.statement_id), local_target(p.target_id)
                found, added = find_or_add_prediction(session, sid, tid, p.task, p.label, p.probabilities,
                                                      p.model_name, p.model_version, _aware(p.created_at),
                                                      p.precision)
                summary.predictions_added += added
                prediction_map[other_id] = found
            return prediction_map[other_id]

        # -- decisions ----------------------------------------------------------------------
        def decision_key(annotator_id, sid, tid, action, stance, sentiment, created_at, supersedes):
            return (annotator_id, sid, tid, action, stance, sentiment, _utc(created_at), supersedes)

        existing = {decision_key(*r[:-1]): r[-1] for r in session.execute(
            select(Decision.annotator_id, Decision.statement_id, Decision.target_id, Decision.action,
                   Decision.stance, Decision.sentiment, Decision.created_at, Decision.supersedes_id, Decision.id))}
        decision_map: dict[int, int] = {}
        for d in theirs["decisions"]:
            sid, tid, aid = local_statement(d.statement_id), local_target(d.target_id), local_annotator(d.annotator_id)
            supersedes = decision_map.get(d.supersedes_id) if d.supersedes_id is not None else None
            key = decision_key(aid, sid, tid, d.action, d.stance, d.sentiment, d.created_at, supersedes)
            if key in existing:
                decision_map[d.id] = existing[key]
                summary.decisions_present += 1
                continue
            row = Decision(statement_id=sid, target_id=tid, annotator_id=aid, supersedes_id=supersedes,
                           stance_prediction_id=local_prediction(d.stance_prediction_id),
                           sentiment_prediction_id=local_prediction(d.sentiment_prediction_id),
                           created_at=_aware(d.created_at), **{f: getattr(d, f) for f in DECISION_FIELDS},
                           note=None if d.note is None else clean_text(d.note))
            session.add(row)
            session.flush()
            decision_map[d.id] = existing[key] = row.id
            summary.decisions_added += 1

        # -- adjudications --------------------------------------------------------------------
        def adjudication_key(adjudicator_id, sid, tid, task, action, label, created_at, supersedes):
            return (adjudicator_id, sid, tid, task, action, label, _utc(created_at), supersedes)

        existing_adj = {adjudication_key(*r[:-1]): r[-1] for r in session.execute(
            select(Adjudication.adjudicator_id, Adjudication.statement_id, Adjudication.target_id,
                   Adjudication.task, Adjudication.action, Adjudication.label, Adjudication.created_at,
                   Adjudication.supersedes_id, Adjudication.id))}
        adjudication_map: dict[int, int] = {}
        for a in theirs["adjudications"]:
            sid, tid = local_statement(a.statement_id), local_target(a.target_id)
            aid = local_annotator(a.adjudicator_id)
            supersedes = adjudication_map.get(a.supersedes_id) if a.supersedes_id is not None else None
            key = adjudication_key(aid, sid, tid, a.task, a.action, a.label, a.created_at, supersedes)
            if key in existing_adj:
                adjudication_map[a.id] = existing_adj[key]
                summary.adjudications_present += 1
                continue
            row = Adjudication(statement_id=sid, target_id=tid, task=a.task, label=a.label, adjudicator_id=aid,
                               action=a.action, supersedes_id=supersedes,
                               note=None if a.note is None else clean_text(a.note), created_at=_aware(a.created_at))
            session.add(row)
            session.flush()
            adjudication_map[a.id] = existing_adj[key] = row.id
            summary.adjudications_added += 1
    return summary

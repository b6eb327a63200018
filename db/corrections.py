"""Corrections of the extraction, as events of the decision log (so `u` undoes them like any decision).

* ``not_statement``: the span is not a statement at all. One annotator's standing verdict takes the
  statement out of their own queue, of `--gold-only` exports and of training (as the `not_a_statement`
  flag reason always did); it leaves every annotator's queue once **agreed**: standing verdicts of
  AGREEMENT (2) different annotators, or the adjudicator's standing gold verdict `not_a_statement`
  (db.adjudication; `mark_not_statement(adjudicated=True)` records one from code, source "adjudicate").
* ``fix_span``: new offsets into the document; ``fix_speaker``: a new speaker (name, speaker_id,
  role, type). The statement row keeps what the extractor found; the current value of each is
  the newest standing correction of any annotator (`current_corrections`).
* ``add_statement``: a statement the extractor missed; the statement row is the annotator's
  (extractor_version ADDED_VERSION) and stands while its add event stands: undone, it leaves the
  queue and the export.

Read helpers take a Session or a Connection (the export reads through Core).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, case, exists, func, or_, select, union
from sqlalchemy.orm import Session

from db.gold import gold_excluded_statements
from db.decisions import NOT_A_STATEMENT, stands
from db.errors import StorageError
from db.plaintext import clean_line
from db.schema import SPEAKER_TYPES, Annotator, Decision, Document, Statement

ADDED_VERSION = "annotator"   # extractor_version of a statement an annotator added
AGREEMENT = 2                 # distinct annotators whose verdicts make "not a statement" agreed
ADJUDICATED = "adjudicate"    # the source of a verdict given by an adjudicator: agreed at once
REVIEW_ACTIONS = ("label", "flag", "not_about", "not_statement", "fix_span", "fix_speaker")


@dataclass(frozen=True)
class SpeakerChoice:
    speaker: str
    speaker_id: str | None = None
    speaker_role: str | None = None
    speaker_type: str = "other"


@dataclass(frozen=True)
class Corrected:
    """A statement's current values where some correction stands (the others as extracted)."""
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_id: str | None
    speaker_role: str | None
    speaker_type: str
    span_fixed: bool
    speaker_fixed: bool


def _standing(row=Decision):
    return stands(row)


def _append(session: Session, annotator: Annotator, statement_id: int, target_id: int | None, action: str,
            source: str = "ui", duration_ms: int | None = None, **fields) -> Decision:
    row = Decision(annotator_id=annotator.id, statement_id=statement_id, target_id=target_id, action=action,
                   source=source, duration_ms=duration_ms, reason_codes=[], suggestions_shown=False, **fields)
    session.add(row)
    session.flush()
    return row


def _statement(session: Session, statement_id: int) -> tuple[Statement, str]:
    found = session.execute(select(Statement, Document.text).join(Document, Document.id == Statement.document_id)
                            .where(Statement.id == statement_id)).first()
    if found is None:
        raise StorageError(f"no statement with id {statement_id}")
    return found[0], found[1]


def _check_span(text: str, start: int, end: int) -> None:
    if not (0 <= start < end <= len(text)):
        raise StorageError(f"span {start}:{end} is outside the document (0:{len(text)})")
    if not text[start:end].strip():
        raise StorageError("the span holds no text")


def _choice_fields(choice: SpeakerChoice) -> dict:
    name = " ".join(clean_line(choice.speaker or "").split())
    if not name:
        raise StorageError("a speaker needs a name")
    if choice.speaker_type not in SPEAKER_TYPES:
        raise StorageError(f"unknown speaker type {choice.speaker_type!r} (expected one of {', '.join(SPEAKER_TYPES)})")
    role = " ".join(clean_line(choice.speaker_role).split()) or None if choice.speaker_role else None
    return {"corrected_speaker": name, "corrected_speaker_id": choice.speaker_id or None,
            "corrected_speaker_role": role, "corrected_speaker_type": choice.speaker_type}


# -- writing -----------------------------------------------------------------------------------

def mark_not_statement(session: Session, annotator: Annotator, statement_id: int, target_id: int | None = None,
                       *, adjudicated: bool = False, duration_ms: int | None = None) -> Decision:
    _statement(session, statement_id)
    return _append(session, annotator, statement_id, target_id, "not_statement",
                   source=ADJUDICATED if adjudicated else "ui", duration_ms=duration_ms)


def fix_span(session: Session, annotator: Annotator, statement_id: int, target_id: int | None, start: int, end: int,
             *, duration_ms: int | None = None) -> Decision:
    statement, text = _statement(session, statement_id)
    _check_span(text, start, end)
    current = current_corrections(session, [statement_id]).get(statement_id)
    now = (current.start, current.end) if current else (statement.start, statement.end)
    if (start, end) == now:
        raise StorageError("the span is unchanged")
    return _append(session, annotator, statement_id, target_id, "fix_span", duration_ms=duration_ms,
                   corrected_start=start, corrected_end=end)


def fix_speaker(session: Session, annotator: Annotator, statement_id: int, target_id: int | None,
                choice: SpeakerChoice, *, duration_ms: int | None = None) -> Decision:
    _statement(session, statement_id)
    return _append(session, annotator, statement_id, target_id, "fix_speaker", duration_ms=duration_ms,
                   **_choice_fields(choice))


def add_statement(session: Session, annotator: Annotator, document_id: int, start: int, end: int,
                  choice: SpeakerChoice, target_id: int | None = None, *,
                  duration_ms: int | None = None) -> tuple[Statement, Decision]:
    """A statement the extractor missed. A span that is a statement already is refused; one an
    annotator added and then withdrew (undo) is added again."""
    text = session.scalar(select(Document.text).where(Document.id == document_id))
    if text is None:
        raise StorageError(f"no document with id {document_id}")
    _check_span(text, start, end)
    fields = _choice_fields(choice)
    row = session.scalars(select(Statement).where(Statement.document_id == document_id, Statement.start == start,
                                                  Statement.end == end)).first()
    if row is not None and (row.extractor_version != ADDED_VERSION or session.scalar(
            select(exists(standing_additions().where(Decision.statement_id == row.id))))):
        raise StorageError("that span is a statement already")
    if row is None:
        span = text[start:end]
        row = Statement(document_id=document_id, start=start, end=end, text=span,
                        speaker=fields["corrected_speaker"], speaker_id=fields["corrected_speaker_id"],
                        speaker_role=fields["corrected_speaker_role"], speaker_type=fields["corrected_speaker_type"],
                        kind="direct" if span.lstrip()[:1] in "\"“‘'«" else "indirect", cue=None,
                        extractor_version=ADDED_VERSION)
        session.add(row)
        session.flush()
    return row, _append(session, annotator, row.id, target_id, "add_statement", duration_ms=duration_ms, **fields)


# -- reading -----------------------------------------------------------------------------------

def standing_additions() -> select:
    return select(Decision.statement_id).where(Decision.action == "add_statement", _standing())


def withdrawn_additions() -> select:
    """Statements an annotator added whose add event was undone: out of the queue and the export.
    (Read from the log by action, an index range, not by scanning statements for their version.)"""
    return select(Decision.statement_id).where(Decision.action == "add_statement",
                                               Decision.statement_id.not_in(standing_additions()))


def agreed_not_statements() -> select:
    """Statement ids whose "not a statement" verdict is agreed (AGREEMENT annotators, or an adjudicator)."""
    return (select(Decision.statement_id).where(Decision.action == "not_statement", _standing())
            .group_by(Decision.statement_id)
            .having(or_(func.count(func.distinct(Decision.annotator_id)) >= AGREEMENT,
                        func.max(case((Decision.source == ADJUDICATED, 1), else_=0)) == 1)))


def out_of_queue(annotator_id: int) -> select:
    """Statements this annotator is not asked about: agreed not-statements, their own verdicts,
    withdrawn additions."""
    own = select(Decision.statement_id).where(Decision.action == "not_statement", Decision.annotator_id == annotator_id,
                                              _standing())
    # an adjudicator's gold verdict `not_a_statement` (adjudicate `e`) is agreed too
    return union(agreed_not_statements(), gold_excluded_statements(), own, withdrawn_additions())


def not_statement_verdicts(conn, statement_ids: Iterable[int] | None = None) -> dict[int, tuple[list[str], bool]]:
    """statement id -> (annotators whose standing verdict says "not a statement", sorted; agreed?)."""
    query = (select(Decision.statement_id, Annotator.name, Decision.source)
             .join(Annotator, Annotator.id == Decision.annotator_id)
             .where(Decision.action == "not_statement", _standing()))
    if statement_ids is not None:
        query = query.where(Decision.statement_id.in_(list(statement_ids)))
    names: dict[int, set[str]] = {}
    adjudicated: set[int] = set()
    for sid, name, source in conn.execute(query):
        names.setdefault(sid, set()).add(name)
        if source == ADJUDICATED:
            adjudicated.add(sid)
    return {sid: (sorted(found), len(found) >= AGREEMENT or sid in adjudicated) for sid, found in names.items()}


def statements_not_a_statement(conn) -> set[int]:
    """Statements some standing verdict or flag says are not statements: out of gold exports and training."""
    from db.decisions import statements_flagged

    verdicts = set(conn.execute(select(Decision.statement_id).where(Decision.action == "not_statement",
                                                                     _standing())).scalars())
    return (verdicts | statements_flagged(conn, NOT_A_STATEMENT) | set(conn.execute(withdrawn_additions()).scalars())
            | set(conn.execute(gold_excluded_statements()).scalars()))


def judged_statements() -> select:
    """Statements with a standing verdict (`r` not about a target, `k` not a statement): exported
    although no one labelled them."""
    return select(Decision.statement_id).where(Decision.action.in_(("not_about", "not_statement")), _standing())


def not_about_query() -> select:
    """The standing not-about verdicts (statement, target, annotator) of the statements bound as `ids`."""
    return (select(Decision.statement_id, Decision.target_id, Decision.annotator_id)
            .where(Decision.statement_id.in_(bindparam("ids", expanding=True)), Decision.action == "not_about",
                   _standing()))


def added_by_query() -> select:
    """(statement, annotator) of the standing add events of the statements bound as `ids`."""
    return (select(Decision.statement_id, Decision.annotator_id)
            .where(Decision.statement_id.in_(bindparam("ids", expanding=True)), Decision.action == "add_statement",
                   _standing()).order_by(Decision.id))


def current_corrections(conn, statement_ids: Iterable[int]) -> dict[int, Corrected]:
    """The statements' current values, for those with a standing span or speaker correction."""
    ids = list(statement_ids)
    if not ids:
        return {}
    newest: dict[tuple[int, str], tuple] = {}
    for row in conn.execute(
            select(Decision.statement_id, Decision.action, Decision.corrected_start, Decision.corrected_end,
                   Decision.corrected_speaker, Decision.corrected_speaker_id, Decision.corrected_speaker_role,
                   Decision.corrected_speaker_type)
            .where(Decision.statement_id.in_(ids), Decision.action.in_(("fix_span", "fix_speaker")), _standing())
            .order_by(Decision.id)):
        newest[(row[0], row[1])] = row  # oldest first: the newest wins
    touched = {sid for sid, _ in newest}
    if not touched:
        return {}
    out = {}
    for sid, start, end, text, speaker, speaker_id, role, kind, doc_text in conn.execute(
            select(Statement.id, Statement.start, Statement.end, Statement.text, Statement.speaker,
                   Statement.speaker_id, Statement.speaker_role, Statement.speaker_type, Document.text)
            .join(Document, Document.id == Statement.document_id).where(Statement.id.in_(touched))):
        span, who = newest.get((sid, "fix_span")), newest.get((sid, "fix_speaker"))
        if span is not None:
            start, end = span[2], span[3]
            text = doc_text[start:end]
        if who is not None:
            speaker, speaker_id, role, kind = who[4], who[5], who[6], who[7] or "other"
        out[sid] = Corrected(start, end, text, speaker, speaker_id, role, kind, span is not None, who is not None)
    return out


def document_people(conn, document_id: int) -> list[SpeakerChoice]:
    """The people the article names: its statements' speakers (the extractor's canonical ones and the
    corrected ones), one per speaker_id (the fullest name) or, without one, per name, in order of first mention."""
    seen: dict[str, SpeakerChoice] = {}
    rows = list(conn.execute(select(Statement.speaker, Statement.speaker_id, Statement.speaker_role,
                                    Statement.speaker_type)
                             .where(Statement.document_id == document_id, Statement.speaker.is_not(None))
                             .order_by(Statement.start)))
    rows += list(conn.execute(select(Decision.corrected_speaker, Decision.corrected_speaker_id,
                                     Decision.corrected_speaker_role, Decision.corrected_speaker_type)
                              .join(Statement, Statement.id == Decision.statement_id)
                              .where(Statement.document_id == document_id,
                                     Decision.action.in_(("fix_speaker", "add_statement")), _standing())
                              .order_by(Decision.id)))
    for speaker, speaker_id, role, kind in rows:
        if not speaker:
            continue
        person = speaker_id or "name:" + speaker.casefold()
        known = seen.get(person)
        if known is None or len(speaker) > len(known.speaker):
            seen[person] = SpeakerChoice(speaker, speaker_id, role or (known.speaker_role if known else None),
                                             kind or "other")
    return list(seen.values())


def extraction_quality(conn) -> dict:
    """Extraction precision, span and speaker accuracy as annotators' corrections measure them, per
    extractor version. A statement is reviewed when some annotator holds a standing event on it (a
    label, flag, not-about or not-a-statement verdict, or a correction); precision is the share of
    reviewed statements no standing verdict (or not_a_statement flag) calls not a statement; span and
    speaker accuracy are the shares of the remaining ones without a standing span / speaker correction."""
    S = Statement
    reviewed = select(Decision.statement_id).where(Decision.action.in_(REVIEW_ACTIONS), _standing()).distinct()
    versions = dict(conn.execute(select(S.id, S.extractor_version).where(
        S.id.in_(reviewed), S.extractor_version != ADDED_VERSION)).all())
    not_statements = statements_not_a_statement(conn)
    fixed = {action: set(conn.execute(select(Decision.statement_id).where(Decision.action == action, _standing()))
                         .scalars()) for action in ("fix_span", "fix_speaker")}
    added = conn.execute(select(func.count()).select_from(standing_additions().distinct().subquery())).scalar() or 0

    def measure(ids: list[int]) -> dict:
        statements = [i for i in ids if i not in not_statements]
        n = len(statements)
        span_fixed = sum(1 for i in statements if i in fixed["fix_span"])
        speaker_fixed = sum(1 for i in statements if i in fixed["fix_speaker"])
        return {"n_reviewed": len(ids), "n_not_statement": len(ids) - n,
                "precision": n / len(ids) if ids else None,
                "n_span_fixed": span_fixed, "span_accuracy": 1 - span_fixed / n if n else None,
                "n_speaker_fixed": speaker_fixed, "speaker_accuracy": 1 - speaker_fixed / n if n else None}

    by_version: dict[str, list[int]] = {}
    for sid, version in versions.items():
        by_version.setdefault(version, []).append(sid)
    return {"by_version": {v: measure(ids) for v, ids in sorted(by_version.items())},
            "overall": measure(list(versions)), "n_added": added}


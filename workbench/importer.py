"""Import decisions from JSONL, all or nothing.

Two line forms are accepted (they can be mixed):

* the minimal form, one decision per line::

    {"doc": "000_1dd885126ebaad5d.txt", "start": 1234, "end": 1301,
     "target": "the CSTO peacekeeping operation in Kazakhstan" | null,
     "annotator": "ann1", "stance": "favor" | "against" | "neutral" | null,
     "sentiment": "positive" | "negative" | "neutral" | null}

  optionally with "note", "reason_codes", "duration_ms", "order_mode",
  "suggestions_shown", "accepted_as_is" and "labelled_at";

* a row of `workbench export --format jsonl` (recognised by its "annotations" key): every
  annotation becomes a decision with its times, queue order, flags and the pre-label it saw
  (the prediction is found or recreated), the gold label becomes an adjudication and the
  item's newest prediction is found or recreated. Exporting the imported database again
  gives the same rows — the lossless round trip.

Statements are matched by document (sha256 when the line has `doc_sha256`, else the
source name) and offsets; targets by text and must exist; annotators are created as
needed. Every imported decision gets source="import". Any bad line aborts the whole import
with `FILE:LINE: reason`; nothing is written.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from db.decisions import NewDecision, record
from db.engine import transaction
from db.errors import StorageError
from db.repository import find_or_add_prediction, get_or_create_annotator, statement_by_span
from db.schema import LABELS_BY_TASK, TASKS, Adjudication, Document, Statement, Target
from workbench.errors import WorkbenchError

MINIMAL_KEYS = {"doc", "start", "end", "target", "annotator", "stance", "sentiment"}
OPTIONAL_KEYS = {"note", "reason_codes", "duration_ms", "order_mode", "suggestions_shown", "accepted_as_is",
                 "labelled_at", "doc_sha256"}


class LineError(Exception):
    """What is wrong with one line (the caller adds file and line number)."""


@dataclass
class ImportSummary:
    lines: int = 0
    decisions: int = 0
    adjudications: int = 0
    predictions: int = 0
    annotators_created: int = 0


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LineError(f"timestamp must be an ISO-8601 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
        return parsed.astimezone(timezone.utc) if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError):  # OverflowError: a year-9999 time shifted past UTC's range
        raise LineError(f"bad timestamp: {value!r}") from None


MAX_INT = 2**63 - 1  # what every database's BIGINT holds


def _int(obj: dict, key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise LineError(f"{key!r} must be a non-negative integer, got {value!r}")
    return value


def _opt_int(obj: dict, key: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key)


def _opt_text(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise LineError(f"{key!r} must be a string or null, got {value!r}")
    return value


def _reasons(obj: dict) -> tuple[str, ...]:
    reasons = obj.get("reason_codes") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise LineError(f"'reason_codes' must be a list of strings, got {reasons!r}")
    return tuple(reasons)


def _probabilities(value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
            for v in value.values()):
        raise LineError(f"'probabilities' must be an object of numbers, got {value!r}")
    return {k: float(v) for k, v in value.items() if v is not None}


def _str(obj: dict, key: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"{key!r} must be a non-empty string, got {value!r}")
    return value


def _bool(value: Any, key: str, default: bool | None) -> bool | None:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise LineError(f"{key!r} must be true or false, got {value!r}")
    return value


class Importer:
    def __init__(self, session: Session):
        self.session = session
        self.summary = ImportSummary()
        self._statements: dict[tuple, int] = {}
        self._targets: dict[str, int] = {}
        self._annotators: dict[str, Any] = {}

    # -- lookups -----------------------------------------------------------------------------
    def statement_id(self, obj: dict) -> int:
        doc = _str(obj, "doc")
        start, end = _int(obj, "start"), _int(obj, "end")
        sha = _opt_text(obj, "doc_sha256")
        key = (sha or doc, start, end)
        if key in self._statements:
            return self._statements[key]
        found = None
        if sha:
            found = self.session.scalars(
                select(Statement).join(Document).where(Document.sha256 == sha, Statement.start == start,
                                                       Statement.end == end)).first()
        if found is None:
            found = statement_by_span(self.session, doc, start, end)
        if found is None:
            raise LineError(f"unknown statement: no statement at {doc} {start}:{end} "
                            "(ingest and extract the document first)")
        self._statements[key] = found.id
        return found.id

    def target_id(self, text: Any) -> int | None:
        if text is None:
            return None
        if not isinstance(text, str):
            raise LineError(f"'target' must be a string or null, got {text!r}")
        norm = " ".join(text.split())
        if norm not in self._targets:
            found = self.session.scalar(select(Target.id).where(Target.text == norm))
            if found is None:
                raise LineError(f"unknown target: {text!r} (add it with `workbench targets add`)")
            self._targets[norm] = found
        return self._targets[norm]

    def annotator(self, name: Any):
        if not isinstance(name, str) or not name.strip():
            raise LineError(f"'annotator' must be a non-empty string, got {name!r}")
        if name not in self._annotators:
            from db.schema import Annotator

            existed = self.session.scalar(select(Annotator.id).where(Annotator.name == name.strip()))
            self._annotators[name] = get_or_create_annotator(self.session, name)
            self.summary.annotators_created += existed is None
        return self._annotators[name]

    def prediction_id(self, statement_id: int, target_id: int | None, task: str, pred: dict | None) -> int | None:
        if pred is None:
            return None
        if not isinstance(pred, dict):
            raise LineError(f"a prediction must be an object, got {pred!r}")
        name, version, label = pred.get("model_name"), pred.get("model_version"), pred.get("label")
        if not (isinstance(name, str) and isinstance(version, str)) or label not in LABELS_BY_TASK[task]:
            raise LineError(f"bad {task} prediction: {pred!r}")
        pid, added = find_or_add_prediction(self.session, statement_id, target_id, task, label,
                                            _probabilities(pred.get("probabilities")), name, version)
        self.summary.predictions += added
        return pid

    # -- line forms ----------------------------------------------------------------------------
    def minimal(self, obj: dict) -> None:
        unknown = set(obj) - MINIMAL_KEYS - OPTIONAL_KEYS
        if unknown:
            raise LineError(f"unknown field(s): {', '.join(sorted(unknown))}")
        missing = {"doc", "start", "end", "annotator"} - set(obj)
        if missing:
            raise LineError(f"missing field(s): {', '.join(sorted(missing))}")
        stance, sentiment = obj.get("stance"), obj.get("sentiment")
        if stance is None and sentiment is None:
            raise LineError("a decision needs a stance or a sentiment")
        sid = self.statement_id(obj)
        tid = self.target_id(obj.get("target"))
        if stance is not None and tid is None:
            raise LineError("a stance label needs a target")
        decision = NewDecision(
            statement_id=sid, target_id=tid, stance=stance, sentiment=sentiment,
            suggestions_shown=_bool(obj.get("suggestions_shown"), "suggestions_shown", False),
            accepted_as_is=_bool(obj.get("accepted_as_is"), "accepted_as_is", None),
            duration_ms=_opt_int(obj, "duration_ms"), reason_codes=_reasons(obj), note=_opt_text(obj, "note"),
            order_mode=_opt_text(obj, "order_mode"), source="import", created_at=_parse_time(obj.get("labelled_at")))
        record(self.session, self.annotator(obj["annotator"]), decision)
        self.summary.decisions += 1

    def export_row(self, obj: dict) -> None:
        task = obj.get("task")
        if task not in TASKS:
            raise LineError(f"unknown task: {task!r}")
        sid = self.statement_id(obj)
        tid = self.target_id(obj.get("target"))
        if task == "stance" and tid is None:
            raise LineError("a stance row needs a target")
        if task == "sentiment":
            tid = None
        annotations = obj.get("annotations")
        if not isinstance(annotations, list):
            raise LineError("'annotations' must be a list")
        for ann in annotations:
            if not isinstance(ann, dict):
                raise LineError(f"an annotation must be an object, got {ann!r}")
            label = ann.get("label")
            if label not in LABELS_BY_TASK[task]:
                raise LineError(f"unknown {task} label: {label!r} (expected one of {', '.join(LABELS_BY_TASK[task])})")
            pid = self.prediction_id(sid, tid, task, ann.get("prelabel"))
            decision = NewDecision(
                statement_id=sid, target_id=tid,
                stance=label if task == "stance" else None, sentiment=label if task == "sentiment" else None,
                stance_prediction_id=pid if task == "stance" else None,
                sentiment_prediction_id=pid if task == "sentiment" else None,
                accepted_as_is=_bool(ann.get("accepted_as_is"), "accepted_as_is", None),
                suggestions_shown=_bool(ann.get("suggestions_shown"), "suggestions_shown", False),
                duration_ms=_opt_int(ann, "duration_ms"), reason_codes=_reasons(ann), note=_opt_text(ann, "note"),
                order_mode=_opt_text(ann, "order_mode"), source="import",
                created_at=_parse_time(ann.get("labelled_at")))
            record(self.session, self.annotator(ann.get("annotator")), decision)
            self.summary.decisions += 1
        if obj.get("predicted") is not None:
            self.prediction_id(sid, tid, task, {"model_name": obj.get("model_name"),
                                                "model_version": obj.get("model_version"),
                                                "label": obj.get("predicted"),
                                                "probabilities": obj.get("probabilities")})
        gold = obj.get("gold")
        if gold is not None:
            if gold not in LABELS_BY_TASK[task]:
                raise LineError(f"unknown {task} gold label: {gold!r}")
            adjudicator = self.annotator(obj.get("gold_by") or "import")
            row = Adjudication(statement_id=sid, target_id=tid, task=task, label=gold, action="set",
                               adjudicator_id=adjudicator.id, note=_opt_text(obj, "gold_note"))
            at = _parse_time(obj.get("adjudicated_at"))
            if at is not None:
                row.created_at = at
            self.session.add(row)
            self.session.flush()
            self.summary.adjudications += 1

    def line(self, obj: Any) -> None:
        if not isinstance(obj, dict):
            raise LineError("each line must be a JSON object")
        self.summary.lines += 1
        if "annotations" in obj:
            self.export_row(obj)
        else:
            self.minimal(obj)


_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def _one_line(text: str) -> str:
    """Values quoted from the file (field names, document names) may hold line breaks: escape them."""
    return text.translate(_LINE_BREAKS)


def import_jsonl(engine: Engine, path: str) -> ImportSummary:
    """Import a JSONL file in one transaction; raises WorkbenchError naming FILE:LINE on any problem."""
    try:
        handle = open(path, "rb")  # decoded line by line: a bad byte is reported on its own line
    except OSError as exc:
        raise WorkbenchError(f"cannot read {path}: {exc.strerror}") from None
    with handle, transaction(engine) as session:
        importer = Importer(session)
        lineno = 0
        try:
            for lineno, raw in enumerate(handle, 1):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise LineError("not UTF-8 text") from None
                if not text.strip():
                    continue
                if "\x00" in text:
                    raise LineError("binary data (NUL bytes), not JSON text")
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise LineError(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
                except (ValueError, RecursionError) as exc:  # e.g. a 5000-digit number, [[[[...
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise LineError(f"malformed JSON: {reason}") from None
                try:
                    importer.line(obj)
                except (StatementError, OverflowError) as exc:  # a value the database cannot store
                    orig = getattr(exc, "orig", None) or exc
                    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
                    raise LineError(f"the database refused a value: {first}") from None
        except (LineError, StorageError) as exc:
            raise WorkbenchError(f"{path}:{lineno}: {_one_line(str(exc))}") from None
        if importer.summary.lines == 0:
            raise WorkbenchError(f"{path}: empty file (no JSON lines); nothing imported")
        return importer.summary

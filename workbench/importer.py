"""Import decisions from JSONL, all or nothing.

Two line forms are accepted (they can be mixed):

* the minimal form, one decision per line::

    {"doc": "000_1dd885126ebaad5d.txt", "start": 1234, "end": 1301,
     "target": "the CSTO peacekeeping operation in Kazakhstan" | null,
     "annotator": "ann1", "stance": "favor" | "against" | "neutral" | null,
     "sentiment": "positive" | "negative" | "neutral" | null}

  optionally with "note", "reason_codes", "duration_ms", "order_mode",
  "suggestions_shown", "accepted_as_is", "labelled_at" and "doc_sha256";

* a row of `workbench export --format jsonl` (recognised by its "annotations" key): every
  annotation becomes a decision with its times, queue order, flags and the pre-label it saw
  (the prediction is found or recreated), the gold label becomes an adjudication and the
  item's newest prediction is found or recreated, and each of its `flags` becomes a flag event
  (reason codes, note, time; a flag repeated in the file, as a statement's flag is in its
  stance and its sentiment row, is one flag). Exporting the imported database again gives the
  same rows — the round trip (README, "What a round trip keeps").

Statements are matched by document and offsets. A line with `doc_sha256` names its
document by that hash alone (no document with it: an error, whatever the name says); a
line without it names the document by source name, which must then belong to exactly one
document — two files ingested from different folders can share a name, and guessing
would attach the label to the wrong text. Targets are matched by text; an export row creates a
missing one (it was a target where the row came from), a minimal line must name an existing one;
annotators are created as needed. Every imported decision gets source="import". Any bad
line aborts the whole import with `FILE:LINE: reason`; nothing is written.

Importing is idempotent: a decision that says what the annotator's standing decision on
the item already says (the current label export shows, with the same note and reason
codes), and a gold label the item's standing gold already has (with the same note), are
counted as already present and not written again, so importing a file twice — or an
export back into its own database — adds nothing. Times, durations and queue order
describe when and how a label was given, not what it says, so they are not compared. A
line that says something else (a changed label, a new note or reason) is a new decision
and is recorded.

A file may say several things in turn about one annotator's label on one item (`neutral`,
then `positive`): what stands after the file is the last of them. So the whole file is read
before anything is written, and where what stands after the file is what already stands
now, none of that item's lines is written (re-importing such a file would otherwise add the
same two decisions every time). Where it differs, the item's lines are written in file order,
each unless it repeats what stands at that moment, so the history the file tells is kept.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from db import lookup
from db.adjudication import gold_values, set_gold, standing_gold
from db.decisions import DecisionBatch, NewDecision, RowRefused, standing_flag, validate
from db.engine import transaction
from db.errors import StorageError, refused_values
from db.repository import ensure_target, find_annotator, find_or_add_prediction, get_or_create_annotator, target_text
from vocabulary import LABELS_BY_TASK, TASKS
from workbench.errors import WorkbenchError
from workbench.jsonline import JsonLineError, parse_json_line
from workbench.import_fields import (
    LineError,
    PredictionLine,
    annotator_name,
    bool_field,
    int_field,
    note_field,
    opt_int,
    opt_text,
    parse_time,
    prediction_line,
    quoted,
    reason_codes_field,
    str_field,
)

if TYPE_CHECKING:  # types only: workbench/ reaches the database through db/'s functions
    from db.engine import Engine, Session
    from db.repository import Annotator

MINIMAL_KEYS = {"doc", "start", "end", "target", "annotator", "stance", "sentiment"}
OPTIONAL_KEYS = {"note", "reason_codes", "duration_ms", "order_mode", "suggestions_shown", "accepted_as_is",
                 "labelled_at", "doc_sha256"}


@dataclass
class ImportSummary:
    lines: int = 0
    decisions: int = 0  # written; the counts below were already standing and are not written again
    decisions_present: int = 0
    adjudications: int = 0
    adjudications_present: int = 0
    predictions: int = 0
    annotators_created: int = 0

    def report(self) -> str:
        """The one line `workbench import` prints."""
        return (f"imported {self.decisions} decision(s) ({self.decisions_present} already present), "
                f"{self.adjudications} gold label(s) ({self.adjudications_present} already present), "
                f"{self.predictions} prediction(s) from {self.lines} line(s); "
                f"{self.annotators_created} new annotator(s)")


# What a line says about one label, keyed by whose label on which item (what "stands" is compared on):
#   ("stance", annotator id, statement id, target id) and ("sentiment", annotator id, statement id)
#       → (label, note, reason codes);
#   ("flag", annotator id, statement id, target id) → (reason codes, note);
#   ("gold", statement id, target id, task) → (label, note).
LabelKey = tuple
LabelContent = tuple


@dataclass(frozen=True)
class PendingWrite:
    """One line's decision or gold label, read and checked, written only once the whole file is read."""
    line: int
    kind: str  # "decision" | "gold"
    says: dict[LabelKey, LabelContent]
    write: Callable[[], bool]  # writes unless it repeats what stands at that moment; True when written


MAX_LINE_BYTES = 8 * 2**20  # an export row is a few KB; a longer line is not data this reads
HASHES_SHOWN = 3  # hashes listed when a name is ambiguous


class Importer:
    def __init__(self, session: Session):
        self.session = session
        self.summary = ImportSummary()
        self._documents: dict[tuple[str, str], int | None] = {}
        self._statements: dict[tuple[int, int, int], int] = {}
        self._targets: dict[str, int] = {}
        self._annotators: dict[str, Annotator] = {}
        self.line_number = 0  # the line being read: a decision written later names it if refused
        self._documents_read: set[int] = set()  # documents whose statements are all in _statements
        self._document_of: dict[int, int] = {}  # statement id → document id
        # (statement, target, task, label, model name, version) → newest such prediction's id, a document at a time
        self._predictions: dict[tuple, int] = {}
        self._predictions_read: set[int] = set()
        # decisions go in by executemany a chunk at a time; "what stands" is answered from memory
        self.decisions = DecisionBatch(session)
        self._pending: list[PendingWrite] = []
        self._after_file: dict[LabelKey, LabelContent] = {}  # what each label says once the file is read
        self._flags_seen: set[tuple] = set()

    # -- lookups -----------------------------------------------------------------------------
    def statement_id(self, obj: dict) -> int:
        name, sha = str_field(obj, "doc"), opt_text(obj, "doc_sha256")
        # an export's start/end are the corrected span; the statement is found by the stored one
        stored = obj.get("start_extracted") is not None and obj.get("end_extracted") is not None
        start, end = (int_field(obj, "start_extracted"), int_field(obj, "end_extracted")) if stored else (
            int_field(obj, "start"), int_field(obj, "end"))
        document = self.document_id(name, sha)
        key = (document, start, end)
        if key not in self._statements and document is not None and document not in self._documents_read:
            # a file names many statements of a document: one query reads them all
            for sid, s, e in lookup.statement_spans(self.session, document):
                self._statements[(document, s, e)] = sid
                self._document_of[sid] = document
            self._documents_read.add(document)
        if key not in self._statements:
            raise LineError(f"unknown statement: no statement at {name} {start}:{end} "
                            "(ingest and extract the document first)")
        return self._statements[key]

    def document_id(self, name: str, sha: str | None) -> int | None:
        """The document a line names: by `doc_sha256` when it has one (the hash decides), else by
        name. None when no document has the name (the caller reports the unknown statement)."""
        key = ("sha256", sha) if sha is not None else ("name", name)
        if key not in self._documents:
            self._documents[key] = self._document_by_sha(sha, name) if sha is not None else self._document_by_name(name)
        return self._documents[key]

    def _document_by_sha(self, sha: str, name: str) -> int:
        found = lookup.document_id_by_sha(self.session, sha)
        if found is None:
            # never fall back to the name: a hash that matches nothing means this text is not here
            raise LineError(f"unknown document: no document has doc_sha256 {quoted(sha)} "
                            f"(the line names {quoted(name)}; ingest that text first)")
        return found

    def _document_by_name(self, name: str) -> int | None:
        rows = lookup.documents_named(self.session, name)
        if len(rows) > 1:
            hashes = ", ".join(sha for _, sha in rows[:HASHES_SHOWN]) + (", …" if len(rows) > HASHES_SHOWN else "")
            raise LineError(f"ambiguous document: {len(rows)} documents are named {quoted(name)} "
                            f"(sha256 {hashes}); give \"doc_sha256\" on the line to say which")
        return rows[0].id if rows else None

    def target_id(self, text: Any, create: bool = False) -> int | None:
        """The target named by text. An export row may create it (it was a target where the row came
        from, as merge does); a hand-written minimal line may not, so a typo is an error, not a new target."""
        if text is None:
            return None
        if not isinstance(text, str):
            raise LineError(f"'target' must be a string or null, got {text!r}")
        norm = target_text(text)
        if norm not in self._targets:
            found = lookup.target_id_by_text(self.session, norm)
            if found is None and create:
                try:
                    found = ensure_target(self.session, norm).id
                except StorageError as exc:
                    raise LineError(str(exc)) from None
            if found is None:
                raise LineError(f"unknown target: {quoted(text)} (add it with `workbench targets add`)")
            self._targets[norm] = found
        return self._targets[norm]

    def annotator(self, name: Any) -> Annotator:
        name = annotator_name(name)
        if name not in self._annotators:
            existed = find_annotator(self.session, name)
            self._annotators[name] = get_or_create_annotator(self.session, name)
            self.summary.annotators_created += existed is None
        return self._annotators[name]

    def prediction_id(self, statement_id: int, target_id: int | None, pred: PredictionLine) -> int:
        """The prediction a line names (found or recreated, as `find_or_add_prediction` does); an
        export names one per annotation and per row, so a document's predictions are read at once."""
        key = (statement_id, target_id, pred.task, pred.label, pred.model_name, pred.model_version)
        document = self._document_of.get(statement_id)
        if key not in self._predictions and document is not None and document not in self._predictions_read:
            self._predictions_read.add(document)
            self._predictions.update(lookup.document_prediction_ids(self.session, document))
        if key not in self._predictions:
            self._predictions[key], added = find_or_add_prediction(
                self.session, statement_id, target_id, pred.task, pred.label, pred.probabilities, pred.model_name,
                pred.model_version)
            self.summary.predictions += added
        return self._predictions[key]

    def standing_content(self, annotator_id: int, statement_id: int, target_id: int | None,
                         task: str) -> tuple | None:
        """(label, note, reason codes) of the annotator's standing decision for the item, as
        `db.decisions.standing_labels` defines it (the decisions this import appended included)."""
        return self.decisions.standing(annotator_id, statement_id, target_id, task)

    def standing_flag(self, annotator_id: int, statement_id: int, target_id: int | None) -> tuple | None:
        """(reason codes, note) of the annotator's newest flag on the item that no undo withdrew."""
        self.decisions.flush()  # flags are rare: read from the database, this import's own written first
        return standing_flag(self.session, annotator_id, statement_id, target_id)

    def standing(self, key: LabelKey) -> LabelContent | None:
        """What stands in the database now for one label key (see LabelKey)."""
        if key[0] == "flag":
            return self.standing_flag(*key[1:])
        if key[0] == "gold":
            _, statement_id, target_id, task = key
            row = standing_gold(self.session, statement_id, target_id, task)
            return None if row is None else (row.label, row.note)
        task, annotator_id, statement_id, *target = key
        return self.standing_content(annotator_id, statement_id, target[0] if target else None, task)

    # -- reading a line's writes ------------------------------------------------------------------
    @staticmethod
    def decision_says(annotator: Annotator, decision: NewDecision) -> dict[LabelKey, LabelContent]:
        if decision.action == "flag":
            return {("flag", annotator.id, decision.statement_id, decision.target_id):
                    (tuple(decision.reason_codes), decision.note)}
        if decision.action != "label":
            return {}
        said = (decision.note, tuple(decision.reason_codes))
        says = {}
        if decision.stance is not None:
            says[("stance", annotator.id, decision.statement_id, decision.target_id)] = (decision.stance, *said)
        if decision.sentiment is not None:
            says[("sentiment", annotator.id, decision.statement_id)] = (decision.sentiment, *said)
        return says

    def _defer(self, kind: str, says: dict[LabelKey, LabelContent], write: Callable[[], bool]) -> None:
        self._pending.append(PendingWrite(self.line_number, kind, says, write))
        self._after_file.update(says)

    def add_decision(self, annotator: Annotator, decision: NewDecision, prelabel: PredictionLine | None = None) -> None:
        """Queue the decision; `finish` records it unless what it says already stands."""
        validate(decision)  # a bad line is an error even when what it says already stands
        self._defer("decision", self.decision_says(annotator, decision),
                    lambda: self._write_decision(annotator, decision, prelabel))

    def add_gold(self, statement_id: int, target_id: int | None, task: str, obj: dict) -> None:
        """Queue an export row's gold label; `finish` writes it unless the item's standing gold
        already says the same (label and note)."""
        gold = obj.get("gold")
        if gold is None:
            return
        if gold not in gold_values(task):  # a label, or an adjudicator's exclude verdict
            raise LineError(f"unknown {task} gold label: {gold!r}")
        adjudicator = annotator_name(obj.get("gold_by") or "import")
        note, at = note_field(obj, "gold_note"), parse_time(obj.get("adjudicated_at"))
        key = ("gold", statement_id, target_id, task)

        def write() -> bool:
            if self.standing(key) == (gold, note):
                return False
            set_gold(self.session, self.annotator(adjudicator), statement_id, target_id, task, gold, note, created_at=at)
            return True
        self._defer("gold", {key: (gold, note)}, write)

    # -- writing -------------------------------------------------------------------------------
    def already_stands(self, annotator: Annotator, decision: NewDecision) -> bool:
        """For every label the decision sets, the annotator's standing decision already says the same."""
        says = self.decision_says(annotator, decision)
        return bool(says) and all(self.standing(key) == content for key, content in says.items())

    def _write_decision(self, annotator: Annotator, decision: NewDecision, prelabel: PredictionLine | None) -> bool:
        if self.already_stands(annotator, decision):
            return False
        if prelabel is not None:  # only now: a decision not written needs no prediction copied in
            pid = self.prediction_id(decision.statement_id, decision.target_id, prelabel)
            decision = replace(decision, **{f"{prelabel.task}_prediction_id": pid})
        self.decisions.record(annotator, decision, origin=self.line_number)
        return True

    def finish(self) -> None:
        """Write what the file says, in file order, except where it changes nothing: a label whose
        state after the file is what stands now has none of its lines written (see the module doc)."""
        unchanged = {key for key, content in self._after_file.items() if self.standing(key) == content}
        for pending in self._pending:
            self.line_number = pending.line
            written = not (pending.says and unchanged.issuperset(pending.says)) and pending.write()
            if pending.kind == "gold":
                self.summary.adjudications += written
                self.summary.adjudications_present += not written
            else:
                self.summary.decisions += written
                self.summary.decisions_present += not written
        self._pending.clear()

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
            suggestions_shown=bool_field(obj.get("suggestions_shown"), "suggestions_shown", False),
            accepted_as_is=bool_field(obj.get("accepted_as_is"), "accepted_as_is", None),
            duration_ms=opt_int(obj, "duration_ms"), reason_codes=reason_codes_field(obj), note=note_field(obj),
            order_mode=opt_text(obj, "order_mode"), source="import", created_at=parse_time(obj.get("labelled_at")))
        self.add_decision(self.annotator(obj["annotator"]), decision)

    def export_row(self, obj: dict) -> None:
        task = obj.get("task")
        if task not in TASKS:
            raise LineError(f"unknown task: {task!r}")
        sid = self.statement_id(obj)
        tid = self.target_id(obj.get("target"), create=task == "stance")
        if task == "stance" and tid is None:
            raise LineError("a stance row needs a target")
        if task == "sentiment":
            tid = None
        annotations = obj.get("annotations")
        if not isinstance(annotations, list):
            raise LineError("'annotations' must be a list")
        for ann in annotations:
            self.annotation(sid, tid, task, ann)
        flags = obj.get("flags") or []  # exports before flags were exported have none
        if not isinstance(flags, list):
            raise LineError("'flags' must be a list")
        for flag in flags:
            self.flag(sid, flag)
        if obj.get("predicted") is not None:
            self.prediction_id(sid, tid, prediction_line(task, {
                "model_name": obj.get("model_name"), "model_version": obj.get("model_version"),
                "label": obj.get("predicted"), "probabilities": obj.get("probabilities")}))
        self.add_gold(sid, tid, task, obj)

    def annotation(self, statement_id: int, target_id: int | None, task: str, ann: Any) -> None:
        """One annotator's label in an export row."""
        if not isinstance(ann, dict):
            raise LineError(f"an annotation must be an object, got {ann!r}")
        label = ann.get("label")
        if label not in LABELS_BY_TASK[task]:
            raise LineError(f"unknown {task} label: {label!r} (expected one of {', '.join(LABELS_BY_TASK[task])})")
        prelabel = prediction_line(task, ann.get("prelabel"))
        decision = NewDecision(
            statement_id=statement_id, target_id=target_id,
            stance=label if task == "stance" else None, sentiment=label if task == "sentiment" else None,
            accepted_as_is=bool_field(ann.get("accepted_as_is"), "accepted_as_is", None),
            suggestions_shown=bool_field(ann.get("suggestions_shown"), "suggestions_shown", False),
            duration_ms=opt_int(ann, "duration_ms"), reason_codes=reason_codes_field(ann), note=note_field(ann),
            order_mode=opt_text(ann, "order_mode"), source="import", created_at=parse_time(ann.get("labelled_at")))
        self.add_decision(self.annotator(ann.get("annotator")), decision, prelabel)

    def flag(self, statement_id: int, flag: Any) -> None:
        """One flag in an export row; the same flag given again (a statement's flags are in its
        stance and its sentiment rows) is not a second one."""
        if not isinstance(flag, dict):
            raise LineError(f"a flag must be an object, got {flag!r}")
        annotator = self.annotator(flag.get("annotator"))
        decision = NewDecision(
            statement_id=statement_id, target_id=self.target_id(flag.get("target"), create=True), action="flag",
            reason_codes=reason_codes_field(flag), note=note_field(flag), duration_ms=opt_int(flag, "duration_ms"),
            order_mode=opt_text(flag, "order_mode"),
            suggestions_shown=bool_field(flag.get("suggestions_shown"), "suggestions_shown", False),
            source="import", created_at=parse_time(flag.get("flagged_at")))
        seen = (annotator.id, decision)
        if seen in self._flags_seen:
            return
        self._flags_seen.add(seen)
        self.add_decision(annotator, decision)

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
        try:
            for lineno, raw in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), 1):
                importer.line_number = lineno
                if b"\x00" in raw:
                    raise LineError("binary data (NUL bytes), not JSON text")
                if len(raw) > MAX_LINE_BYTES:  # stop reading it: a line is never held whole past the limit
                    raise LineError(f"line longer than {MAX_LINE_BYTES // 2**20} MiB; not an export row or a decision")
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise LineError("not UTF-8 text") from None
                if not text.strip():
                    continue
                try:
                    obj = parse_json_line(text)
                except JsonLineError as exc:
                    raise LineError(str(exc)) from None
                importer.line_number = lineno
                with refused_values():  # 'the database refused a value: …', reported on this line
                    importer.line(obj)
            with refused_values():
                importer.finish()
                importer.decisions.flush()
        except RowRefused as exc:  # a decision written a chunk at a time: the line it came from
            raise WorkbenchError(f"{path}:{exc.origin}: the database refused a value: {_one_line(str(exc))}") from None
        except (LineError, StorageError) as exc:
            raise WorkbenchError(f"{path}:{importer.line_number}: {_one_line(str(exc))}") from None
        if importer.summary.lines == 0:
            raise WorkbenchError(f"{path}: empty file (no JSON lines); nothing imported")
        return importer.summary

"""JSON text for export rows, built from the reader's named rows without per-row dicts.

The output is byte for byte what `json.dumps(row, ensure_ascii=False)` gives for the row
dict (same key order, separators, float repr), but each distinct piece is encoded once:
a statement's fields once for all its rows, an event's fields once for its stance and
sentiment rows, a prediction once per chunk, annotator names, labels, reason-code lists
and label-count summaries once per export. JSONL lines and the CSV's nested columns come
from the same pieces.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

from db.export_read import STATEMENT_FIELDS, Reader
from db.export_rows import FlagEvent, GoldRow, LabelEvent, PredictionRow, StatementRow
from vocabulary import LABELS_BY_TASK
from workbench.export_extra import (EXTRACTED_FIELDS, VERDICT_FIELDS, extra_fields, extra_values,
                                    extracted_values, verdict_values)

# an event's label and pre-label id for a task, without a method call per event
LABEL_OF = {"stance": attrgetter("stance"), "sentiment": attrgetter("sentiment")}
PRELABEL_OF = {"stance": attrgetter("stance_prediction_id"), "sentiment": attrgetter("sentiment_prediction_id")}
statement_values = attrgetter(*STATEMENT_FIELDS)  # a StatementRow's text ... speaker_id, in column order

_CACHE_LIMIT = 1 << 16
_INF = float("inf")


def iso(value: datetime | str | None) -> str | None:
    """One UTC timestamp format whatever the backend returns: SQLite's stored text (naive UTC)
    or PostgreSQL's aware datetime → 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":  # SQLAlchemy's SQLite storage format
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def reasons(value) -> list[str]:
    if value is None or value == "[]":
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


def _float(value) -> float | None:
    """A probability as the old SQL CAST(... AS FLOAT) gave it."""
    if value is None or isinstance(value, (dict, list)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


_scan = json.JSONDecoder().scan_once


def probabilities(raw, task: str) -> list[float | None] | None:
    """A prediction's probabilities (JSON text or, on PostgreSQL, a dict) in the task's label order;
    None when none of the task's labels has one."""
    if raw is None:
        return None
    if type(raw) is str:
        try:
            obj = _scan(raw, 0)[0]
        except (StopIteration, ValueError):
            obj = json.loads(raw)
    else:
        obj = json.loads(raw) if isinstance(raw, bytes) else raw
    if not isinstance(obj, dict):
        return None
    values = [obj.get(label) for label in LABELS_BY_TASK[task]]
    values = [v if type(v) is float else _float(v) for v in values]
    return None if values.count(None) == len(values) else values


def flag_dict(reader: Reader, f: FlagEvent) -> dict[str, Any]:
    """One flag of an export row as a dict (`iter_rows`, Parquet); `Encoder.flags` writes the same as JSON."""
    return {"annotator": reader.names[f.annotator_id], "target": reader.targets.get(f.target_id),
            "reason_codes": reasons(f.reason_codes), "note": f.note, "duration_ms": f.duration_ms,
            "order_mode": f.order_mode,
            "suggestions_shown": None if f.suggestions_shown is None else bool(f.suggestions_shown),
            "flagged_at": iso(f.created_at)}


def summary(task: str, labels: list[str]) -> tuple[int, str | None, list[float] | None]:
    """n annotators, the majority label (None on a tie) and the soft label in label order
    (None for a flagged item no one labelled: no distribution over zero labels)."""
    counts = dict.fromkeys(LABELS_BY_TASK[task], 0)
    for label in labels:
        counts[label] += 1
    n = len(labels)
    if n == 0:
        return 0, None, None
    top = max(counts.values())
    winners = [label for label, c in counts.items() if c == top]
    return n, (winners[0] if len(winners) == 1 else None), [c / n for c in counts.values()]


def value(v: Any) -> str:
    """One JSON value as json.dumps(ensure_ascii=False) writes it."""
    if v is None:
        return "null"
    if type(v) is str:
        return encode_basestring(v)
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is float and -_INF < v < _INF:
        return float.__repr__(v)
    return json.dumps(v, ensure_ascii=False)


class _Encoded(dict):
    """value() memoised, for columns with few distinct strings (names, labels, models...)."""

    def __missing__(self, v):
        if len(self) > _CACHE_LIMIT:
            self.clear()
        text = self[v] = value(v)
        return text


class _Bool(dict):
    def __missing__(self, v):
        return "null" if v is None else ("true" if v else "false")


def _object(pairs) -> str:
    return "{" + ", ".join(f"{encode_basestring(k)}: {v}" for k, v in pairs) + "}"


_PROBABILITIES = {task: "{" + ", ".join(f"{encode_basestring(label)}: %s" for label in labels) + "}"
                  for task, labels in LABELS_BY_TASK.items()}


def probabilities_json(values: list | None, task: str) -> str:
    if values is None:
        return "null"
    return _PROBABILITIES[task] % tuple([float.__repr__(v) if type(v) is float and -_INF < v < _INF else value(v)
                                         for v in values])


def csv_cell(v: Any) -> str:
    """One CSV field as csv.writer (excel dialect, QUOTE_MINIMAL) writes it."""
    if v is None:
        return ""
    if type(v) is not str:
        v = float.__repr__(v) if type(v) is float else str(v)
    if '"' in v:
        return '"' + v.replace('"', '""') + '"'
    if "," in v or "\n" in v or "\r" in v:
        return '"' + v + '"'
    return v


class Encoder:
    """JSON (and CSV) pieces of export rows for one Reader."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.names = {i: encode_basestring(name) for i, name in reader.names.items()}
        self.strings = _Encoded()
        self.bools = _Bool({None: "null", 0: "false", 1: "true"})
        self._reasons: dict[str, str] = {}
        self._summaries: dict[tuple, tuple] = {}
        self._preds: dict[tuple, tuple] = {}
        self._pred_cells: dict[tuple, str] = {}
        self._prelabels: dict[str, dict[int, str]] = {"stance": {}, "sentiment": {}}
        self._preds_of = None
        self._tails: dict[int, str] = {}

    # -- a statement's fields: two pieces around "target", shared by its rows ------------------

    def statement(self, s: StatementRow) -> tuple[str, str]:
        """Called first for each statement: resets the per-statement (and per-chunk) caches."""
        if self.reader.preds is not self._preds_of:
            self._preds_of = self.reader.preds
            self._preds, self._pred_cells = {}, {}
            self._prelabels = {"stance": {}, "sentiment": {}}
        strings = self.strings
        self._tails = {}
        return (f'"doc": {strings[s.doc]}, "doc_sha256": {value(s.doc_sha256)}, "start": {value(s.start)}, '
                f'"end": {value(s.end)}',
                f'"text": {value(s.text)}, "speaker": {strings[s.speaker]}, "speaker_role": {strings[s.speaker_role]}, '
                f'"speaker_type": {strings[s.speaker_type]}, "kind": {strings[s.kind]}, "cue": {strings[s.cue]}, '
                f'"speaker_id": {strings[s.speaker_id]}')

    # -- annotations -----------------------------------------------------------------------------

    def _reason_codes(self, raw) -> str:
        if type(raw) is str:
            text = self._reasons.get(raw)
            if text is None:
                if len(self._reasons) > _CACHE_LIMIT:
                    self._reasons.clear()
                text = self._reasons[raw] = json.dumps(reasons(raw), ensure_ascii=False)
            return text
        return json.dumps(reasons(raw), ensure_ascii=False)

    def _tail(self, e: LabelEvent) -> str:
        """Everything of an annotation after its label, up to the pre-label (shared by both tasks)."""
        bools, strings = self.bools, self.strings
        at, duration, note = iso(e.created_at), e.duration_ms, e.note
        tail = self._tails[e.id] = (
            f', "duration_ms": {int.__repr__(duration) if type(duration) is int else value(duration)}, '
            f'"order_mode": {strings[e.order_mode]}, '
            f'"suggestions_shown": {bools[e.suggestions_shown]}, "accepted_as_is": {bools[e.accepted_as_is]}, '
            f'"reason_codes": {self._reason_codes(e.reason_codes)}, "note": {"null" if note is None else value(note)}, '
            f'"labelled_at": {"null" if at is None else encode_basestring(at)}, "prelabel": ')
        return tail

    def annotations(self, task: str, events: list[LabelEvent]) -> str:
        tails, names, strings = self._tails, self.names, self.strings
        label_of, prelabel_of = LABEL_OF[task], PRELABEL_OF[task]
        prelabels = self._prelabels[task]
        parts = []
        for e in events:
            tail = tails.get(e.id) or self._tail(e)
            pid = prelabel_of(e)
            if pid is None:
                prelabel = "null"
            else:
                prelabel = prelabels.get(pid) or self.prediction(pid, task)[1]
            parts.append(f'{{"annotator": {names[e.annotator_id]}, "label": {strings[label_of(e)]}{tail}{prelabel}}}')
        return "[" + ", ".join(parts) + "]"

    # -- per-item summaries ----------------------------------------------------------------------

    def summary(self, task: str, events: list[LabelEvent]) -> tuple:
        """(n, majority, soft-label JSON, JSON piece from "n_annotators" to "soft_label",
        CSV cells n_annotators,majority,soft_label)."""
        key = (task, *map(LABEL_OF[task], events))
        found = self._summaries.get(key)
        if found is None:
            if len(self._summaries) > _CACHE_LIMIT:
                self._summaries.clear()
            n, majority, soft = summary(task, list(key[1:]))
            soft_json = "null" if soft is None else _object(
                (label, value(v)) for label, v in zip(LABELS_BY_TASK[task], soft))
            found = self._summaries[key] = (
                n, majority, soft_json,
                f'"n_annotators": {n}, "majority": {value(majority)}, "soft_label": {soft_json}',
                f"{n},{csv_cell(majority)},{csv_cell(soft_json)}")
        return found

    def prediction(self, pid: int, task: str) -> tuple:
        """(probabilities JSON, pre-label object JSON, JSON piece from "predicted" to "model_version")
        of a prediction of this chunk."""
        key = (pid, task)
        found = self._preds.get(key)
        if found is None:
            p = self.reader.preds.get(pid)
            if p is None:
                return _NO_PREDICTION
            strings = self.strings
            probs = probabilities_json(probabilities(p.probabilities, task), task)
            name, version, label = strings[p.model_name], strings[p.model_version], strings[p.label]
            found = self._preds[key] = (
                probs, f'{{"model_name": {name}, "model_version": {version}, "label": {label}, '
                       f'"probabilities": {probs}}}',
                f'"predicted": {label}, "probabilities": {probs}, "model_name": {name}, "model_version": {version}')
            self._prelabels[task][pid] = found[1]
        return found

    def newest(self, task: str, pred: PredictionRow | None) -> tuple:
        return _NO_PREDICTION if pred is None else self.prediction(pred.id, task)

    def newest_csv(self, task: str, pred: PredictionRow | None) -> str:
        """CSV cells predicted,probabilities,model_name,model_version."""
        if pred is None:
            return ",null,,"
        key = (pred.id, task)
        cells = self._pred_cells.get(key)
        if cells is None:
            cells = self._pred_cells[key] = ",".join(map(csv_cell, (
                pred.label, self.prediction(pred.id, task)[0], pred.model_name, pred.model_version)))
        return cells

    def flags(self, flags: list[FlagEvent]) -> str:
        """The JSON list of an item's flags (rare: built as they come, nothing cached)."""
        if not flags:
            return "[]"
        names, strings, targets = self.names, self.strings, self.reader.targets
        parts = []
        for f in flags:
            at, duration, note = iso(f.created_at), f.duration_ms, f.note
            parts.append(
                f'{{"annotator": {names[f.annotator_id]}, "target": {strings[targets.get(f.target_id)]}, '
                f'"reason_codes": {self._reason_codes(f.reason_codes)}, "note": {value(note)}, '
                f'"duration_ms": {value(duration)}, "order_mode": {strings[f.order_mode]}, '
                f'"suggestions_shown": {self.bools[f.suggestions_shown]}, "flagged_at": {value(at)}}}')
        return "[" + ", ".join(parts) + "]"

    def gold(self, g: GoldRow | None) -> str:
        if g is None:
            return _NO_GOLD
        strings = self.strings
        at = iso(g.created_at)
        return (f'"gold": {strings[g.label]}, "gold_by": {value(g.adjudicator)}, "gold_note": {value(g.note)}, '
                f'"adjudicated_at": {"null" if at is None else encode_basestring(at)}')


_NO_PREDICTION = ("null", "null", '"predicted": null, "probabilities": null, "model_name": null, '
                                  '"model_version": null')
_NO_GOLD = '"gold": null, "gold_by": null, "gold_note": null, "adjudicated_at": null'


def _write_in_batches(statements: Iterator[list[str]], fh, on_rows, batch: int, header: str | None = None) -> int:
    """Write each statement's lines, flushing once `batch` lines have gathered; the header goes
    first, also when there are no rows (a reader still learns the columns). Returns the rows written."""
    n, lines = 0, []
    if header is not None:
        fh.write(header)

    def flush() -> None:
        nonlocal n
        fh.write("".join(lines))
        n += len(lines)
        if on_rows is not None:
            on_rows(len(lines))
        lines.clear()

    for rows in statements:
        lines.extend(rows)
        if len(lines) >= batch:
            flush()
    if lines:
        flush()
    return n


_NO_CONFLICT = {"stance": ', "sentiment_conflict": null', "sentiment": ', "sentiment_conflict": []'}


def _corrections_json(reader: Reader, s: StatementRow, task: str, target: str | None) -> str:
    """The statement as stored and the verdicts (`export_extra`), as JSON members."""
    names = EXTRACTED_FIELDS + VERDICT_FIELDS
    values = extracted_values(reader, s) + verdict_values(reader, s, task, target)
    return "".join(f", {encode_basestring(k)}: {value(v)}" for k, v in zip(names, values))


def _extras_json(reader: Reader, s: StatementRow, task: str, target: str | None = None) -> str:
    """The appended columns (`export_extra`) as the tail of a JSON object (constant pieces when no conflict)."""
    conflict = reader.conflicts.get(s.id) if task == "sentiment" else None
    text = _NO_CONFLICT[task] if conflict is None else f', "sentiment_conflict": {json.dumps(conflict, ensure_ascii=False)}'
    text += _corrections_json(reader, s, task, target)
    if reader.with_documents:
        title, url, published = extra_values(reader, s, task, target)[-3:]
        text += f', "doc_title": {value(title)}, "doc_url": {value(url)}, "doc_published": {value(published)}'
    return text


def write_jsonl(reader: Reader, fh, on_rows=None, batch: int = 2000) -> int:
    """One JSON object per line; written in batches of `batch` lines."""
    enc = Encoder(reader)
    target_json = enc.strings

    def statements() -> Iterator[list[str]]:
        for s, items in reader:
            head, body = enc.statement(s)
            yield [f'{{"task": "{i.task}", {head}, "target": {target_json[i.target]}, {body}, '
                   f'"annotations": {enc.annotations(i.task, i.events)}, {enc.summary(i.task, i.events)[3]}, '
                   f'{enc.gold(i.gold)}, {enc.newest(i.task, i.prediction)[2]}, '
                   f'"flags": {enc.flags(i.flags)}, "not_a_statement": {"true" if i.not_a_statement else "false"}'
                   f'{_extras_json(reader, s, i.task, i.target)}}}\n'
                   for i in items]
    return _write_in_batches(statements(), fh, on_rows, batch)


CSV_FIELDS = ("task", "doc", "doc_sha256", "start", "end", "target", "text", "speaker", "speaker_role",
              "speaker_type", "kind", "cue", "speaker_id", "annotations", "n_annotators", "majority", "soft_label", "gold",
              "gold_by", "gold_note", "adjudicated_at", "predicted", "probabilities", "model_name", "model_version",
              "flags", "not_a_statement")
_CSV_NO_GOLD = ",,,"
_CSV_NO_CONFLICT = {"stance": ",", "sentiment": ",[]"}


def write_csv(reader: Reader, fh, on_rows=None, batch: int = 2000) -> int:
    """What csv.DictWriter writes for the row dicts (excel dialect), nested fields (annotations,
    soft_label, probabilities) as JSON strings; the header also when there are no rows. Lines are
    formatted here from cached cells (csv.writer would re-scan every JSON character)."""
    enc = Encoder(reader)
    targets: dict = {}

    def extras(s: StatementRow, task: str, target: str | None) -> str:
        values = extra_values(reader, s, task, target)
        conflict = "" if values[0] is None else csv_cell(json.dumps(values[0], ensure_ascii=False))
        return "," + ",".join([conflict, *(csv_cell(json.dumps(v, ensure_ascii=False)) if isinstance(v, list)
                                           else csv_cell(v) for v in values[1:])])

    def statements() -> Iterator[list[str]]:
        for s, items in reader:
            enc.statement(s)
            head = ",".join(map(csv_cell, (s.doc, s.doc_sha256, s.start, s.end)))
            body = ",".join(map(csv_cell, statement_values(s)))
            rows = []
            for item in items:
                task, events, gold, flags = item.task, item.events, item.gold, item.flags
                target_cell = targets.get(item.target)
                if target_cell is None:
                    target_cell = targets[item.target] = csv_cell(item.target)
                # quoted unless empty, as csv.writer does
                annotations = '"' + enc.annotations(task, events).replace('"', '""') + '"' if events else "[]"
                gold_cells = _CSV_NO_GOLD if gold is None else ",".join(
                    map(csv_cell, (gold.label, gold.adjudicator, gold.note, iso(gold.created_at))))
                flag_cell = "[]" if not flags else '"' + enc.flags(flags).replace('"', '""') + '"'
                rows.append(f'{task},{head},{target_cell},{body},{annotations},{enc.summary(task, events)[4]},'
                            f'{gold_cells},{enc.newest_csv(task, item.prediction)},{flag_cell},{item.not_a_statement}'
                            f'{extras(s, task, item.target)}\r\n')
            yield rows
    header = ",".join(CSV_FIELDS + extra_fields(reader.with_documents)) + "\r\n"
    return _write_in_batches(statements(), fh, on_rows, batch, header=header)

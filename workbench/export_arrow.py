"""Parquet export: Arrow record batches built column-wise from the reader's named rows.

Each row and each annotation becomes one flat tuple (pieces shared between rows are built
once: an event's fields, a prediction's pre-label columns, a label-count summary); a batch
is transposed with zip(*) and every leaf column goes to `pa.array` in one call, nested
columns are assembled from offsets and validity masks. The result equals
`pa.Table.from_pylist(rows, schema=arrow_schema(tasks))` of the row dicts.
"""
from __future__ import annotations

from typing import Any

from vocabulary import LABELS_BY_TASK, TASKS
from db.export_read import STATEMENT_FIELDS, Reader
from db.export_rows import ExportItem, StatementRow
from workbench.export_encode import LABEL_OF, PRELABEL_OF, flag_dict, iso, probabilities, reasons, summary
from workbench.export_extra import KINDS, extra_fields, extra_values

ALL_LABELS = ("favor", "against", "neutral", "positive", "negative")


def _arrow_kinds():
    import pyarrow as pa

    return {"list": lambda: pa.list_(pa.string()), "int": pa.int64, "bool": pa.bool_, "text": pa.string}


class _Kinds(dict):
    def __missing__(self, kind):
        self.update(_arrow_kinds())
        return self[kind]


_ARROW_KINDS = _Kinds()  # export_extra's column kinds as Arrow types (pyarrow imported when first needed)
_BOOL = {None: None, 0: False, 1: True}


def schema_labels(tasks: tuple[str, ...] = TASKS) -> list[str]:
    return [label for label in ALL_LABELS if any(label in LABELS_BY_TASK[t] for t in tasks)]


def arrow_schema(tasks: tuple[str, ...] = TASKS, with_documents: bool = False):
    import pyarrow as pa

    probs = pa.struct([(label, pa.float64()) for label in schema_labels(tasks)])
    prelabel = pa.struct([("model_name", pa.string()), ("model_version", pa.string()), ("label", pa.string()),
                          ("probabilities", probs)])
    annotation = pa.struct([
        ("annotator", pa.string()), ("label", pa.string()), ("duration_ms", pa.int64()),
        ("order_mode", pa.string()), ("suggestions_shown", pa.bool_()), ("accepted_as_is", pa.bool_()),
        ("reason_codes", pa.list_(pa.string())), ("note", pa.string()), ("labelled_at", pa.string()),
        ("prelabel", prelabel)])
    flag = pa.struct([
        ("annotator", pa.string()), ("target", pa.string()), ("reason_codes", pa.list_(pa.string())),
        ("note", pa.string()), ("duration_ms", pa.int64()), ("order_mode", pa.string()),
        ("suggestions_shown", pa.bool_()), ("flagged_at", pa.string())])
    return pa.schema([
        ("task", pa.string()), ("doc", pa.string()), ("doc_sha256", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("target", pa.string()), ("text", pa.string()), ("speaker", pa.string()),
        ("speaker_role", pa.string()), ("speaker_type", pa.string()), ("kind", pa.string()), ("cue", pa.string()),
        ("speaker_id", pa.string()),
        ("annotations", pa.list_(annotation)), ("n_annotators", pa.int64()), ("majority", pa.string()),
        ("soft_label", probs), ("gold", pa.string()), ("gold_by", pa.string()), ("gold_note", pa.string()),
        ("adjudicated_at", pa.string()), ("predicted", pa.string()), ("probabilities", probs),
        ("model_name", pa.string()), ("model_version", pa.string()),
        ("flags", pa.list_(flag)), ("not_a_statement", pa.bool_()),
        *((name, _ARROW_KINDS[KINDS.get(name, "text")]()) for name in extra_fields(with_documents)),
    ])


class _Columns:
    """One batch of rows as small tables of distinct values plus indices into them.

    A batch keeps each distinct statement, event (an annotation's fields but its label and
    pre-label: shared by the event's stance and sentiment rows), prediction (as pre-label and
    as the row's newest prediction) and label-count summary once; rows and annotations only
    hold indices. Every column is then one `pa.array` over the distinct values and a `take`.
    """

    def __init__(self, reader: Reader, tasks: tuple[str, ...]):
        self.reader = reader
        self.labels = schema_labels(tasks)
        self.width = len(self.labels)
        self.slots = {t: [self.labels.index(label) if label in self.labels else None
                          for label in LABELS_BY_TASK[t]] for t in TASKS}
        self._summaries: dict[tuple, tuple] = {}  # across batches: (task, labels) -> columns
        self._reasons: dict[Any, tuple] = {}
        self.clear()

    def clear(self) -> None:
        self.statements: list[StatementRow] = []
        self.events: list[tuple] = []
        self.event_reasons: list[tuple] = []
        self.preds: list[tuple] = []
        self.summaries: list[tuple] = []
        self._event_index: dict[int, int] = {}
        self._pred_index: dict[tuple, int] = {}
        self._summary_index: dict[tuple, int] = {}
        self._preds_of = None
        self.annotations: list[tuple] = []
        self.offsets = [0]
        self.rows: list[tuple] = []
        self.flags: list[list[dict]] = []  # per row; flags are rare, so plain dicts for pa.array
        self.not_statement: list[bool] = []
        self.extras: list[tuple] = []  # per row: export_extra values

    def __len__(self) -> int:
        return len(self.rows)

    def _spread(self, values, task: str) -> tuple:
        out = [None] * self.width
        for slot, v in zip(self.slots[task], values):
            if slot is not None:
                out[slot] = v
        return tuple(out)

    def statement(self, s: StatementRow) -> None:
        """Called before a statement's rows."""
        self.statements.append(s)
        self._event_index = {}

    def _prediction(self, pid, task: str) -> int | None:
        """Index of (model_name, model_version, label, probabilities null flag, slots...), None if unknown."""
        preds = self.reader.preds
        if preds is not self._preds_of:
            self._pred_index, self._preds_of = {}, preds
        key = (pid, task)
        at = self._pred_index.get(key)
        if at is None:
            p = preds.get(pid)
            if p is None:
                return None
            values = probabilities(p.probabilities, task)
            probs = (True,) + (None,) * self.width if values is None else (False,) + self._spread(values, task)
            at = self._pred_index[key] = len(self.preds)
            self.preds.append((p.model_name, p.model_version, p.label) + probs)
        return at

    def _reason_codes(self, raw) -> tuple:
        try:
            found = self._reasons.get(raw)
        except TypeError:  # PostgreSQL: already a list
            return tuple(reasons(raw))
        if found is None:
            if len(self._reasons) > 1 << 16:
                self._reasons.clear()
            found = self._reasons[raw] = tuple(reasons(raw))
        return found

    def add(self, item: ExportItem) -> None:
        task, events, gold, pred = item.task, item.events, item.gold, item.prediction
        names, label_of, prelabel_of = self.reader.names, LABEL_OF[task], PRELABEL_OF[task]
        index, annotations = self._event_index, self.annotations
        for e in events:
            at = index.get(e.id)
            if at is None:
                at = index[e.id] = len(self.events)
                self.events.append((names[e.annotator_id], e.duration_ms, e.order_mode, _BOOL[e.suggestions_shown],
                                    _BOOL[e.accepted_as_is], e.note, iso(e.created_at)))
                self.event_reasons.append(self._reason_codes(e.reason_codes))
            pid = prelabel_of(e)
            annotations.append((at, label_of(e), None if pid is None else self._prediction(pid, task)))
        self.offsets.append(len(annotations))
        key = (task, *map(label_of, events))
        summary_at = self._summary_index.get(key)
        if summary_at is None:
            counted = self._summaries.get(key)
            if counted is None:
                if len(self._summaries) > 1 << 16:
                    self._summaries.clear()
                n, majority, soft = summary(task, list(key[1:]))
                counted = self._summaries[key] = (n, majority) + self._spread(soft or (None,) * self.width, task)
            summary_at = self._summary_index[key] = len(self.summaries)
            self.summaries.append(counted)
        gold_cols = _NO_GOLD if gold is None else (gold.label, gold.adjudicator, gold.note, iso(gold.created_at))
        self.rows.append((task, len(self.statements) - 1, item.target, summary_at,
                          None if pred is None else self._prediction(pred.id, task)) + gold_cols)
        self.flags.append([flag_dict(self.reader, f) for f in item.flags])
        self.not_statement.append(item.not_a_statement)
        self.extras.append(extra_values(self.reader, self.statements[-1], task, item.target))

    def batch(self, schema):
        import pyarrow as pa

        text, w = pa.string(), self.width
        prob_type = schema.field("probabilities").type
        annotation_type = schema.field("annotations").type.value_type
        prelabel_type = annotation_type.field("prelabel").type

        def columns(rows: list[tuple], n: int) -> list:
            return list(zip(*rows)) if rows else [()] * n

        def probs(cols, start, null_flags=None):
            mask = None if null_flags is None else pa.array(null_flags, pa.bool_())
            return pa.StructArray.from_arrays([pa.array(cols[start + i], pa.float64()) for i in range(w)],
                                              fields=list(prob_type), mask=mask)

        p = columns(self.preds, 4 + w)
        pred_probs = probs(p, 4, p[3])
        prelabels = pa.StructArray.from_arrays([pa.array(p[0], text), pa.array(p[1], text), pa.array(p[2], text),
                                                pred_probs], fields=list(prelabel_type))
        e = columns(self.events, 7)
        reason_offsets, reason_values = [0], []
        for codes in self.event_reasons:
            reason_values.extend(codes)
            reason_offsets.append(len(reason_values))
        reason_codes = pa.ListArray.from_arrays(pa.array(reason_offsets, pa.int32()),
                                                pa.array(reason_values, text))
        a = columns(self.annotations, 3)
        event_at, pre_at = pa.array(a[0], pa.int32()), pa.array(a[2], pa.int32())
        annotation = pa.StructArray.from_arrays(
            [pa.array(e[0], text).take(event_at), pa.array(a[1], text), pa.array(e[1], pa.int64()).take(event_at),
             pa.array(e[2], text).take(event_at), pa.array(e[3], pa.bool_()).take(event_at),
             pa.array(e[4], pa.bool_()).take(event_at), reason_codes.take(event_at),
             pa.array(e[5], text).take(event_at), pa.array(e[6], text).take(event_at), prelabels.take(pre_at)],
            fields=list(annotation_type))
        annotations = pa.ListArray.from_arrays(pa.array(self.offsets, pa.int32()), annotation)

        r = columns(self.rows, 9)
        s = dict(zip(StatementRow._fields, columns(self.statements, len(StatementRow._fields))))
        statement_at, summary_at = pa.array(r[1], pa.int32()), pa.array(r[3], pa.int32())
        pred_at = pa.array(r[4], pa.int32())
        sm = columns(self.summaries, 2 + w)
        soft = pa.StructArray.from_arrays([pa.array(sm[2 + i], pa.float64()) for i in range(w)],
                                          fields=list(schema.field("soft_label").type),
                                          mask=pa.array([n == 0 for n in sm[0]], pa.bool_()))

        def statement_column(name: str, type_=text):
            return pa.array(s[name], type_).take(statement_at)

        out = [pa.array(r[0], text), statement_column("doc"), statement_column("doc_sha256"),
               statement_column("start", pa.int64()), statement_column("end", pa.int64()), pa.array(r[2], text)]
        out += [statement_column(name) for name in STATEMENT_FIELDS]
        out += [annotations, pa.array(sm[0], pa.int64()).take(summary_at), pa.array(sm[1], text).take(summary_at),
                soft.take(summary_at)]
        out += [pa.array(r[i], text) for i in range(5, 9)]  # gold, gold_by, gold_note, adjudicated_at
        out += [pa.array(p[2], text).take(pred_at), pred_probs.take(pred_at), pa.array(p[0], text).take(pred_at),
                pa.array(p[1], text).take(pred_at)]
        out += [pa.array(self.flags, schema.field("flags").type), pa.array(self.not_statement, pa.bool_())]
        x = columns(self.extras, len(schema) - len(out))
        out += [pa.array(column, schema.field(len(out) + i).type) for i, column in enumerate(x)]
        return pa.RecordBatch.from_arrays(out, schema=schema)


_NO_GOLD = (None, None, None, None)


def write_parquet(reader: Reader, path: str, tasks: tuple[str, ...] = TASKS, row_group: int = 10_000,
                  on_rows=None) -> int:
    """Row groups of `row_group` rows, each built as one record batch."""
    import pyarrow.parquet as pq

    schema = arrow_schema(tasks, reader.with_documents)
    columns = _Columns(reader, tasks)
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        def flush() -> None:
            writer.write_batch(columns.batch(schema), row_group_size=row_group)
            if on_rows is not None:
                on_rows(len(columns))
            columns.clear()

        for s, items in reader:
            columns.statement(s)
            for item in items:
                columns.add(item)
                n += 1
                if len(columns) >= row_group:
                    flush()
                    columns.statement(s)
        if len(columns):
            flush()
        if n == 0:
            writer.write_table(schema.empty_table())
    return n

"""`export --format hf`: one `datasets.DatasetDict` per task and a dataset card.

    OUT/stance/      DatasetDict (save_to_disk): split "train", or "train" and "test" with --split-by
    OUT/sentiment/   the same for sentiment
    OUT/README.md    the dataset card (workbench.dataset_card)

One folder per task because the tasks have different label sets: each DatasetDict's splits
share one schema, whose `label` column is a `ClassLabel` of the task's labels (the gold label,
else the annotators' majority; -1 when neither exists, i.e. a tie). Every export column is kept
as it is (labels as strings), `label` is added.

`--split-by document --test F` puts a document's items all in one split, chosen by a hash of
the document's sha256 (not by row order or a random draw), so a split is the same on every run
and on every database holding the same documents, and adding documents moves none.

The whole folder is built next to OUT and renamed into place (`workbench.output.atomic_folder`,
which also refuses a folder holding the database): a failed export leaves OUT as it was.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from db.engine import Engine
from vocabulary import LABELS_BY_TASK
from workbench.dataset_card import CARD_MARK
from workbench.export_arrow import write_parquet
from workbench.output import atomic_folder, is_saved_dataset

SPLIT_SALT = "workbench-split-v1"  # changing it reshuffles every split: keep it


def in_test_split(doc_sha256: str, test_fraction: float) -> bool:
    """Whether a document's items go to the test split: a stable function of the document alone."""
    digest = hashlib.sha256(f"{SPLIT_SALT}:{doc_sha256}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < test_fraction


@dataclass
class TaskSummary:
    """What the dataset card says about one task's dataset."""
    labels: tuple[str, ...]
    splits: dict[str, Counter] = field(default_factory=dict)        # split -> label (or "(none)") -> rows
    documents: dict[str, int] = field(default_factory=dict)         # split -> distinct documents
    annotators: Counter = field(default_factory=Counter)            # name -> current labels in the rows
    models: Counter = field(default_factory=Counter)                # "name version" -> rows predicted
    prelabels: Counter = field(default_factory=Counter)             # "name version" -> labels given with it shown
    sentiment_conflicts: int = 0


@dataclass
class HfExport:
    rows: int
    tasks: dict[str, TaskSummary]

    @property
    def sentiment_conflicts(self) -> int:
        return sum(t.sentiment_conflicts for t in self.tasks.values())


_OURS = {"README.md", "stance", "sentiment"}


def is_earlier_hf_export(folder: Path) -> bool:
    """Whether a non-empty folder is one `export --format hf` wrote (and may replace): this layout
    with its card, or the single saved dataset earlier versions wrote. Never someone's folder."""
    if is_saved_dataset(folder):
        return True
    card = folder / "README.md"
    if not set(os.listdir(folder)) <= _OURS or not card.is_file():
        return False
    with open(card, encoding="utf-8", errors="replace") as fh:
        return CARD_MARK in fh.read(4096)


def _label_codes(gold: list, majority: list, labels: tuple[str, ...]) -> list[int]:
    index = {label: i for i, label in enumerate(labels)}
    return [index.get(g if g is not None else m, -1) for g, m in zip(gold, majority)]


def _summarise(summary: TaskSummary, split: str, ds) -> None:
    names = summary.labels
    labels, documents = Counter(), set()
    columns = ["label", "doc_sha256", "annotations", "model_name", "model_version"]
    for batch in ds.select_columns(columns).iter(batch_size=10_000):  # a batch at a time: memory stays flat
        labels.update(names[c] if c >= 0 else "(none)" for c in batch["label"])
        documents.update(batch["doc_sha256"])
        for row_annotations in batch["annotations"]:
            for a in row_annotations:
                summary.annotators[a["annotator"]] += 1
                if a["prelabel"] is not None:
                    summary.prelabels[f"{a['prelabel']['model_name']} {a['prelabel']['model_version']}"] += 1
        for name, version in zip(batch["model_name"], batch["model_version"]):
            if version is not None:
                summary.models[f"{name} {version}"] += 1
    summary.splits[split] = labels
    summary.documents[split] = len(documents)


def _task_dataset(engine: Engine, task: str, work: str, gold_only: bool, with_documents: bool,
                  test_fraction: float | None, on_rows) -> tuple[object, int, TaskSummary]:
    from datasets import ClassLabel, Dataset, DatasetDict

    from db.export_read import open_reader as reader  # the tasks were checked by export()

    labels = tuple(LABELS_BY_TASK[task])
    summary = TaskSummary(labels)
    staging = os.path.join(work, f"{task}.parquet")
    with reader(engine, (task,), gold_only, collect=True, with_documents=with_documents) as r:
        n = write_parquet(r, staging, (task,), on_rows=on_rows)
        summary.sentiment_conflicts = r.sentiment_conflicts
    if n:
        dataset = Dataset.from_parquet(staging, cache_dir=os.path.join(work, "cache"))
    else:  # from_parquet cannot build from zero rows; the empty table keeps the columns and types
        import pyarrow.parquet as pq

        dataset = Dataset(pq.read_table(staging))
    dataset = dataset.add_column("label", _label_codes(dataset["gold"], dataset["majority"], labels),
                                 feature=ClassLabel(names=list(labels)))
    if test_fraction is None:
        splits = {"train": dataset}
    else:
        test = [in_test_split(sha, test_fraction) for sha in dataset["doc_sha256"]]
        splits = {"train": dataset.select([i for i, t in enumerate(test) if not t]),
                  "test": dataset.select([i for i, t in enumerate(test) if t])}
    for name, part in splits.items():
        _summarise(summary, name, part)
    return DatasetDict(splits), n, summary


def write_hf_datasets(engine: Engine, path: str, tasks: tuple[str, ...], gold_only: bool = False,
                      with_documents: bool = False, test_fraction: float | None = None, licence: str | None = None,
                      command: str = "workbench export --format hf", on_rows: Callable[[int], None] | None = None
                      ) -> HfExport:
    """Write OUT/<task> DatasetDicts and OUT/README.md; `test_fraction` None: one "train" split."""
    import datasets

    bars = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # the command draws its own; theirs would fill stderr
    try:
        return _write(engine, path, tasks, gold_only, with_documents, test_fraction, licence,
                      command, on_rows)
    finally:
        if bars:
            datasets.enable_progress_bars()


def _write(engine, path, tasks, gold_only, with_documents, test_fraction, licence, command, on_rows) -> HfExport:
    from workbench.dataset_card import render_card

    with atomic_folder(path, engine, replaceable=is_earlier_hf_export,
                       replaceable_what="an earlier `export --format hf`") as staging:
        total, summaries = 0, {}
        with tempfile.TemporaryDirectory(prefix="workbench-hf-") as work:
            for task in tasks:
                dataset_dict, n, summary = _task_dataset(engine, task, work, gold_only, with_documents,
                                                         test_fraction, on_rows)
                # zero rows would be saved as zero shards, which load_from_disk cannot read back
                empty = {name: 1 for name, part in dataset_dict.items() if len(part) == 0}
                dataset_dict.save_to_disk(os.path.join(staging, task), num_shards=empty)
                del dataset_dict
                total += n
                summaries[task] = summary
        result = HfExport(total, summaries)
        card = render_card(engine, result, gold_only=gold_only, with_documents=with_documents,
                           test_fraction=test_fraction, licence=licence, command=command)
        with open(os.path.join(staging, "README.md"), "w", encoding="utf-8") as fh:
            fh.write(card)
    return result

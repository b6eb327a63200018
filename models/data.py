"""Readers for the labelled data sets, all producing one Example type.

Every problem in an input file is reported as a DataError whose one-line
message names the file, the line and the problem, so a user can fix it.
The training data lives outside the repository (see data_root); nothing here
copies it anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from vocabulary import LABELS_BY_TASK, SENTIMENT_LABELS

from .errors import DataError, ModelError

TASK_LABELS = LABELS_BY_TASK  # each task's labels in id2label order (the vocabulary's)
FORMAT_TASK = {"newsmtsc": "sentiment", "vast": "stance", "vast_train": "stance", "semeval": "stance", "news": "stance",
               "csv": "stance"}
# the generic stance CSV (text,target,label) takes the workbench's own labels; "none" is VAST's and the news sets' word
CSV_STANCE_LABEL = {"favor": "favor", "against": "against", "neutral": "neutral", "none": "neutral"}

NEWSMTSC_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
VAST_STANCE = {"0": "against", "1": "favor", "2": "neutral"}
VAST_SUBSET = {"0": "zero-shot", "1": "few-shot"}  # vast_dev.csv's seen? column
VAST_TRAIN_LABEL = {"against": "against", "favor": "favor", "none": "neutral", "neutral": "neutral"}
SEMEVAL_LABEL = {"0": "neutral", "1": "against", "2": "favor"}
SEMEVAL_TARGETS = {
    "abortion": "legalization of abortion",
    "atheism": "atheism",
    "climate": "climate change is a real concern",
    "feminist": "feminist movement",
    "hillary": "Hillary Clinton",
}
ENV_DATA = "WORKBENCH_DATA_DIR"


@dataclass(frozen=True)
class Example:
    text: str
    target: str | None
    label: str
    # a subset the source file marks (VAST: zero-shot or few-shot topic), reported separately
    subset: str | None = None


@dataclass(frozen=True)
class CombinerSet:
    """What the stance relatedness combiner is fitted on: examples, and which of them are
    known-unrelated pairs (they set its threshold; they are also in examples)."""

    examples: list[Example]
    unrelated: list[Example]


def check_examples(task: str, examples: list[Example]) -> tuple[str, ...]:
    if task not in TASK_LABELS:
        raise ModelError(f"unknown task {task!r} (expected stance or sentiment)")
    labels = TASK_LABELS[task]
    for i, e in enumerate(examples):
        if e.label not in labels:
            raise DataError(f"example {i}: label {e.label!r} is not one of {', '.join(labels)}")
        if not e.text or not e.text.strip():
            raise DataError(f"example {i}: empty text")
    return labels


def training_set_sha256(examples: list[Example]) -> str:
    canon = json.dumps([[e.text, e.target, e.label] for e in examples], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def data_root() -> Path:
    """The shared data dir: $WORKBENCH_DATA_DIR, else ../shared/data next to the repo."""
    env = os.environ.get(ENV_DATA)
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not root.is_dir():
        raise DataError(f"training data directory not found: {root} (set {ENV_DATA} to the shared data folder)")
    return root


def _need_file(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    return path


def read_newsmtsc(path, with_sentence_ids: bool = False):
    """One Example per target; target = its mention.  With ids, yields (sentence_no, Example)."""
    path = _need_file(path)
    out = []
    for lineno, line in _text_lines(path):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text = obj["sentence_normalized"]
            targets = obj["targets"]
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}:{lineno}: malformed JSON ({exc.msg})") from None
        except (ValueError, RecursionError) as exc:  # a 5000-digit number, [[[[...
            raise DataError(f"{path}:{lineno}: malformed JSON ({type(exc).__name__})") from None
        except (KeyError, TypeError, IndexError) as exc:
            raise DataError(f"{path}:{lineno}: missing field {exc}") from None
        if not isinstance(text, str) or not isinstance(targets, list):
            raise DataError(f"{path}:{lineno}: 'sentence_normalized' must be a string and 'targets' a list")
        for t in targets:
            try:
                pol = float(t["polarity"])
                mention = t["mention"]
            except (KeyError, TypeError, ValueError, IndexError, OverflowError) as exc:
                raise DataError(f"{path}:{lineno}: bad target entry ({exc})") from None
            if not isinstance(mention, str):
                raise DataError(f"{path}:{lineno}: bad target entry (mention must be a string)")
            if pol not in NEWSMTSC_POLARITY:
                raise DataError(f"{path}:{lineno}: unknown polarity {t['polarity']!r} (expected 2, 4 or 6)")
            ex = Example(text, mention, NEWSMTSC_POLARITY[pol])
            out.append((lineno, ex) if with_sentence_ids else ex)
    return out


def _decoded(path: Path, fh):
    """The lines of a binary file as text, each decoded on its own so a bad byte names its line."""
    for lineno, raw in enumerate(fh, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}:{lineno}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None


def _text_lines(path: Path):
    """(line number, line) of a UTF-8 text file; bad bytes become a DataError naming the line."""
    with open(path, "rb") as fh:
        yield from enumerate(_decoded(path, fh), 1)


def _read_text(path: Path) -> str:
    try:
        return _need_file(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not valid UTF-8 (byte offset {exc.start})") from None


def _csv_rows(path: Path, required: tuple[str, ...]):
    with open(path, "rb") as fh:
        # strict: an unterminated quote is "unexpected end of data", not a row with empty columns
        reader = csv.DictReader(_decoded(path, fh), strict=True)
        try:
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            raise DataError(f"{path}:{reader.line_num}: malformed CSV ({exc})") from None


def read_vast(path) -> list[Example]:
    """VAST as in vast_dev.csv: Tweet, Target, Stance (0 against, 1 favor, 2 neutral)."""
    path = _need_file(path)
    out = []
    for lineno, row in _csv_rows(path, ("Tweet", "Target", "Stance")):
        raw = (row["Stance"] or "").strip()
        label = VAST_STANCE.get(raw.split(".")[0] if raw.replace(".", "").isdigit() else raw)
        if label is None:
            raise DataError(f"{path}:{lineno}: unknown stance label {raw!r} (expected 0, 1 or 2)")
        if not row["Tweet"] or row["Target"] is None:
            raise DataError(f"{path}:{lineno}: empty text or target")
        out.append(Example(row["Tweet"], row["Target"], label, VAST_SUBSET.get((row.get("seen?") or "").strip())))
    return out


def _flat_stance_rows(path, require_text: bool = False):
    """(row, Example) for the shared flat stance CSVs: text, target, label favor/against/none."""
    path = _need_file(path)
    for lineno, row in _csv_rows(path, ("text", "target", "label")):
        label = VAST_TRAIN_LABEL.get((row["label"] or "").strip().lower())
        if label is None:
            raise DataError(f"{path}:{lineno}: unknown label {row['label']!r}")
        if require_text and (not (row["text"] or "").strip() or not (row["target"] or "").strip()):
            raise DataError(f"{path}:{lineno}: empty text or target")
        yield lineno, row, Example(row["text"], row["target"], label)


def read_vast_train(path, with_article: bool = False):
    """The official VAST train split (flat CSV: text, target, label favor/against/none).

    with_article: (arc_id, Example) pairs, arc_id being the NYT article a comment answers
    (empty if the file has no arc_id column).
    """
    return [((row.get("arc_id") or "", ex) if with_article else ex) for _, row, ex in _flat_stance_rows(path)]


def read_flat_stance(path) -> list[Example]:
    """Any stance set in the shared flat layout (text, target, label favor/against/none), e.g. the argument sets."""
    return [ex for _, _, ex in _flat_stance_rows(path, require_text=True)]


def read_flat_sentiment(path) -> list[Example]:
    """Sentence-level sentiment (flat CSV: text, label positive/negative/neutral, as the shared sst5/), no target."""
    path = _need_file(path)
    out = []
    for lineno, row in _csv_rows(path, ("text", "label")):
        label = (row["label"] or "").strip().lower()
        if label not in SENTIMENT_LABELS:
            raise DataError(f"{path}:{lineno}: unknown label {row['label']!r} (expected {', '.join(SENTIMENT_LABELS)})")
        if not (row["text"] or "").strip():
            raise DataError(f"{path}:{lineno}: empty text")
        out.append(Example(row["text"], None, label))
    return out


# ARC (FNC-1 layout) adds "unrelated": a random post/claim pairing, i.e. no stance toward the claim
GROUPED_STANCE_LABEL = {**VAST_TRAIN_LABEL, "unrelated": "neutral"}


def read_grouped_stance(path, group_column: str) -> list[tuple[str, Example, bool]]:
    """(group, Example, unrelated?) of a shared flat stance CSV, grouped by `group_column` (a claim,
    topic or motion) so that dev slices can hold topics training never saw. "unrelated" (ARC)
    becomes neutral and is flagged, so recipes can count off-topic pairs apart."""
    path = _need_file(path)
    out = []
    for lineno, row in _csv_rows(path, ("text", "target", "label", group_column)):
        raw = (row["label"] or "").strip().lower()
        label = GROUPED_STANCE_LABEL.get(raw)
        if label is None:
            raise DataError(f"{path}:{lineno}: unknown label {row['label']!r}")
        if not (row["text"] or "").strip() or not (row["target"] or "").strip():
            raise DataError(f"{path}:{lineno}: empty text or target")
        out.append((row[group_column] or f"line{lineno}", Example(row["text"], row["target"], label), raw == "unrelated"))
    return out


def read_news_stance(path) -> list[tuple[str, Example]]:
    """News stance in the shared flat layout (GWSD, Emergent): text, target, label favor/against/none.

    Returns (group, Example): the claim_id where there is one (Emergent: headlines about one claim
    must stay on one side of a split), else the row's own id.
    """
    return [(row.get("claim_id") or row.get("guid") or f"line{lineno}", ex)
            for lineno, row, ex in _flat_stance_rows(path, require_text=True)]


def _semeval_dirs(root: Path) -> list[tuple[str, Path]]:
    if any(root.glob("*_text.txt")):  # a single target's folder
        return [(root.name, root)]
    return [(d.name, d) for d in sorted(root.iterdir()) if d.is_dir()]


def semeval_default_split(root) -> str:
    root = Path(root)
    for split in ("test", "val"):
        if any(d.joinpath(f"{split}_text.txt").is_file() for _, d in _semeval_dirs(root)):
            return split
    raise DataError(f"{root}: no test_text.txt or val_text.txt under it")


def read_semeval(root, split: str | None = None) -> list[Example]:
    """TweetEval layout: DIR/<target>/<split>_text.txt + <split>_labels.txt (0 none, 1 against, 2 favor)."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: directory not found")
    split = split or semeval_default_split(root)
    out = []
    found = False
    for key, d in _semeval_dirs(root):
        text_path, label_path = d / f"{split}_text.txt", d / f"{split}_labels.txt"
        if not text_path.exists() and not label_path.exists():
            continue
        found = True
        if key not in SEMEVAL_TARGETS:
            raise DataError(f"{d}: unknown SemEval target folder {key!r} (expected {', '.join(SEMEVAL_TARGETS)})")
        texts = _read_text(text_path).splitlines()
        labels = _read_text(label_path).splitlines()
        if len(texts) != len(labels):
            raise DataError(f"{label_path}:{min(len(texts), len(labels)) + 1}: {len(labels)} labels for {len(texts)} texts")
        for lineno, (text, raw) in enumerate(zip(texts, labels), 1):
            label = SEMEVAL_LABEL.get(raw.strip())
            if label is None:
                raise DataError(f"{label_path}:{lineno}: unknown label {raw.strip()!r} (expected 0, 1 or 2)")
            out.append(Example(text, SEMEVAL_TARGETS[key], label))
    if not found:
        raise DataError(f"{root}: no {split}_text.txt files found")
    return out


def read_stance_csv(path) -> list[Example]:
    """A user's own stance file: CSV with columns text, target, label (favor / against / neutral)."""
    path = _need_file(path)
    out = []
    for lineno, row in _csv_rows(path, ("text", "target", "label")):
        raw = (row["label"] or "").strip()
        label = CSV_STANCE_LABEL.get(raw.lower())
        if label is None:
            raise DataError(f"{path}:{lineno}: unknown label {raw!r} (expected favor, against or neutral)")
        if not (row["text"] or "").strip():
            raise DataError(f"{path}:{lineno}: empty text")
        if not (row["target"] or "").strip():
            raise DataError(f"{path}:{lineno}: empty target")
        out.append(Example(row["text"], row["target"], label))
    return out


def read(fmt: str, path, split: str | None = None) -> list[Example]:
    if fmt == "newsmtsc":
        return read_newsmtsc(path)
    if fmt == "vast":
        return read_vast(path)
    if fmt == "vast_train":
        return read_vast_train(path)
    if fmt == "semeval":
        return read_semeval(path, split)
    if fmt == "news":
        return [ex for _, ex in read_news_stance(path)]
    if fmt == "csv":
        return read_stance_csv(path)
    raise DataError(f"unknown data format {fmt!r} (expected one of {', '.join(FORMAT_TASK)})")

"""One JSONL line's fields, checked: types, ranges, labels, times. A LineError says what is wrong
(the importer adds the file and line number); nothing here touches the database."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from db.errors import StorageError
from db.plaintext import clean_text
from db.repository import annotator_name as checked_annotator_name
from vocabulary import LABELS_BY_TASK


class LineError(Exception):
    """What is wrong with one line (the caller adds file and line number)."""


@dataclass(frozen=True)
class PredictionLine:
    """A prediction as a line gives it: checked, not yet looked up or stored."""
    task: str
    label: str
    probabilities: dict[str, float]
    model_name: str
    model_version: str


def parse_time(value: Any) -> datetime | None:
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


def int_field(obj: dict, key: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise LineError(f"{key!r} must be a non-negative integer, got {value!r}")
    return value


def opt_int(obj: dict, key: str) -> int | None:
    return None if obj.get(key) is None else int_field(obj, key)


def opt_text(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, str):
        raise LineError(f"{key!r} must be a string or null, got {value!r}")
    return value


def note_field(obj: dict, key: str = "note") -> str | None:
    """A note as it will be stored (so that comparing it with a stored one is fair): NUL is refused
    on every back end (PostgreSQL cannot hold it), other control characters are dropped."""
    value = opt_text(obj, key)
    if value is not None and "\x00" in value:
        raise LineError(f"{key!r} contains NUL characters (\\u0000), which cannot be stored")
    return None if value is None else clean_text(value)


def reason_codes_field(obj: dict) -> tuple[str, ...]:
    reasons = obj.get("reason_codes") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise LineError(f"'reason_codes' must be a list of strings, got {reasons!r}")
    return tuple(reasons)


def probabilities(value: Any) -> dict[str, float]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
            for v in value.values()):
        raise LineError(f"'probabilities' must be an object of numbers, got {value!r}")
    return {k: float(v) for k, v in value.items() if v is not None}


def str_field(obj: dict, key: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"{key!r} must be a non-empty string, got {value!r}")
    return value


def bool_field(value: Any, key: str, default: bool | None) -> bool | None:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise LineError(f"{key!r} must be true or false, got {value!r}")
    return value


def annotator_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"'annotator' must be a non-empty string, got {value!r}")
    try:
        return checked_annotator_name(value)
    except StorageError as exc:
        raise LineError(str(exc)) from None


def prediction_line(task: str, pred: Any) -> PredictionLine | None:
    if pred is None:
        return None
    if not isinstance(pred, dict):
        raise LineError(f"a prediction must be an object, got {pred!r}")
    name, version, label = pred.get("model_name"), pred.get("model_version"), pred.get("label")
    if not (isinstance(name, str) and isinstance(version, str)) or label not in LABELS_BY_TASK[task]:
        raise LineError(f"bad {task} prediction: {pred!r}")
    return PredictionLine(task, label, probabilities(pred.get("probabilities")), name, version)


QUOTE_LIMIT = 100  # characters of a value from the file shown in an error (a line may hold megabytes)


def quoted(value: str) -> str:
    text = repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"

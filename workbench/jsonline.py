"""One line of a JSONL file parsed, or one reason why not, for every way a line can be bad.

json.loads raises more than JSONDecodeError: RecursionError for [[[[… nested past the
interpreter's stack, ValueError for an integer of more than 4,300 digits. And it accepts a lone
surrogate escape ("\\ud800"), a string no UTF-8 encoder (nor any database) can take. Ingest and
import share this so that neither prints a traceback for any of them.
"""
from __future__ import annotations

import json
import sys
from typing import Any


class JsonLineError(ValueError):
    """What is wrong with the line (the caller adds file and line number)."""


def parse_json_line(text: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLineError(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise JsonLineError("malformed JSON: nested too deeply") from None
    except ValueError as exc:  # "Exceeds the limit (4300 digits) for integer string conversion ..."
        if "digits" in str(exc):
            raise JsonLineError(f"malformed JSON: a number with more than {sys.get_int_max_str_digits()} "
                                "digits") from None
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise JsonLineError(f"malformed JSON: {reason}") from None
    # surrogates only arrive as \uXXXX escapes (raw UTF-8 cannot hold them): look only then
    if "\\ud" in text or "\\uD" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise JsonLineError("a string holds a lone surrogate escape (\\ud800-\\udfff), which is not text") from None
        except RecursionError:  # parsed, but too deep to walk again
            raise JsonLineError("malformed JSON: nested too deeply") from None
    return value

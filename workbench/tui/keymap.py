"""Binding ids, their default keys, and the user's keymap file (binding id → key).

The file is TOML, either flat (``accept = "enter"``) or under a ``[keys]`` table; a value
may list several keys separated by commas (``"f,1"``). Looked up in ``$WORKBENCH_KEYMAP``,
then ``$XDG_CONFIG_HOME/workbench/keymap.toml`` (``~/.config/workbench/keymap.toml``).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ENV_VAR = "WORKBENCH_KEYMAP"


@dataclass(frozen=True)
class Action:
    id: str          # binding id: what the keymap file names
    key: str         # default key(s), Textual key names
    action: str      # the screen's action
    description: str
    show: bool = True  # in the footer (every action is on the ? screen)


# Footer order is this order: help and quit come before the less-used keys, because an
# 80-column terminal cuts the end of the footer.
ACTIONS: tuple[Action, ...] = (
    Action("accept", "enter", "accept", "accept / save"),
    Action("stance.favor", "f", "stance('favor')", "stance: favor", show=False),
    Action("stance.against", "a", "stance('against')", "stance: against", show=False),
    Action("stance.neutral", "x", "stance('neutral')", "stance: neutral", show=False),
    Action("sentiment.positive", "p", "sentiment('positive')", "sentiment: positive", show=False),
    Action("sentiment.negative", "m", "sentiment('negative')", "sentiment: negative", show=False),
    Action("sentiment.neutral", "o", "sentiment('neutral')", "sentiment: neutral", show=False),
    Action("reset", "escape", "reset", "back to the suggestions", show=False),
    Action("skip", "s", "skip", "skip"),
    Action("flag", "exclamation_mark", "flag", "flag"),
    Action("not_about", "r", "not_about", "not about this target", show=False),
    Action("undo", "u", "undo", "undo"),
    Action("note", "n", "note", "note"),
    Action("help", "question_mark", "help", "help"),
    Action("quit", "q", "quit", "quit"),
    Action("context", "c", "context", "more context"),
    Action("search", "slash", "search", "search"),
    Action("train", "t", "train", "train model"),
    Action("guidelines", "g", "guidelines", "guidelines"),
)
# The adjudication and review screens (`workbench adjudicate`, `workbench review`): ids of their own, so a
# remap there never moves an annotation key; one keymap file holds both.
ADJUDICATE_ACTIONS: tuple[Action, ...] = (
    Action("adjudicate.gold1", "1", "choose(0)", "gold: 1st label", show=False),
    Action("adjudicate.gold2", "2", "choose(1)", "gold: 2nd label", show=False),
    Action("adjudicate.gold3", "3", "choose(2)", "gold: 3rd label", show=False),
    Action("adjudicate.confirm", "enter", "confirm", "confirm the annotators' label as gold"),
    Action("adjudicate.not_about", "r", "verdict('not_about')", "gold verdict: not about this target", show=False),
    Action("adjudicate.not_statement", "e", "verdict('not_a_statement')", "gold verdict: not a statement",
           show=False),
    Action("adjudicate.note", "n", "note", "note (rationale)"),
    Action("adjudicate.undo", "u", "undo", "undo gold"),
    Action("adjudicate.help", "question_mark", "help", "help"),
    Action("adjudicate.quit", "q", "quit", "quit"),
    Action("adjudicate.context", "c", "context", "more context"),
    Action("adjudicate.next", "j,down", "move(1)", "next"),
    Action("adjudicate.previous", "k,up", "move(-1)", "previous"),
    Action("adjudicate.reload", "f5", "reload", "reload"),
)
ACTION_SETS = (ACTIONS, ADJUDICATE_ACTIONS)  # one app each: a key may mean one thing per app
ACTION_IDS = frozenset(a.id for actions in ACTION_SETS for a in actions)


class KeymapError(Exception):
    """The keymap file cannot be used; the message names the file and the problem."""


def keymap_path() -> Path | None:
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    path = Path(base) / "workbench" / "keymap.toml"
    return path if path.is_file() else None


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's remappings (binding id → keys); {} when there is no file."""
    path = path if path is not None else keymap_path()
    if path is None:
        return {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeymapError(f"keymap file not found: {path}") from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KeymapError(f"cannot read keymap {path}: {exc}") from None
    table = data.get("keys", data)
    unknown = sorted(k for k in table if k not in ACTION_IDS)
    if unknown:
        raise KeymapError(f"{path}: unknown binding id(s) {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(ACTION_IDS))}")
    bad = sorted(k for k, v in table.items() if not isinstance(v, str) or not v.strip())
    if bad:
        raise KeymapError(f"{path}: keys must be non-empty strings: {', '.join(bad)}")
    keymap = {k: v.strip() for k, v in table.items()}
    _check_key_names(keymap, path)
    _check_clashes(keymap, path)
    return keymap


MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


@lru_cache(maxsize=1)
def _named_keys() -> frozenset[str]:
    """Names a keyboard can send: Textual's special keys and the names of printable ASCII characters."""
    from textual.keys import Keys, _character_to_key

    return frozenset({k.value for k in Keys if not k.value.startswith("<")}
                     | {_character_to_key(chr(c)) for c in range(33, 127)})


def is_key_name(key: str) -> bool:
    """A single printable character ("f", "1", "é") or a key name ("enter", "slash", "f5", "ctrl+x").

    Textual itself accepts any Unicode character *name* ("banana" is 🍌), so a typo would
    silently make an action unreachable: only keys a keyboard sends pass.
    """
    *mods, base = key.split("+") if len(key) > 1 else [key]
    if any(m not in MODIFIERS for m in mods) or not base:
        return False
    return (len(base) == 1 and base.isprintable() and not base.isspace()) or base in _named_keys()


def _check_key_names(keymap: dict[str, str], path: Path | str) -> None:
    for binding_id, keys in keymap.items():
        for key in (k.strip() for k in keys.split(",")):
            if not is_key_name(key):
                raise KeymapError(f"{path}: {binding_id} = {key!r} is not a key (use one character such as "
                                  "'f' or '1', or a key name such as enter, escape, tab, space, slash, f5, ctrl+x)")


def effective_keys(keymap: dict[str, str], actions: tuple[Action, ...] = ACTIONS) -> dict[str, list[str]]:
    """binding id → the keys it answers to once the keymap is applied (for one app's actions)."""
    from textual.keys import _character_to_key

    def norm(keys: str) -> list[str]:
        return [_character_to_key(k.strip()) if len(k.strip()) == 1 else k.strip() for k in keys.split(",")]

    return {a.id: norm(keymap.get(a.id, a.key)) for a in actions}


def _check_clashes(keymap: dict[str, str], path: Path | str) -> None:
    for actions in ACTION_SETS:
        seen: dict[str, str] = {}
        for binding_id, keys in effective_keys(keymap, actions).items():
            for key in keys:
                if key in seen:
                    raise KeymapError(f"{path}: key {key!r} is bound to both {seen[key]} and {binding_id}")
                seen[key] = binding_id

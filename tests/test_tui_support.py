"""Shared helpers for the annotation UI tests: a small corpus, a fake model, a fixed clock."""
from __future__ import annotations

from dataclasses import dataclass

from db.engine import transaction
from db.repository import StatementFields, add_document, add_target, replace_statements

DOC_TEXT = (
    "Peacekeepers leave Kazakhstan\n\n"
    "The first planes left on Thursday. Officials said the pace depends on the weather.\n\n"
    "\"The operation achieved all its goals,\" said Stanislav Zas, the CSTO Secretary General.\n\n"
    "\"We never needed foreign troops,\" said Askar Umarov, the new information minister.\n\n"
    "Analysts expect cooperation to continue."
)
SPEAKERS = [
    ("\"The operation achieved all its goals,\"", "Stanislav Zas", "CSTO Secretary General", "official"),
    ("\"We never needed foreign troops,\"", "Askar Umarov", "information minister", "official"),
]
TARGETS = ("the CSTO peacekeeping operation in Kazakhstan", "Askar Umarov's appointment as minister")


def seed(engine, targets=TARGETS[:1], extra_docs: int = 0) -> None:
    """One document with two statements (plus `extra_docs` copies with other titles), targets."""
    with transaction(engine) as session:
        for n in range(1 + extra_docs):
            text = DOC_TEXT if n == 0 else DOC_TEXT.replace("Peacekeepers", f"Peacekeepers ({n})")
            doc, _ = add_document(session, f"article-{n}.txt", text, title=f"Objects of protection {n}")
            found = []
            for quote, speaker, role, kind in SPEAKERS:
                start = text.index(quote)
                found.append(StatementFields(start, start + len(quote), quote, speaker, role, kind, "direct", "said"))
            replace_statements(session, doc, found, "test")
        for target in targets:
            add_target(session, target)


@dataclass
class FakePrediction:
    label: str
    probabilities: dict[str, float]


class FakeModel:
    """The classifier interface: name, version, predict(texts, targets, batch_size)."""

    def __init__(self, task: str, label: str):
        self.task, self.label = task, label
        self.name, self.version = f"fake-{task}", "1"
        self.calls = 0

    def predict(self, texts, targets, batch_size=32):
        self.calls += 1
        labels = ("favor", "against", "neutral") if self.task == "stance" else ("positive", "negative", "neutral")
        probs = {label: (0.8 if label == self.label else 0.1) for label in labels}
        return [FakePrediction(self.label, dict(probs)) for _ in texts]


def fake_factory(stance: str = "favor", sentiment: str = "positive"):
    models = {"stance": FakeModel("stance", stance), "sentiment": FakeModel("sentiment", sentiment)}
    return lambda: models


class FixedClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages land."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def sync(coro_fn):
    """Run an async test with asyncio.run (no async pytest plugin needed)."""
    import asyncio
    import functools

    @functools.wraps(coro_fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(coro_fn(*args, **kwargs))
    return wrapper

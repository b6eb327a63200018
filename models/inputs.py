"""How a (statement, target) pair becomes model input.

The same function is used for training and prediction, so what the model saw
in training is exactly what it sees in the application.

* The pair is encoded as ``[CLS] target [SEP] statement [SEP]``: the target
  first, so truncation (``only_second``) never cuts it.  A missing target is
  the empty string, i.e. "sentiment of the whole statement".
* If the target (or, failing that, its longest word, e.g. a surname) occurs in
  the statement, that mention is wrapped in « », which helps the model when a
  news sentence names several people.  Quoted statements often don't contain
  the target at all ("I will never support this bill"): then nothing is
  marked and the pair encoding alone carries the target.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "«", "»"  # single tokens in the BERT uncased vocab, rare in news text
MAX_TARGET_WORDS = 24


def _find(text: str, needle: str) -> re.Match | None:
    if not needle:
        return None
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text, flags=re.IGNORECASE)


def mark_target(text: str, target: str | None) -> str:
    """Wrap the first mention of target in text with « », if there is one."""
    if not target:
        return text
    target = target.strip()
    m = _find(text, target)
    if m is None:
        words = sorted((w for w in re.findall(r"\w[\w'-]*", target) if len(w) >= 4), key=len, reverse=True)
        for w in words[:2]:
            m = _find(text, w)
            if m:
                break
    if m is None:
        return text
    return f"{text[:m.start()]}{OPEN}{text[m.start():m.end()]}{CLOSE}{text[m.end():]}"


def clip_target(target: str | None) -> str:
    if not target:
        return ""
    words = target.split()
    return " ".join(words[:MAX_TARGET_WORDS])


def tokenize_pairs(tokenizer, texts: list[str], targets: list[str | None], max_length: int) -> list[dict]:
    """Unpadded encodings (input_ids, token_type_ids, attention via length) per pair."""
    firsts = [clip_target(t) for t in targets]
    seconds = [mark_target(x or "", t) for x, t in zip(texts, targets)]
    kw = {"max_length": max_length, "padding": False, "return_attention_mask": False}
    try:
        enc = tokenizer(firsts, seconds, truncation="only_second", **kw)
    except Exception:  # noqa: BLE001 - a target longer than max_length: cut both sides instead of failing
        enc = tokenizer(firsts, seconds, truncation="longest_first", **kw)
    tt = enc.get("token_type_ids")  # None for encoders without segment embeddings (MPNet)
    return [{"input_ids": ids, "token_type_ids": tt[i] if tt is not None else None}
            for i, ids in enumerate(enc["input_ids"])]


def collate(encodings: list[dict], pad_id: int, device=None) -> dict:
    """Pad a batch to its longest member (callers sort by length, so padding is small)."""
    import torch

    n = len(encodings)
    width = max(len(e["input_ids"]) for e in encodings)
    ids = torch.full((n, width), pad_id, dtype=torch.long)
    segments = encodings[0].get("token_type_ids") is not None
    types = torch.zeros((n, width), dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    for i, e in enumerate(encodings):
        k = len(e["input_ids"])
        ids[i, :k] = torch.tensor(e["input_ids"], dtype=torch.long)
        if segments:
            types[i, :k] = torch.tensor(e["token_type_ids"], dtype=torch.long)
        mask[i, :k] = 1
    batch = {"input_ids": ids, "attention_mask": mask}
    if segments:
        batch["token_type_ids"] = types
    if device is not None:
        batch = {k: v.to(device) for k, v in batch.items()}
    return batch

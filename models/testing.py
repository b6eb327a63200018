"""A tiny BERT encoder + tokenizer built locally, for fast tests of the real code paths.

Used through WORKBENCH_BASE_ENCODER (or base_path=...) so that loading,
training, saving and predicting run end to end in a second, with no download.
"""

from __future__ import annotations

import inspect
from pathlib import Path

WORDS = (
    "the a is was this that it he she they we i you not no very good great wonderful success love "
    "bad terrible awful failure hate disaster said says will would support oppose against favor for "
    "climate change abortion tax bill law president senator trump clinton biden policy people vote "
    "happy sad angry fine okay neutral report meeting today . , ! ? \" ' « » - of to and in on"
).split()


def build_tiny_encoder(out_dir, seed: int = 0, layers: int = 2) -> Path:
    """Write a ~100 KB BertModel (hidden 32, `layers` layers, no dropout) + WordPiece tokenizer into out_dir."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chars = [chr(c) for c in range(ord("a"), ord("z") + 1)] + [str(d) for d in range(10)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + list(dict.fromkeys(WORDS + chars))
    vocab += ["##" + c for c in chars]
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    if "vocab" in inspect.signature(BertTokenizerFast.__init__).parameters:  # transformers >= 5
        tok = BertTokenizerFast(vocab={w: i for i, w in enumerate(vocab)}, do_lower_case=True)
    else:
        tok = BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=True)
    tok.save_pretrained(str(out))
    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=layers, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=130,
                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    BertModel(cfg).save_pretrained(str(out), safe_serialization=True)
    return out

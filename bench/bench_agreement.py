"""Agreement speed: 100k items × 5 annotators with missing data, against the `krippendorff` package.

    python bench/bench_agreement.py [--items 100000] [--annotators 5] [--bootstrap 1000]

Times, in one process on the same matrix: krippendorff.alpha (nominal; the reference and
baseline), our vectorised α, the whole report (every coefficient, pairwise κ, per-label
agreement) without and with bootstrap CIs. Prints seconds and ratios to the baseline; exits
non-zero if our α is slower than the package or disagrees with it.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import krippendorff  # noqa: E402
import numpy as np  # noqa: E402

from workbench.agreement import metrics as M  # noqa: E402
from workbench.agreement.data import TaskData  # noqa: E402
from workbench.agreement.report import compute  # noqa: E402


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--missing", type=float, default=0.2)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, args.items)
    codes = np.where(rng.random((args.items, args.annotators)) < 0.7, truth[:, None],
                     rng.integers(0, 3, (args.items, args.annotators)))
    codes = np.where(rng.random(codes.shape) < args.missing, -1, codes)
    reference_input = np.where(codes < 0, np.nan, codes.astype(float)).T  # coders × units

    base_s, expected = best_of(lambda: krippendorff.alpha(reference_input, level_of_measurement="nominal",
                                                          value_domain=[0, 1, 2]))
    ours_s, got = best_of(lambda: M.krippendorff_alpha(codes, 3, "nominal"))
    print(f"{args.items} items × {args.annotators} annotators, {args.missing:.0%} missing")
    print(f"krippendorff.alpha (package, baseline): {base_s:.3f}s  α = {expected:.6f}")
    print(f"ours, α nominal:                        {ours_s:.3f}s  α = {got:.6f}  ratio {ours_s / base_s:.2f}x")
    ord_s, got_ord = best_of(lambda: M.krippendorff_alpha(codes, 3, "ordinal"))
    exp_ord = krippendorff.alpha(reference_input, level_of_measurement="ordinal", value_domain=[0, 1, 2])
    print(f"ours, α ordinal:                        {ord_s:.3f}s  α = {got_ord:.6f} (package {exp_ord:.6f})")

    data = TaskData("sentiment", ("negative", "neutral", "positive"), [f"ann{i + 1}" for i in range(args.annotators)],
                    [(i, None) for i in range(args.items)], codes)
    full_s, report = best_of(lambda: compute(data, bootstrap=0), repeat=1)
    print(f"full report, no bootstrap:              {full_s:.3f}s  ratio {full_s / base_s:.2f}x "
          f"(Fleiss {report['fleiss_kappa']:.4f}, AC1 {report['gwet_ac1']:.4f}, "
          f"{len(report['pairwise'])} pairwise κ)")
    boot_s, report = best_of(lambda: compute(data, bootstrap=args.bootstrap), repeat=1)
    print(f"full report, {args.bootstrap} bootstrap replicates: {boot_s:.3f}s  "
          f"(α 95% CI {report['ci95']['krippendorff_alpha']})")

    if abs(got - expected) > 1e-9 or abs(got_ord - exp_ord) > 1e-9:
        print("FAIL: our α differs from the krippendorff package", file=sys.stderr)
        sys.exit(1)
    if ours_s > base_s:
        print("FAIL: our α is slower than the krippendorff package", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

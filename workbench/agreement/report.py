"""The agreement report: one dict per task (the `--json` contract) and its terminal rendering.

JSON contract, per task key ("stance", "sentiment"): n_items, annotators, percent_agreement,
fleiss_kappa, krippendorff_alpha (nominal), gwet_ac1, pairwise [{a, b, n, cohen_kappa}],
and for sentiment krippendorff_alpha_ordinal. Everything else is extra detail.
"""
from __future__ import annotations

import math
from collections import defaultdict
from itertools import combinations

import numpy as np

from workbench.agreement import metrics as M
from workbench.agreement.data import TaskData

HEADLINE = ("percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1")


def _num(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else round(value, 6)


def compute(data: TaskData, bootstrap: int = 1000, seed: int = 0) -> dict:
    """All coefficients for one task, over items with ≥ 2 annotators."""
    data = data.multi_rated()
    k = len(data.categories)
    codes = data.codes
    # Coefficients depend on items only through their row pattern: compute per distinct row.
    patterns, weight = M.unique_patterns(codes)
    pattern_counts = M.count_matrix(patterns, k)
    features = M.item_features(pattern_counts)
    ratings = weight @ pattern_counts
    point = M.finalize(weight @ features, k)
    names = data.annotators
    pairs = [(a, b) for a, b in combinations(range(len(names)), 2)]
    pair_feats = [M.pair_features(patterns[:, a], patterns[:, b], k) for a, b in pairs]
    all_features = np.hstack([features] + pair_feats) if pair_feats else features

    result: dict = {
        "n_items": int(codes.shape[0]),
        "n_annotators": len(names),
        "annotators": list(names),
        "labels": list(data.categories),
        "percent_agreement": _num(point["percent_agreement"]),
        "unanimous": _num(point["unanimous"]),
        "fleiss_kappa": _num(point["fleiss_kappa"]),
        "krippendorff_alpha": _num(point["alpha_nominal"]),
        "gwet_ac1": _num(point["gwet_ac1"]),
    }
    if data.task == "sentiment":
        result["krippendorff_alpha_ordinal"] = _num(point["alpha_ordinal"])
    result["ratings_per_annotator"] = {names[j]: int(weight @ (patterns[:, j] >= 0)) for j in range(len(names))}
    result["per_label"] = {
        label: {"specific_agreement": _num(point["specific_agreement"][c]), "n_ratings": int(ratings[c])}
        for c, label in enumerate(data.categories)}

    pairwise = []
    confusions = []
    for (a, b), pf in zip(pairs, pair_feats):
        confusion = (weight @ pf).reshape(k, k)
        n = int(confusion.sum())
        pairwise.append({"a": names[a], "b": names[b], "n": n,
                         "cohen_kappa": _num(M.kappa_from_confusion(confusion)) if n else None})
        confusions.append({"a": names[a], "b": names[b], "matrix": confusion.astype(int).tolist()})
    result["pairwise"] = pairwise
    result["confusion"] = confusions
    result["coincidence"] = M.Layout(k).split(weight @ features)["coincidence"].round(6).tolist()

    ci = {}
    if bootstrap and codes.shape[0] > 1:
        sums = M.bootstrap_pattern_sums(all_features, weight, bootstrap, seed)
        width = M.Layout(k).width
        boot = M.finalize(sums[:, :width], k)
        for key, src in (("percent_agreement", "percent_agreement"), ("fleiss_kappa", "fleiss_kappa"),
                         ("krippendorff_alpha", "alpha_nominal"), ("gwet_ac1", "gwet_ac1")):
            ci[key] = _ci(boot[src])
        if data.task == "sentiment":
            ci["krippendorff_alpha_ordinal"] = _ci(boot["alpha_ordinal"])
        for p, row in enumerate(pairwise):
            block = sums[:, width + p * k * k: width + (p + 1) * k * k].reshape(-1, k, k)
            row["ci"] = _ci(M.kappa_from_confusion(block)) if row["n"] else [None, None]
        result["bootstrap_replicates"] = int(bootstrap)
    result["ci95"] = ci
    result["model"] = model_comparison(data)
    return result


def _ci(samples) -> list[float | None]:
    lo, hi = M.percentile_ci(samples)
    return [None if lo is None else round(lo, 6), None if hi is None else round(hi, 6)]


def model_comparison(data: TaskData) -> dict:
    """Each annotator vs the model, acceptance of pre-labels per model version, blind vs shown."""
    k = len(data.categories)
    rows = data.model_rows
    per_annotator = []
    for j, name in enumerate(data.annotators):
        mine = [r for r in rows if r.annotator == j]
        per_annotator.append({"annotator": name, **_human_model(mine, k)})
    by_version: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.linked:
            by_version[r.model_version].append(r)
    versions = []
    for version in sorted(by_version):
        group = by_version[version]
        flagged = [r for r in group if r.accepted_as_is is not None]
        versions.append({"model_version": version, "n": len(group),
                         "acceptance_rate": _rate(sum(bool(r.accepted_as_is) for r in flagged), len(flagged)),
                         "match_rate": _rate(sum(r.human == r.model for r in group), len(group))})
    slices = {}
    for name, shown in (("suggestions_shown", True), ("blind", False)):
        part = [r for r in rows if r.suggestions_shown == shown]
        flagged = [r for r in part if r.accepted_as_is is not None]
        slices[name] = {**_human_model(part, k),
                        "acceptance_rate": _rate(sum(bool(r.accepted_as_is) for r in flagged), len(flagged))}
    return {"per_annotator": per_annotator, "per_model_version": versions, "slices": slices,
            "blind_vs_shown": blind_vs_shown(data)}


def _condition(rows, k: int) -> dict:
    flagged = [r for r in rows if r.accepted_as_is is not None]
    summary = {key: value for key, value in _human_model(rows, k).items() if key != "confusion"}
    summary["acceptance_rate"] = _rate(sum(bool(r.accepted_as_is) for r in flagged), len(flagged))
    return summary


def _difference(shown: float | None, blind: float | None) -> float | None:
    return None if shown is None or blind is None else round(shown - blind, 6)


def blind_vs_shown(data: TaskData) -> dict:
    """Agreement with the model on blind vs shown items, compared within each annotator.

    The pooled `slices` mix annotators with conditions: when one annotator worked blind
    throughout, "blind vs shown" partly measures that annotator, not the suggestions. Here
    each annotator is compared with themself, and the aggregate (mean of per-annotator
    differences, and rows pooled per condition) only uses annotators who worked both ways.
    """
    k = len(data.categories)
    per_annotator, both, blind_only, shown_only = [], [], [], []
    for j, name in enumerate(data.annotators):
        mine = [r for r in data.model_rows if r.annotator == j]
        if not mine:
            continue
        blind = [r for r in mine if not r.suggestions_shown]
        shown = [r for r in mine if r.suggestions_shown]
        b, s = _condition(blind, k), _condition(shown, k)
        per_annotator.append({"annotator": name, "blind": b, "shown": s,
                              "match_rate_difference": _difference(s["match_rate"], b["match_rate"]),
                              "cohen_kappa_difference": _difference(s["cohen_kappa"], b["cohen_kappa"])})
        (both if blind and shown else blind_only if blind else shown_only).append(name)
    paired = [row for row in per_annotator if row["annotator"] in both]
    paired_rows = [r for r in data.model_rows if data.annotators[r.annotator] in both]

    def mean_of(key: str) -> float | None:
        values = [row[key] for row in paired if row[key] is not None]
        return round(sum(values) / len(values), 6) if values else None

    confounded = bool(blind_only or shown_only)
    return {
        "per_annotator": per_annotator,
        "annotators_with_both": both,
        "annotators_blind_only": blind_only,
        "annotators_shown_only": shown_only,
        "within_annotator": {
            "n_annotators": len(both),
            "blind": _condition([r for r in paired_rows if not r.suggestions_shown], k),
            "shown": _condition([r for r in paired_rows if r.suggestions_shown], k),
            "mean_match_rate_difference": mean_of("match_rate_difference"),
            "mean_cohen_kappa_difference": mean_of("cohen_kappa_difference"),
        },
        "confounded": confounded,
        "warning": _confound_warning(both, blind_only, shown_only) if confounded else None,
    }


def _confound_warning(both: list[str], blind_only: list[str], shown_only: list[str]) -> str:
    parts = []
    if blind_only:
        parts.append(f"{', '.join(blind_only)} worked only blind")
    if shown_only:
        parts.append(f"{', '.join(shown_only)} worked only with suggestions shown")
    used = ", ".join(both) if both else "none, so there is no within-annotator comparison"
    return (f"blind vs shown is confounded with annotator: {'; '.join(parts)}; the pooled slices mix "
            f"annotators with conditions, the within-annotator comparison uses only annotators with both ({used})")


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 6) if den else None


def _human_model(rows, k: int) -> dict:
    human = np.array([r.human for r in rows], dtype=np.int64)
    model = np.array([r.model for r in rows], dtype=np.int64)
    confusion = M.confusion_matrix(human, model, k) if rows else np.zeros((k, k))
    return {"n": len(rows), "cohen_kappa": _num(M.kappa_from_confusion(confusion)) if rows else None,
            "match_rate": _rate(int((human == model).sum()), len(rows)),
            "confusion": confusion.astype(int).tolist()}


# -- terminal --------------------------------------------------------------------------------

def format_estimate(value, ci=None, sep: str = "  ") -> str:
    """0.123  [0.100, 0.150]: an agreement figure with its bootstrap CI, or — where there is none."""
    if value is None:
        return "—"
    text = f"{value:.3f}"
    if ci and ci[0] is not None:
        text += f"{sep}[{ci[0]:.3f}, {ci[1]:.3f}]"
    return text


_fmt = format_estimate


def render(report: dict, console) -> None:
    """Names and model versions come from the database: each goes in as plain() text, never markup."""
    from rich.table import Table

    from workbench.plain import plain

    for task, res in report.items():
        ci = res.get("ci95", {})
        head = Table(title=f"{task}: {res['n_items']} item(s) with ≥ 2 annotators, "
                           f"{res['n_annotators']} annotator(s)", show_header=True)
        head.add_column("coefficient")
        head.add_column("value  [95% bootstrap CI]")
        rows = [("percent agreement", "percent_agreement"), ("Fleiss' κ", "fleiss_kappa"),
                ("Krippendorff's α (nominal)", "krippendorff_alpha")]
        if task == "sentiment":
            rows.append(("Krippendorff's α (ordinal)", "krippendorff_alpha_ordinal"))
        rows.append(("Gwet's AC1", "gwet_ac1"))
        for label, key in rows:
            head.add_row(label, _fmt(res.get(key), ci.get(key)))
        head.add_row("all annotators agree", _fmt(res.get("unanimous")))
        console.print(head)

        if res["pairwise"]:
            pw = Table(title=f"{task}: Cohen's κ per annotator pair")
            for col in ("a", "b", "items", "κ  [95% CI]"):
                pw.add_column(col)
            for row in res["pairwise"]:
                pw.add_row(plain(row["a"]), plain(row["b"]), str(row["n"]), _fmt(row["cohen_kappa"], row.get("ci")))
            console.print(pw)

        pl = Table(title=f"{task}: per-label agreement")
        for col in ("label", "ratings", "specific agreement"):
            pl.add_column(col)
        for label, row in res["per_label"].items():
            pl.add_row(label, str(row["n_ratings"]), _fmt(row["specific_agreement"]))
        console.print(pl)

        model = res["model"]
        hm = Table(title=f"{task}: annotators vs the model")
        for col in ("annotator / slice", "items", "κ", "match rate", "acceptance"):
            hm.add_column(col)
        for row in model["per_annotator"]:
            hm.add_row(plain(row["annotator"]), str(row["n"]), _fmt(row["cohen_kappa"]), _fmt(row["match_rate"]), "")
        for name, row in model["slices"].items():
            hm.add_row(f"[i]{name}[/i]", str(row["n"]), _fmt(row["cohen_kappa"]), _fmt(row["match_rate"]),
                       _fmt(row["acceptance_rate"]))
        for row in model["per_model_version"]:
            hm.add_row(plain(f"pre-labels of {row['model_version']}"), str(row["n"]), "", _fmt(row["match_rate"]),
                       _fmt(row["acceptance_rate"]))
        console.print(hm)
        _render_blind_vs_shown(task, model["blind_vs_shown"], console)

        labels = res["labels"]
        for conf in res["confusion"]:
            table = Table(title=plain(f"{task}: {conf['a']} (rows) × {conf['b']} (columns)"))
            table.add_column("")
            for label in labels:
                table.add_column(label, justify="right")
            for label, line in zip(labels, conf["matrix"]):
                table.add_row(label, *(str(v) for v in line))
            console.print(table)


def _render_blind_vs_shown(task: str, comparison: dict, console) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{task}: blind vs shown, within each annotator (agreement with the model)")
    for col in ("annotator", "blind items", "blind κ", "blind match", "shown items", "shown κ", "shown match",
                "match shown − blind"):
        table.add_column(col)
    for row in comparison["per_annotator"]:
        b, s = row["blind"], row["shown"]
        table.add_row(Text(row["annotator"]), str(b["n"]), _fmt(b["cohen_kappa"]), _fmt(b["match_rate"]),
                      str(s["n"]), _fmt(s["cohen_kappa"]), _fmt(s["match_rate"]), _fmt(row["match_rate_difference"]))
    within = comparison["within_annotator"]
    table.add_row(Text(f"annotators with both ({within['n_annotators']})", style="italic"),
                  str(within["blind"]["n"]), _fmt(within["blind"]["cohen_kappa"]), _fmt(within["blind"]["match_rate"]),
                  str(within["shown"]["n"]), _fmt(within["shown"]["cohen_kappa"]), _fmt(within["shown"]["match_rate"]),
                  _fmt(within["mean_match_rate_difference"]))
    console.print(table)
    if comparison["warning"]:
        console.print(Text(f"warning: {comparison['warning']}", style="yellow"))

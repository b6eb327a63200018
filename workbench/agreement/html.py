"""A self-contained HTML agreement report: inline CSS, inline SVG heatmaps, no external assets."""
from __future__ import annotations

from html import escape

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d2330;max-width:1100px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccd}
table{border-collapse:collapse;margin:.6rem 0}td,th{padding:.25rem .6rem;border:1px solid #dde;text-align:right}
th{background:#f3f4f8}td:first-child,th:first-child{text-align:left}
.grid{display:flex;flex-wrap:wrap;gap:1.2rem}.card{border:1px solid #dde;border-radius:6px;padding:.6rem}
.muted{color:#667}
.warning{color:#8a4b00;background:#fff4e0;padding:.4rem .6rem;border-radius:4px}
"""


def _fmt(value, ci=None) -> str:
    if value is None:
        return "—"
    text = f"{value:.3f}"
    if ci and ci[0] is not None:
        text += f" <span class='muted'>[{ci[0]:.3f}, {ci[1]:.3f}]</span>"
    return text


def _color(fraction: float) -> str:
    """White → deep blue."""
    f = max(0.0, min(1.0, fraction))
    r, g, b = (int(255 - f * (255 - c)) for c in (33, 82, 160))
    return f"rgb({r},{g},{b})"


def heatmap(matrix, row_labels, col_labels, title: str, cell: int = 44) -> str:
    """An SVG heatmap with counts in the cells."""
    left, top = 90, 60
    width = left + cell * len(col_labels) + 10
    height = top + cell * len(row_labels) + 10
    peak = max((max(row) for row in matrix), default=0) or 1
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' "
             f"aria-label='{escape(title)}'>",
             f"<text x='4' y='14' font-size='12' font-weight='bold'>{escape(title)}</text>"]
    for j, label in enumerate(col_labels):
        x = left + j * cell + cell / 2
        parts.append(f"<text x='{x}' y='{top - 8}' font-size='11' text-anchor='middle'>{escape(label)}</text>")
    for i, label in enumerate(row_labels):
        y = top + i * cell
        parts.append(f"<text x='{left - 6}' y='{y + cell / 2 + 4}' font-size='11' "
                     f"text-anchor='end'>{escape(label)}</text>")
        for j, value in enumerate(matrix[i]):
            x = left + j * cell
            fill = _color(value / peak)
            ink = "#fff" if value / peak > 0.55 else "#111"
            shown = f"{value:g}" if isinstance(value, (int, float)) else escape(str(value))
            parts.append(f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' fill='{fill}'>"
                         f"<title>{escape(label)} / {escape(col_labels[j])}: {shown}</title></rect>")
            parts.append(f"<text x='{x + cell / 2 - 1}' y='{y + cell / 2 + 4}' font-size='11' "
                         f"text-anchor='middle' fill='{ink}'>{shown}</text>")
    parts.append("</svg>")
    return "".join(parts)


def kappa_heatmap(res: dict) -> str:
    names = res["annotators"]
    index = {n: i for i, n in enumerate(names)}
    grid = [["" for _ in names] for _ in names]
    for i in range(len(names)):
        grid[i][i] = 1.0
    for row in res["pairwise"]:
        value = row["cohen_kappa"]
        a, b = index[row["a"]], index[row["b"]]
        grid[a][b] = grid[b][a] = round(value, 2) if value is not None else ""
    numeric = [[v if isinstance(v, float) else 0.0 for v in line] for line in grid]
    svg = heatmap(numeric, names, names, "Cohen's κ per pair")
    return svg


def _blind_vs_shown_html(comparison: dict) -> str:
    out = ["<h3>Blind vs shown, within each annotator</h3>"]
    if comparison["warning"]:
        out.append(f"<p class='warning'><strong>Warning:</strong> {escape(comparison['warning'])}</p>")
    out.append("<table><tr><th>annotator</th><th>blind items</th><th>blind κ</th><th>blind match</th>"
               "<th>shown items</th><th>shown κ</th><th>shown match</th><th>match shown − blind</th></tr>")
    within = comparison["within_annotator"]
    rows = [(escape(row["annotator"]), row["blind"], row["shown"], row["match_rate_difference"])
            for row in comparison["per_annotator"]]
    rows.append((f"<i>annotators with both ({within['n_annotators']})</i>", within["blind"], within["shown"],
                 within["mean_match_rate_difference"]))
    for name, blind, shown, diff in rows:
        out.append(f"<tr><td>{name}</td><td>{blind['n']}</td><td>{_fmt(blind['cohen_kappa'])}</td>"
                   f"<td>{_fmt(blind['match_rate'])}</td><td>{shown['n']}</td><td>{_fmt(shown['cohen_kappa'])}</td>"
                   f"<td>{_fmt(shown['match_rate'])}</td><td>{_fmt(diff)}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def render_html(report: dict, title: str = "Inter-annotator agreement") -> str:
    out = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
           f"<title>{escape(title)}</title><style>{CSS}</style></head><body>", f"<h1>{escape(title)}</h1>"]
    for task, res in report.items():
        ci = res.get("ci95", {})
        out.append(f"<h2>{escape(task)}</h2><p>{res['n_items']} item(s) with ≥ 2 annotators; "
                   f"{res['n_annotators']} annotator(s): {escape(', '.join(res['annotators']))}.</p>")
        out.append("<table><tr><th>coefficient</th><th>value [95% bootstrap CI]</th></tr>")
        rows = [("Percent agreement", "percent_agreement"), ("Fleiss' κ", "fleiss_kappa"),
                ("Krippendorff's α (nominal)", "krippendorff_alpha")]
        if "krippendorff_alpha_ordinal" in res:
            rows.append(("Krippendorff's α (ordinal)", "krippendorff_alpha_ordinal"))
        rows.append(("Gwet's AC1", "gwet_ac1"))
        for label, key in rows:
            out.append(f"<tr><td>{label}</td><td>{_fmt(res.get(key), ci.get(key))}</td></tr>")
        out.append("</table>")

        out.append("<table><tr><th>a</th><th>b</th><th>items</th><th>Cohen's κ [95% CI]</th></tr>")
        for row in res["pairwise"]:
            out.append(f"<tr><td>{escape(row['a'])}</td><td>{escape(row['b'])}</td><td>{row['n']}</td>"
                       f"<td>{_fmt(row['cohen_kappa'], row.get('ci'))}</td></tr>")
        out.append("</table>")

        out.append("<table><tr><th>label</th><th>ratings</th><th>specific agreement</th></tr>")
        for label, row in res["per_label"].items():
            out.append(f"<tr><td>{escape(label)}</td><td>{row['n_ratings']}</td>"
                       f"<td>{_fmt(row['specific_agreement'])}</td></tr>")
        out.append("</table>")

        labels = res["labels"]
        out.append("<div class='grid'>")
        if res["pairwise"]:
            out.append(f"<div class='card'>{kappa_heatmap(res)}</div>")
        out.append(f"<div class='card'>{heatmap(res['coincidence'], labels, labels, 'coincidences (all pairs)')}</div>")
        for conf in res["confusion"]:
            out.append(f"<div class='card'>{heatmap(conf['matrix'], labels, labels, conf['a'] + ' × ' + conf['b'])}</div>")
        out.append("</div>")

        model = res["model"]
        out.append("<h3>Annotators vs the model</h3><table><tr><th>annotator / slice</th><th>items</th>"
                   "<th>κ</th><th>match rate</th><th>acceptance</th></tr>")
        for row in model["per_annotator"]:
            out.append(f"<tr><td>{escape(row['annotator'])}</td><td>{row['n']}</td><td>{_fmt(row['cohen_kappa'])}</td>"
                       f"<td>{_fmt(row['match_rate'])}</td><td></td></tr>")
        for name, row in model["slices"].items():
            out.append(f"<tr><td><i>{escape(name)}</i></td><td>{row['n']}</td><td>{_fmt(row['cohen_kappa'])}</td>"
                       f"<td>{_fmt(row['match_rate'])}</td><td>{_fmt(row['acceptance_rate'])}</td></tr>")
        for row in model["per_model_version"]:
            out.append(f"<tr><td>pre-labels of {escape(row['model_version'])}</td><td>{row['n']}</td><td></td>"
                       f"<td>{_fmt(row['match_rate'])}</td><td>{_fmt(row['acceptance_rate'])}</td></tr>")
        out.append("</table>")
        out.append(_blind_vs_shown_html(model["blind_vs_shown"]))
        out.append("<div class='grid'>")
        for row in model["per_annotator"]:
            if row["n"]:
                out.append(f"<div class='card'>{heatmap(row['confusion'], labels, labels, row['annotator'] + ' × model')}</div>")
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)

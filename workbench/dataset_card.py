"""The dataset card (README.md) of an `export --format hf` folder.

Counts per split and label, label definitions, annotators, agreement with bootstrap CIs (the
agreement module, over the database), model versions, the source licences and the command
that made the export. Markdown with a small YAML header, as the Hugging Face Hub reads it.
"""
from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: db/ owns the engine
    from db.engine import Engine

    from workbench.export_hf import HfExport

# Mirrors the annotation guidelines (workbench/tui/default_guidelines.md).
LABEL_DEFINITIONS = {
    "stance": {
        "favor": "the speaker supports, welcomes, defends or argues for the target",
        "against": "the speaker opposes, criticises, doubts or argues against the target",
        "neutral": "no stance towards the target is expressed, or the statement is about something else",
    },
    "sentiment": {
        "negative": "the tone is critical, worried, angry, pessimistic",
        "neutral": "the tone is matter-of-fact",
        "positive": "the statement's tone is approving, optimistic, pleased",
    },
}
AGREEMENT_ROWS = (("percent agreement", "percent_agreement"), ("Fleiss' κ", "fleiss_kappa"),
                  ("Krippendorff's α (nominal)", "krippendorff_alpha"),
                  ("Krippendorff's α (ordinal)", "krippendorff_alpha_ordinal"), ("Gwet's AC1", "gwet_ac1"))
BOOTSTRAP = 1000
# the card's first line after the metadata: how `export --format hf` knows a folder it may replace
CARD_MARK = "<!-- written by workbench export --format hf -->"


def _plain(text) -> str:
    """One line of text: line breaks and tabs become spaces, other control characters go."""
    return "".join(" " if ch in "\r\n\t" else ch for ch in str(text) if ch >= " " or ch in "\r\n\t")


def _cell(text) -> str:
    """Plain text in a Markdown table cell: no pipes, no line breaks, no HTML, no control characters."""
    return _plain(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def _value(value, ci=None) -> str:
    from workbench.agreement.report import format_estimate

    return format_estimate(value, ci, sep=" ")


def agreement_section(engine: Engine, tasks) -> list[str]:
    from db.engine import readonly, transaction
    from workbench.agreement import agreement_report

    with transaction(readonly(engine)) as session:
        report = agreement_report(session, tuple(tasks), bootstrap=BOOTSTRAP)
    out = ["## Agreement", "",
           f"Over every item of the database that at least two annotators labelled (their current labels), "
           f"with 95 % bootstrap confidence intervals ({BOOTSTRAP} item resamples); `workbench agreement` gives "
           f"the full report.", ""]
    for task, res in report.items():
        ci = res.get("ci95", {})
        out += [f"### {task}", "", f"{res['n_items']} item(s) with ≥ 2 annotators, {res['n_annotators']} "
                f"annotator(s).", "", "| coefficient | value [95% CI] |", "|---|---|"]
        for label, key in AGREEMENT_ROWS:
            if key in res:
                out.append(f"| {label} | {_value(res[key], ci.get(key))} |")
        if res["pairwise"]:
            out += ["", "| annotator a | annotator b | items | Cohen's κ [95% CI] |", "|---|---|---|---|"]
            for row in res["pairwise"]:
                out.append(f"| {_cell(row['a'])} | {_cell(row['b'])} | {row['n']} | "
                           f"{_value(row['cohen_kappa'], row.get('ci'))} |")
        warning = res["model"]["blind_vs_shown"]["warning"]
        if warning:
            out += ["", f"Note: {_cell(warning)}."]
        out.append("")
    return out


def render_card(engine: Engine, export: HfExport, *, gold_only: bool, with_documents: bool,
                test_fraction: float | None, licence: str | None, command: str) -> str:
    licence_text = licence.strip() if licence and licence.strip() else "unspecified"
    out = ["---", f"license: {json.dumps(licence_text if licence_text != 'unspecified' else 'unknown')}",
           "pretty_name: \"Stance and sentiment annotations (Stance & Sentiment Workbench)\"",
           "configs:"]
    for task, summary in export.tasks.items():
        out += [f"- config_name: {task}", "  data_files:"]
        out += [f"  - split: {split}\n    path: \"{task}/{split}/*.arrow\"" for split in summary.splits]
    out += ["---", CARD_MARK, "", "# Stance and sentiment annotations", "",
            "Statements (quotes and reported speech) from news documents, labelled by human annotators "
            "with a stance towards a target and a sentiment, exported by the Stance & Sentiment Workbench.", "",
            f"- **Made by:** `{_plain(command).replace('`', chr(39))}`",
            f"- **Exported:** {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}",
            f"- **Source licences:** {_cell(licence_text)}",
            f"- **Rows:** {export.rows}" + (" (only items with an adjudicated gold label)" if gold_only else ""),
            "- **Splits:** " + (f"by document: a stable hash of each document's sha256 sends {test_fraction:g} of "
                                f"documents to `test`, so no document is in two splits" if test_fraction is not None
                                else "one `train` split (no `--split-by`)"),
            "- **Document fields:** " + ("`doc_title`, `doc_url`, `doc_published`" if with_documents
                                         else "not included (`--with-documents` adds title, url, published date)"),
            "", "## Loading", "", "```python", "from datasets import load_from_disk", ""]
    out += [f'{task} = load_from_disk("OUT/{task}")  # DatasetDict' for task in export.tasks]
    out += ["```", "",
            "`label` is a `ClassLabel`: the adjudicated gold label, else the majority of the annotators' current "
            "labels, -1 where neither exists (a tie). Every annotator's label, the soft label, gold, the model's "
            "prediction and `sentiment_conflict` are in the other columns.", ""]
    out += ["## Labels", ""]
    for task, summary in export.tasks.items():
        out += [f"### {task}", "", "| id | label | definition |", "|---|---|---|"]
        out += [f"| {i} | {label} | {LABEL_DEFINITIONS[task][label]} |" for i, label in enumerate(summary.labels)]
        out.append("")
    out += ["## Counts", ""]
    for task, summary in export.tasks.items():
        columns = list(summary.labels) + ["(none)"]
        out += [f"### {task}", "", "| split | documents | rows | " + " | ".join(columns) + " |",
                "|---|---|---|" + "---|" * len(columns)]
        for split, counts in summary.splits.items():
            out.append(f"| {split} | {summary.documents[split]} | {sum(counts.values())} | "
                       + " | ".join(str(counts.get(c, 0)) for c in columns) + " |")
        if task == "sentiment":
            out += ["", f"{summary.sentiment_conflicts} sentiment item(s) have an annotator who gave the statement a "
                        f"different sentiment under two targets (`sentiment_conflict` names them; not resolved)."]
        out.append("")
    out += ["## Annotators", "", "| annotator | " + " | ".join(f"{t} labels" for t in export.tasks) + " |",
            "|---|" + "---|" * len(export.tasks)]
    names = sorted({n for s in export.tasks.values() for n in s.annotators})
    for name in names:
        out.append(f"| {_cell(name)} | " + " | ".join(str(s.annotators.get(name, 0)) for s in export.tasks.values())
                   + " |")
    out.append("")
    out += agreement_section(engine, export.tasks)
    out += ["## Model versions", "", "| task | model version | rows it predicted (newest prediction) | "
            "labels given with its suggestion shown |", "|---|---|---|---|"]
    for task, summary in export.tasks.items():
        for version in sorted(set(summary.models) | set(summary.prelabels)):
            out.append(f"| {task} | {_cell(version)} | {summary.models.get(version, 0)} | "
                       f"{summary.prelabels.get(version, 0)} |")
    out.append("")
    return "\n".join(out)

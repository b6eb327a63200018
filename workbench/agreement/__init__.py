"""Inter-annotator agreement: metrics (numpy), data loading, terminal and HTML reports."""
from __future__ import annotations

from vocabulary import TASKS as TASK_NAMES


def agreement_report(session, tasks=TASK_NAMES, target: str | None = None, bootstrap: int = 1000,
                     seed: int = 0) -> dict:
    """{task: report} for each task, over items at least two annotators labelled."""
    from workbench.agreement.data import load_task
    from workbench.agreement.report import compute

    return {task: compute(load_task(session, task, target), bootstrap=bootstrap, seed=seed) for task in tasks}

"""annotate, demo, guidelines."""
from __future__ import annotations

import os
from pathlib import Path

import click

from workbench.commands.common import db_option, open_db, run_app

DEMO_TARGETS = ("the CSTO peacekeeping operation in Kazakhstan", "Askar Umarov's appointment as minister")
ORDERS = ("document", "uncertainty", "random")
DEFAULT_BLIND_FRACTION = 0.1


def _model_factory(engine):
    """Load the active classifiers (called lazily on a UI worker thread)."""
    def load():
        from workbench.modelstore import models_dir_for
        from workbench.prelabel import load_classifiers

        return load_classifiers(models_dir_for(engine))
    return load


def _trainer(engine):
    """Fine-tune from the UI's `t` key (runs on a worker thread)."""
    def train(task: str, target: str | None, progress):
        from workbench.training import train_from_decisions

        # the UI's `t` promises the new version to the next items: it activates as before
        return train_from_decisions(engine, task, target=target, progress=progress, activate=True)
    return train


def filter_options(command):
    """--all-pairs, --document, --speaker, --speaker-type, --label, --max-confidence: the queue's scope."""
    options = [
        click.option("--all-pairs", is_flag=True,
                     help="Queue every (statement, target) pair, not only the related ones (relatedness score or "
                          "keywords)."),
        click.option("--document", "document", default=None, metavar="GLOB",
                     help="Only statements from documents whose name matches GLOB."),
        click.option("--speaker", default=None, metavar="NAME", help="Only statements whose speaker's name contains NAME."),
        click.option("--speaker-type", type=click.Choice(["official", "expert", "other"]), default=None),
        click.option("--label", default=None, metavar="LABEL",
                     help="Only items the model labelled LABEL (favor, against, neutral = stance; positive, "
                          "negative; or sentiment:neutral)."),
        click.option("--max-confidence", type=click.FloatRange(0.0, 1.0), default=None, metavar="P",
                     help="Only items where the model's less sure suggestion has probability at most P."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_filters(all_pairs: bool, document: str | None, speaker: str | None, speaker_type: str | None,
                 label: str | None, max_confidence: float | None, blind: bool = False):
    from db.queue import QueueFilters
    from workbench.errors import WorkbenchError

    if blind and (label is not None or max_confidence is not None):
        raise WorkbenchError("--label and --max-confidence read model predictions; they cannot be used with --blind")
    return QueueFilters(all_pairs=all_pairs, document=document, speaker=speaker, speaker_type=speaker_type,
                        label=label, max_confidence=max_confidence)


def run_ui(engine, annotator: str, target: str | None, order: str, blind: bool, blind_fraction: float = 0.0,
           filters=None) -> None:
    from workbench.errors import WorkbenchError
    from workbench.tui.keymap import KeymapError, load_keymap

    try:
        keymap = load_keymap()
    except KeymapError as exc:
        raise WorkbenchError(str(exc)) from None
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    backend = Backend(engine, annotator, target=target, order=order, blind=blind,
                      predictor_factory=None if blind else _model_factory(engine), blind_fraction=blind_fraction,
                      trainer=None if blind else _trainer(engine), filters=filters)
    run_app(AnnotateApp(backend, keymap=keymap))


@click.command()
@click.option("--annotator", required=True, help="Your name; decisions are recorded under it.")
@click.option("--target", default=None, metavar="TEXT|ID", help="Annotate one target only (default: all).")
@click.option("--blind", is_flag=True, help="Hide the model's suggestions (and never read predictions).")
@click.option("--order", type=click.Choice(ORDERS), default="document", show_default=True,
              help="document: reading order; uncertainty: least certain predictions first; "
                   "random: shuffled, stable per annotator.")
@click.option("--blind-fraction", type=click.FloatRange(0.0, 1.0), default=DEFAULT_BLIND_FRACTION, show_default=True,
              help="Share of items shown without suggestions, to measure how pre-labels bias annotators.")
@filter_options
@db_option
def annotate(annotator: str, target: str | None, blind: bool, order: str, blind_fraction: float, all_pairs: bool,
             document: str | None, speaker: str | None, speaker_type: str | None, label: str | None,
             max_confidence: float | None, db_url: str | None) -> None:
    """Label statements' stance and sentiment, one key per decision (press ? inside for keys)."""
    from db.engine import transaction
    from db.repository import annotator_name, find_target
    from workbench.errors import WorkbenchError

    annotator = annotator_name(annotator)  # the rule every path that stores a name follows
    if blind and order == "uncertainty":
        raise WorkbenchError("--order uncertainty reads model predictions; it cannot be used with --blind")
    filters = make_filters(all_pairs, document, speaker, speaker_type, label, max_confidence, blind)
    engine = open_db(db_url)
    if target is not None:
        with transaction(engine) as session:
            find_target(session, target)  # a clear error before the screen opens
    run_ui(engine, annotator, target, order, blind, blind_fraction, filters)


@click.command("queue")
@click.option("--annotator", required=True,
              help="Whose queue: their own decisions are left out; under an assignment plan, their items only.")
@click.option("--target", default=None, metavar="TEXT|ID", help="One target only (default: all).")
@click.option("--order", type=click.Choice(ORDERS), default="document", show_default=True)
@filter_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N", help="At most N items.")
@db_option
def queue_cmd(annotator: str, target: str | None, order: str, all_pairs: bool, document: str | None,
              speaker: str | None, speaker_type: str | None, label: str | None, max_confidence: float | None,
              as_json: bool, limit: int | None, db_url: str | None) -> None:
    """Print, in order, the items `annotate` would show this annotator (same queue, same filters)."""
    import json

    from db.engine import readonly, transaction
    from db.queue import AnnotationQueue
    from db.repository import find_annotator, find_target, list_targets
    from workbench.errors import WorkbenchError

    if not annotator.strip():
        raise WorkbenchError("--annotator needs a name")
    filters = make_filters(all_pairs, document, speaker, speaker_type, label, max_confidence)
    with transaction(readonly(open_db(db_url))) as session:
        targets = [find_target(session, target)] if target is not None else list_targets(session)
        if not targets:
            raise WorkbenchError('no stance targets yet: add one with `workbench targets add "TEXT"`')
        found = find_annotator(session, annotator.strip())  # read-only: a new name has decided nothing yet
        queue = AnnotationQueue(found.id if found else -1, annotator.strip(), [t.id for t in targets], order,
                                filters=filters)
        printed: set = set()
        while limit is None or len(printed) < limit:
            page = min(500, limit - len(printed)) if limit is not None else 500
            keys = queue.next_keys(session, page, exclude=printed)
            for item in queue.load(session, keys):
                printed.add(item.key)
                row = queue_row(item)
                click.echo(json.dumps(row, ensure_ascii=False) if as_json else _queue_line(row))
            if len(keys) < page:
                break


QUEUE_FIELDS = ("doc", "start", "end", "target", "relatedness", "stance", "stance_probability", "sentiment",
                "sentiment_probability", "speaker", "text")


def queue_row(item) -> dict:
    """One queued item as `workbench queue --json` prints it."""
    def probability(suggestion):
        return None if suggestion is None else round(suggestion.confidence, 4)
    return {"doc": item.document_source, "start": item.start, "end": item.end, "target": item.target_text,
            "relatedness": None if item.relatedness is None else round(item.relatedness, 4),
            "stance": item.stance.label if item.stance else None, "stance_probability": probability(item.stance),
            "sentiment": item.sentiment.label if item.sentiment else None,
            "sentiment_probability": probability(item.sentiment), "speaker": item.speaker, "text": item.text}


def _queue_line(row: dict) -> str:
    related = "–" if row["relatedness"] is None else f"{row['relatedness']:.2f}"
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in row["text"]).split())
    line = (f"{row['doc']}:{row['start']}-{row['end']}\t{row['target']}\trelated {related}\t"
            f"{row['stance'] or '–'}/{row['sentiment'] or '–'}\t{text[:80]}")
    return "".join(ch for ch in line if ch == "\t" or ch.isprintable())


def _seeds_dir() -> Path:
    here = Path.cwd() / "seeds"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "seeds"


@click.command()
@click.option("--no-ui", is_flag=True, help="Prepare the demo database but do not open the annotation screen.")
@click.option("--annotator", default="demo", show_default=True)
@db_option
def demo(no_ui: bool, annotator: str, db_url: str | None) -> None:
    """Init, ingest seeds/, extract, add the demo targets, pre-label, then annotate."""
    from db.engine import transaction
    from db.migrate import upgrade
    from db.repository import annotator_name, ensure_target
    from workbench.errors import WorkbenchError

    annotator = annotator_name(annotator)
    seeds = _seeds_dir()
    if not seeds.is_dir():
        raise WorkbenchError(f"no seeds/ folder here or at {seeds}")
    engine = open_db(db_url, require_current=False)
    upgrade(engine)
    ctx = click.get_current_context()
    from workbench.cli import cli

    # ctx.invoke fills in each command's own defaults
    ctx.invoke(cli.get_command(ctx, "ingest"), paths=(str(seeds),), db_url=db_url)
    ctx.invoke(cli.get_command(ctx, "extract"), db_url=db_url)
    with transaction(engine) as session:
        for text in DEMO_TARGETS:
            ensure_target(session, text)
    click.echo(f"targets: {'; '.join(DEMO_TARGETS)}")
    _prelabel(engine)
    if not no_ui:
        run_ui(engine, annotator, None, "document", False, DEFAULT_BLIND_FRACTION)


def _prelabel(engine) -> None:
    from workbench.commands.common import progress_bar
    from workbench.modelstore import models_dir_for
    from workbench.prelabel import LOADING_MODELS, load_classifiers, load_gate, pending, prelabel
    from workbench.prelabel import prelabel_relatedness

    click.echo(LOADING_MODELS, err=True)
    try:
        gate = load_gate(models_dir_for(engine))
        classifiers = load_classifiers(models_dir_for(engine))
    except Exception as exc:  # noqa: BLE001 - the demo still works without suggestions
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        click.echo(f"warning: no pre-labels (models unavailable: {first}); the UI will ask the model "
                   "per item or you label by hand", err=True)
        return
    related = prelabel_relatedness(engine, gate)
    total = sum(len(items) for items in pending(engine, classifiers).values())
    with progress_bar(total, "pre-labelling") as advance:
        written = prelabel(engine, classifiers, on_progress=advance)
    click.echo("pre-labelled: " + ", ".join(f"{n} {task}" for task, n in {**written, "relatedness": related}.items()))


@click.group()
def guidelines() -> None:
    """The annotation guidelines shown with g in the annotation screen (stored in the database)."""


@guidelines.command("show")
@db_option
def guidelines_show(db_url: str | None) -> None:
    """Print the current guidelines (the default ones until `set`)."""
    from db.engine import readonly, transaction
    from db.repository import get_setting
    from workbench.tui.backend import GUIDELINES_KEY, default_guidelines

    with transaction(readonly(open_db(db_url))) as session:
        click.echo(get_setting(session, GUIDELINES_KEY) or default_guidelines(), nl=False)


GUIDELINES_MAX_BYTES = 1024 * 1024


@guidelines.command("set")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@db_option
def guidelines_set(file: str, db_url: str | None) -> None:
    """Replace the guidelines with a Markdown FILE."""
    from workbench.bounded_read import FileTooLarge, InputFileError, read_bounded
    from workbench.errors import WorkbenchError

    try:  # they are read on every g press; a book (or /dev/zero) does not belong there
        text = read_bounded(file, GUIDELINES_MAX_BYTES).decode("utf-8")
    except FileTooLarge as exc:
        raise WorkbenchError(f"{file} is {exc.size / 1e6:.1f} MB; guidelines are at most "
                             f"{GUIDELINES_MAX_BYTES // 2**20} MiB of Markdown") from None
    except InputFileError as exc:
        raise WorkbenchError(f"{file}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise WorkbenchError(f"{file}: not valid UTF-8 (byte offset {exc.start}); guidelines are UTF-8 Markdown") from None
    except OSError as exc:
        raise WorkbenchError(f"cannot read {file}: {exc.strerror or exc}") from None
    if not text.strip():
        raise WorkbenchError(f"{file} is empty; guidelines left unchanged")
    if "\x00" in text:
        raise WorkbenchError(f"{file} is binary (contains NUL bytes), not Markdown")
    _store(db_url, text)
    click.echo(f"guidelines set from {file} ({len(text.splitlines())} lines)")


@guidelines.command("edit")
@db_option
def guidelines_edit(db_url: str | None) -> None:
    """Edit the guidelines in $EDITOR."""
    from db.engine import readonly, transaction
    from db.repository import get_setting
    from workbench.errors import WorkbenchError
    from workbench.tui.backend import GUIDELINES_KEY, default_guidelines

    engine = open_db(db_url)
    with transaction(readonly(engine)) as session:
        current = get_setting(session, GUIDELINES_KEY) or default_guidelines()
    try:
        edited = click.edit(current, extension=".md", editor=os.environ.get("VISUAL") or os.environ.get("EDITOR"))
    except UnicodeDecodeError as exc:  # the editor saved another encoding (or binary)
        raise WorkbenchError(f"the edited guidelines are not valid UTF-8 (byte offset {exc.start}); "
                             "nothing saved") from None
    if edited is None or edited == current:
        click.echo("guidelines unchanged")
        return
    if not edited.strip():
        click.echo("empty guidelines not saved")
        return
    if "\x00" in edited:
        raise WorkbenchError("the edited guidelines are binary (contain NUL bytes), not Markdown; nothing saved")
    if len(edited.encode("utf-8")) > GUIDELINES_MAX_BYTES:
        raise WorkbenchError(f"the edited guidelines are over {GUIDELINES_MAX_BYTES // 2**20} MiB; nothing saved")
    _store(db_url, edited)
    click.echo("guidelines saved")


def _store(db_url: str | None, text: str) -> None:
    from db.engine import transaction
    from db.plaintext import clean_text
    from db.repository import set_setting
    from workbench.tui.backend import GUIDELINES_KEY

    with transaction(open_db(db_url)) as session:
        set_setting(session, GUIDELINES_KEY, clean_text(text))  # shown in the UI: no terminal controls


def register(group: click.Group) -> None:
    for command in (annotate, queue_cmd, demo, guidelines):
        group.add_command(command)

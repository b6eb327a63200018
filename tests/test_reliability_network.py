"""No network (issue 8): with every socket call blocked, loading the classifiers and pre-labelling
a database succeed, and not one connection or name lookup is even attempted.

It runs in a fresh interpreter whose sockets are blocked before anything is imported, with the
HF_*/TRANSFORMERS_* offline variables removed, so no import-time state from other tests helps.
The models are the REAL shipped weights when models/weights/<task>/config.json exist for both
tasks; otherwise tiny models built here from a tiny local encoder (models/testing.py).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from db import repository
from db.engine import transaction
from db.schema import Prediction
from models.classifiers import WEIGHTS_DIR
from tests.conftest import REPO
from tests.test_reliability_bad_input import tiny_models  # noqa: F401 - a fixture
from tests.test_reliability_storage import seed_items

N_STATEMENTS = 12
TARGETS = ("the thing", "the other thing")  # seed_items adds the first

BLOCKED_RUN = textwrap.dedent('''
    import atexit, json, os, socket, sys
    attempts = []

    def blocked(name):
        def refuse(*args, **kwargs):
            attempts.append(f"{name}{args[1:2] if name.startswith('socket.') else args[:1]}")
            raise OSError(f"network blocked by the test: {name}")
        return refuse

    socket.socket.connect = blocked("socket.connect")
    socket.socket.connect_ex = blocked("socket.connect_ex")
    socket.create_connection = blocked("create_connection")
    socket.getaddrinfo = blocked("getaddrinfo")
    socket.gethostbyname = blocked("gethostbyname")
    import urllib.request
    try:  # the block itself works: a real request is refused and recorded
        urllib.request.urlopen("https://huggingface.co", timeout=5)
        raise SystemExit("the socket block did not hold")
    except OSError:
        assert attempts, "the refused request was not recorded"
        del attempts[:]
    atexit.register(lambda: print("SOCKET-ATTEMPTS " + json.dumps(attempts), file=sys.stderr))

    from workbench.prelabel import load_classifiers
    from workbench.modelstore import models_dir_for
    from db.engine import make_engine

    url, mode = sys.argv[1], sys.argv[2]
    classifiers = load_classifiers(models_dir_for(make_engine(url)))
    print("LOADED " + json.dumps({t: [c.name, c.version, str(c.path)] for t, c in classifiers.items()}))
    sys.stdout.flush()
    from workbench.cli import cli
    cli.main(["prelabel", "--db", url, "--batch-size", "8"], prog_name="workbench", standalone_mode=False)
''')


def shipped_weights_present() -> bool:
    return all((WEIGHTS_DIR / task / "config.json").is_file() for task in ("stance", "sentiment"))


def test_load_and_prelabel_with_sockets_blocked(engine, sqlite_url, tmp_path, request):
    seed_items(engine, N_STATEMENTS)
    with transaction(engine) as session:
        repository.add_target(session, TARGETS[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env["PYTHONPATH"] = str(REPO)
    env["WORKBENCH_MODELS"] = str(tmp_path / "models")
    if shipped_weights_present():
        mode = "shipped"
    else:
        mode = "tiny"
        from models.registry import set_active

        base, folders = request.getfixturevalue("tiny_models")
        env["WORKBENCH_BASE_ENCODER"] = str(base)
        for task, folder in folders.items():
            shutil.copytree(folder, tmp_path / "models" / f"tiny-{task}")
            version = json.loads((folder / "config.json").read_text())["version"]
            set_active(tmp_path / "models", task, version)
    proc = subprocess.run([sys.executable, "-c", BLOCKED_RUN, sqlite_url, mode], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    attempts = json.loads(proc.stderr.split("SOCKET-ATTEMPTS ", 1)[1].splitlines()[0])
    assert attempts == [], f"network was attempted: {attempts[:5]}"
    loaded = json.loads(proc.stdout.split("LOADED ", 1)[1].splitlines()[0])
    for task, (_name, _version, path) in loaded.items():
        if mode == "shipped":
            assert path == str(WEIGHTS_DIR / task)
        else:
            assert path == str(tmp_path / "models" / f"tiny-{task}")
    assert f"pre-labelled {N_STATEMENTS} sentiment and {N_STATEMENTS * len(TARGETS)} stance item(s)" in proc.stdout
    with transaction(engine) as session:
        rows = session.execute(select(Prediction.task, Prediction.model_name, Prediction.model_version,
                                      func.count()).group_by(Prediction.task, Prediction.model_name,
                                                             Prediction.model_version)).all()
        labels = set(session.scalars(select(Prediction.label)))
    assert {(task, name, version, n) for task, name, version, n in rows} == {
        ("sentiment", *loaded["sentiment"][:2], N_STATEMENTS),
        ("stance", *loaded["stance"][:2], N_STATEMENTS * len(TARGETS)),
        ("relatedness", "minilm-relatedness-gate", "1.0.0", N_STATEMENTS * len(TARGETS))}  # the gate, offline too
    assert labels <= {"favor", "against", "neutral", "positive", "negative", "related", "unrelated"}
    print(f"\nno network: {mode} models loaded and {N_STATEMENTS * (1 + len(TARGETS))} predictions written, "
          "0 socket attempts")

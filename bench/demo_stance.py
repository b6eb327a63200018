"""Issue #24's demo symptom, in numbers: the stance each model gives the demo article's statements toward the
two demo targets (statements not about Askar Umarov should be neutral toward his appointment).

    python bench/demo_stance.py [shipped|MODEL_DIR ...]

The statements are the ones `extract` finds in seeds/; not part of the test suite.
"""
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from models.classifiers import load_classifier  # noqa: E402
from workbench.commands.annotate_cmds import DEMO_TARGETS  # noqa: E402
from workbench.extract import extract  # noqa: E402

ZAS = "the organization had gained"  # Zas on the CSTO: not about Umarov


def main(argv: list[str]) -> int:
    text = next((REPO / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    statements = [s.text for s in extract(text)]
    for path in argv or ["shipped"]:
        clf = load_classifier("stance", None if path == "shipped" else path)
        for target in DEMO_TARGETS:
            preds = clf.predict(statements, [target] * len(statements))
            counts = Counter(p.label for p in preds)
            print(f"{path} {clf.version} toward {target!r}: {len(statements)} statements, favor {counts['favor']}, "
                  f"against {counts['against']}, neutral {counts['neutral']}")
            for s, p in zip(statements, preds):
                if s.startswith(ZAS):
                    print(f"    Zas \"{ZAS} ...\": {p.label} {p.probabilities[p.label]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

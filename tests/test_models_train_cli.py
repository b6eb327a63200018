"""`python -m models.train`: which data options the CLI passes to the stance recipe, and which it refuses."""
import pytest

from models.errors import DataError


@pytest.fixture
def recipe_calls(monkeypatch):
    """The (recipe, options) of every recipe_data call the CLI makes; each call then ends the run."""
    import models.recipes

    seen = []

    def stop(task, seed, recipe=None, **options):
        seen.append((recipe, options))
        raise DataError("stop here")

    monkeypatch.setattr(models.recipes, "recipe_data", stop)
    return seen


def _train(*args: str) -> int:
    from models.train import main

    return main(["--task", "stance", *args, "--out", "/nonexistent"])


def test_train_cli_refuses_uncapped_outside_the_multi_recipe(capsys):
    assert _train("--recipe", "classic", "--uncapped", "semeval") == 2
    assert "--uncapped is for --task stance with the multi recipe" in capsys.readouterr().err


def test_train_cli_applies_the_recipes_uncapped_list_to_the_multi_recipe_only(recipe_calls):
    from models.shipped import HYPER

    assert _train("--recipe", "classic") == 2
    assert _train("--recipe", "multi") == 2
    assert _train("--recipe", "multi", "--uncapped", "semeval") == 2
    seen = [(recipe, options.get("uncapped")) for recipe, options in recipe_calls]
    assert seen == [("classic", None), ("multi", tuple(HYPER["stance"]["uncapped"])), ("multi", ("semeval",))]


def test_train_cli_passes_per_corpus_to_the_multi_recipe_only(recipe_calls, capsys):
    assert _train("--recipe", "multi", "--per-corpus", "2000") == 2
    assert [(recipe, options.get("per_corpus")) for recipe, options in recipe_calls] == [("multi", 2000)]
    assert _train("--recipe", "classic", "--per-corpus", "2000") == 2
    assert "--per-corpus is for --task stance with the multi recipe" in capsys.readouterr().err
    assert _train("--recipe", "multi", "--per-corpus", "0") == 2
    assert "--per-corpus must be at least 1" in capsys.readouterr().err
    assert len(recipe_calls) == 1  # neither refused call reached the data


def test_train_cli_passes_the_corpora_same_corpus_pairs_are_drawn_from(recipe_calls, capsys):
    from models.shipped import HYPER

    def seen():
        return [(options.get("same_corpus"), options.get("same_corpus_from")) for _, options in recipe_calls]

    assert _train("--recipe", "multi", "--same-corpus", "200", "--same-corpus-from", "emergent") == 2
    assert seen() == [(200, ("emergent",))]
    # the shipped recipe's own pairs (models/shipped.py) unless told otherwise
    assert _train("--recipe", "multi") == 2
    assert seen()[-1] == (HYPER["stance"]["same_corpus"], tuple(HYPER["stance"]["same_corpus_from"]))
    assert _train("--recipe", "multi", "--same-corpus", "0") == 2
    assert seen()[-1] == (None, None)
    capsys.readouterr()
    assert _train("--recipe", "multi", "--same-corpus", "0", "--same-corpus-from", "emergent") == 2
    assert "--same-corpus-from needs --same-corpus N" in capsys.readouterr().err
    assert len(recipe_calls) == 3


def test_train_cli_draws_the_data_with_seed_whatever_the_order_seed(monkeypatch):
    import models.recipes

    seeds = []

    def stop(task, seed, recipe=None, **options):
        seeds.append(seed)
        raise DataError("stop here")

    monkeypatch.setattr(models.recipes, "recipe_data", stop)
    assert _train("--seed", "13", "--order-seed", "14") == 2
    assert seeds == [13]

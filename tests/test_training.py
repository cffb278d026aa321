"""course_lib.training: the data split, one run, the sweep's choice of rates, its table, and the committed
sweep of chapter 10 re-run in part (same numbers)."""

import math

import numpy as np
import pytest

from course_lib import momentum, momentum_ema
from course_lib.comparison import rate_grid
from course_lib.data import digits
from course_lib.exercises import EXERCISES, check
from course_lib.exercises.putting_it_together import N_TRAIN
from course_lib.schedules import cosine
from course_lib.training import (
    METHODS,
    Row,
    Setup,
    best,
    committed_sweep,
    digits_splits,
    format_table,
    load_sweep,
    make_optimizer,
    method,
    parameter_count,
    results_table,
    save_sweep,
    select,
    sweep,
    train,
    updates_per_run,
)

SHORT = Setup(epochs=2)


@pytest.fixture(scope="module")
def splits():
    return digits_splits()


@pytest.fixture(scope="module")
def saved():
    return committed_sweep()


def final(method="gd", lr=0.1, seed=0, acc=0.9, loss=0.2, diverged=False, test=0.95, train_loss=0.01):
    return dict(method=method, lr=lr, seed=seed, diverged=diverged, valid_accuracy=acc, valid_loss=loss,
                test_accuracy=test, train_loss=train_loss)


# --------------------------------------------------------------------- the data

def test_splits_are_disjoint_cover_the_digits_and_are_standardized_by_the_training_part(splits):
    n = len(digits())
    assert (len(splits.train), len(splits.valid), len(splits.test)) == (N_TRAIN, 270, 450)
    assert len(splits.train) + len(splits.valid) + len(splits.test) == n
    assert math.ceil(0.25 * n) == 450 and math.ceil(0.2 * (n - 450)) == 270
    # rows are distinct images of the data set: no row is in two parts
    rows = [{tuple(np.round(x, 9)) for x in part.X} for part in splits]
    assert not (rows[0] & rows[1]) and not (rows[0] & rows[2]) and not (rows[1] & rows[2])
    X = splits.train.X
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    std = X.std(axis=0)
    assert np.all((np.abs(std - 1.0) < 1e-12) | (std == 0.0))      # constant pixels keep scale 1
    assert abs(splits.valid.X.mean()) > 1e-6                          # not standardized by its own statistics


def test_splits_depend_only_on_the_seed():
    a, b, c = digits_splits(seed=4), digits_splits(seed=4), digits_splits(seed=5)
    assert np.array_equal(a.test.y, b.test.y) and np.array_equal(a.valid.X, b.valid.X)
    assert not np.array_equal(a.test.y, c.test.y)


# --------------------------------------------------------------------- setup and methods

def test_budget_and_parameter_count_by_hand():
    assert updates_per_run(1077, Setup(epochs=20, batch_size=32)) == 20 * 34
    assert updates_per_run(64, Setup(epochs=3, batch_size=32)) == 6
    assert parameter_count(Setup(batchnorm=False)) == 64 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10
    assert parameter_count(Setup()) == parameter_count(Setup(batchnorm=False)) + 2 * (128 + 64)


@pytest.mark.parametrize("kwargs, match", [
    (dict(epochs=0), "epochs"), (dict(batch_size=0), "batch_size"), (dict(sizes=(64,)), "sizes"),
    (dict(sizes=(64, 0, 10)), "sizes"),
])
def test_setup_rejects_bad_values(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Setup(**kwargs)


def test_methods_and_their_optimizers():
    names = [m.name for m in METHODS]
    assert len(set(names)) == len(names)
    assert {"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw", "yogi"} <= set(names)
    assert any(m.schedule for m in METHODS)
    assert make_optimizer("adam", 0.02, 10).hyperparams["lr"] == 0.02
    eta = make_optimizer("momentum + cosine", 0.2, 100).hyperparams["lr"]
    reference = cosine(0.2, 100)
    assert [eta(t) for t in (0, 37, 99, 100)] == [reference(t) for t in (0, 37, 99, 100)]
    assert eta(0) == 0.2 and eta(100) == 0.0
    with pytest.raises(ValueError, match="name must be one of"):
        method("newton")
    with pytest.raises(ValueError, match="lr"):
        make_optimizer("gd", 0.0, 10)


# --------------------------------------------------------------------- one run

def test_a_run_records_every_epoch_and_is_deterministic(splits):
    a = train(splits, "adam", 0.003, seed=1, setup=SHORT)
    b = train(splits, "adam", 0.003, seed=1, setup=SHORT)
    assert a.epochs_done == 2 and not a.diverged
    for field in ("train_loss", "valid_loss", "valid_accuracy", "test_accuracy"):
        assert getattr(a, field).shape == (3,)
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert a.final() == b.final()
    assert np.all(np.diff(a.seconds) > 0) and a.seconds[0] == 0.0
    # accuracies are fractions of the parts' sizes
    assert np.allclose(a.test_accuracy * 450, np.round(a.test_accuracy * 450), atol=1e-9)
    assert np.allclose(a.valid_accuracy * 270, np.round(a.valid_accuracy * 270), atol=1e-9)
    # the loss at epoch 0 of a random network with 10 classes is near log 10
    assert abs(a.train_loss[0] - math.log(10)) < 1.0
    assert a.train_loss[-1] < 0.5 * a.train_loss[0]


def test_same_seed_same_start_for_every_method(splits):
    one = Setup(epochs=1)
    runs = [train(splits, m, 0.01, seed=2, setup=one) for m in ("gd", "adam", "rmsprop")]
    for r in runs[1:]:
        assert r.train_loss[0] == runs[0].train_loss[0] and r.valid_loss[0] == runs[0].valid_loss[0]
    other = train(splits, "gd", 0.01, seed=3, setup=one)
    assert other.train_loss[0] != runs[0].train_loss[0]


def test_a_diverging_run_stops_and_says_so(splits):
    r = train(splits, "gd", 1e300, seed=0, setup=Setup(batchnorm=False, epochs=3))   # weights overflow
    assert r.diverged and r.epochs_done < 3
    assert np.all(np.isfinite(r.train_loss))


def test_moving_average_momentum_at_ten_times_the_rate_takes_the_same_steps(splits):
    """The exercise fit-ema-rate: momentum_ema(lr / (1 - beta)) = momentum(lr), on the chapter's network."""
    from course_lib.data import Batches
    from course_lib.nn import mlp_init, mlp_problem
    from course_lib.stochastic import sgd_epoch
    problem = mlp_problem(splits.train, mlp_init([64, 128, 64, 10], seed=0, batchnorm=True))
    epoch = Batches(problem.n, 32, seed=0).epoch(0)
    ends = []
    for opt in (momentum(0.01, 0.9), momentum_ema(0.1, 0.9)):
        theta, _ = sgd_epoch(problem, problem.x0, opt, opt.init(problem.x0), epoch)
        ends.append(theta)
    assert np.abs(ends[0] - ends[1]).max() < 1e-9 * np.abs(ends[0]).max()


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="sgd"), "name"), (dict(lr=-1.0), "lr"), (dict(seed=-1), "seed"),
])
def test_train_rejects_bad_input(splits, kwargs, match):
    args = dict(name="gd", lr=0.1, seed=0) | kwargs
    with pytest.raises(ValueError, match=match):
        train(splits, args["name"], args["lr"], seed=args["seed"], setup=SHORT)


def test_train_wants_splits():
    with pytest.raises(ValueError, match="splits"):
        train(digits(), "gd", 0.1)


# --------------------------------------------------------------------- choosing and tabulating

def test_select_ranks_on_validation_only():
    runs = [final(lr=0.1, acc=0.90, test=0.99), final(lr=1.0, acc=0.95, test=0.90),
            final(lr=1.0, seed=1, acc=0.97, test=0.90), final(lr=10.0, acc=0.99, diverged=True),
            final(lr=10.0, seed=1, acc=0.99)]
    choice = select(runs)["gd"]
    # 10 is out (one seed diverged); 1.0 has the best mean validation accuracy; the test never counts
    assert choice.lr == 1.0 and choice.valid_accuracy == pytest.approx(0.96) and choice.stable == 2
    assert not choice.on_edge


def test_select_breaks_ties_by_validation_loss_then_smaller_rate():
    assert select([final(lr=0.1, loss=0.3), final(lr=1.0, loss=0.2)])["gd"].lr == 1.0
    tie = select([final(lr=0.1), final(lr=1.0)])["gd"]
    assert tie.lr == 0.1 and tie.on_edge


def test_select_leaves_out_a_method_that_always_diverged():
    assert select([final(method="a", diverged=True), final(method="b")]).keys() == {"b"}


def test_results_table_mean_and_sample_spread_by_hand():
    runs = [final(seed=s, test=t, train_loss=loss) for s, t, loss in [(0, 0.96, 0.1), (1, 0.98, 0.2), (2, 0.97, 0.3)]]
    runs.append(final(lr=0.5, acc=0.5, test=1.0))        # another rate: not chosen, not in the table
    (row,) = results_table(runs, select(runs))
    assert row.seeds == 3 and row.lr == 0.1
    assert row.test_mean == pytest.approx(0.97) and row.test_spread == pytest.approx(0.01)
    assert row.train_loss_mean == pytest.approx(0.2) and row.train_loss_spread == pytest.approx(0.1)


def test_results_table_sorts_by_test_accuracy_and_formats():
    runs = [final(method="gd", test=0.95), final(method="adam", test=0.97)]
    rows = results_table(runs, select(runs))
    assert [r.method for r in rows] == ["adam", "gd"]
    text = format_table(rows)
    assert text.splitlines()[1].startswith("adam") and "0.9700 ± 0.0000" in text
    assert format_table([Row("x", 0.5, 1, 1.0, 0.0, 1.0, 0.0, 0.0)]).count("\n") == 1


def test_save_and_load_give_the_same_numbers_and_the_same_file(tmp_path, splits):
    runs = sweep(splits, [0.05], [0, 1], methods=["gd"], setup=Setup(epochs=1))
    path = tmp_path / "s.json"
    save_sweep(path, runs, setup=Setup(epochs=1), rates=[0.05], seeds=[0, 1])
    back = load_sweep(path)
    assert back.runs == tuple(r.final() for r in runs) and back.seeds == (0, 1) and back.rates == (0.05,)
    text = path.read_text()
    save_sweep(path, back.runs, setup=back.setup, rates=back.rates, seeds=back.seeds)
    assert path.read_text() == text
    with pytest.raises(ValueError, match="path"):
        load_sweep(tmp_path / "missing.json")


# --------------------------------------------------------------------- the committed sweep

def test_the_committed_sweep_is_complete(saved):
    assert saved.setup == Setup() and saved.split_seed == 0
    assert list(saved.rates) == rate_grid().tolist() and len(saved.seeds) >= 3
    keys = [(r["method"], r["lr"], r["seed"]) for r in saved.runs]
    assert len(keys) == len(set(keys)) == len(METHODS) * len(saved.rates) * len(saved.seeds)
    assert {k[0] for k in keys} == {m.name for m in METHODS}


def test_every_method_has_a_chosen_rate_inside_the_grid(saved):
    choices = select(saved.runs)
    assert choices.keys() == {m.name for m in METHODS}
    assert not any(c.on_edge for c in choices.values())
    top = best(choices)
    assert top.valid_accuracy == max(c.valid_accuracy for c in choices.values())
    (row,) = [r for r in results_table(saved.runs, choices) if r.method == top.method]
    assert row.test_mean >= 0.97        # the target, for the configuration chosen on validation


@pytest.mark.parametrize("name, which", [("adam", "chosen"), ("momentum + cosine", "chosen"), ("gd", "largest")])
def test_rerunning_part_of_the_committed_sweep_gives_the_same_numbers(saved, splits, name, which):
    lr = select(saved.runs)[name].lr if which == "chosen" else saved.rates[-1]
    seed = saved.seeds[-1]
    again = train(splits, name, lr, seed=seed, setup=saved.setup).final()
    stored = saved.find(name, lr, seed)
    assert again.keys() == stored.keys()
    for key, value in stored.items():
        if isinstance(value, float):
            assert again[key] == pytest.approx(value, rel=1e-12, abs=1e-15), key
        else:
            assert again[key] == value, key


# --------------------------------------------------------------------- exercises

def test_exercises_answers():
    assert N_TRAIN == len(digits_splits().train)
    assert EXERCISES["fit-updates"].answer.tolist() == [680.0]
    assert EXERCISES["fit-parameters"].answer.tolist() == [17610.0]
    lr = select(committed_sweep().runs)["momentum"].lr
    assert EXERCISES["fit-ema-rate"].answer.tolist() == pytest.approx([lr * 10])
    assert check("fit-ema-rate", float(f"{lr * 10:.3g}")).correct
    assert "larger" in check("fit-ema-rate", lr).message
    assert "last batch" in check("fit-updates", 660).message
    assert "γ and β" in check("fit-parameters", 17226).message

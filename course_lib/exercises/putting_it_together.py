"""Exercises of chapter 10: putting it together (training the digits MLP with every optimizer)."""

from __future__ import annotations

from ..training import Setup, committed_sweep, digits_splits, parameter_count, select, updates_per_run
from . import Exercise, Mistake, register

#: The momentum of the chapter's momentum runs (``momentum``'s default).
BETA = 0.9
#: The size of the training part of :func:`~course_lib.training.digits_splits` (checked by the tests).
N_TRAIN = 1077
_SETUP = Setup()


def _n_train() -> int:
    return len(digits_splits().train)


def _updates() -> int:
    return updates_per_run(_n_train(), _SETUP)


def _momentum_lr() -> float:
    """The rate the committed sweep chose for momentum (velocity form), on the validation part."""
    return select(committed_sweep().runs)["momentum"].lr


def _ema_lr() -> float:
    """The rate of ``momentum_ema`` with the same iterates:
    ``momentum_ema(lr, beta) = momentum(lr (1 - beta), beta)``."""
    return _momentum_lr() / (1.0 - BETA)


register("10_putting_it_together", [
    Exercise(
        key="fit-updates",
        question=f"Every run of the chapter trains on the {N_TRAIN} examples of the training part for "
                 f"{_SETUP.epochs} epochs, in minibatches of {_SETUP.batch_size} that keep the smaller last batch "
                 "of each epoch. How many parameter updates does one run take?",
        solve=_updates,
        hint=f"One update per minibatch; an epoch has {N_TRAIN} / {_SETUP.batch_size} minibatches, rounded up.",
        mistakes=lambda: [
            Mistake(_SETUP.epochs * (_n_train() // _SETUP.batch_size),
                    "that drops the smaller last batch of each epoch; here it is kept, so "
                    "round the number of minibatches up."),
            Mistake(_SETUP.epochs * _n_train() / _SETUP.batch_size,
                    "a number of minibatches is a whole number: round it up.", rtol=1e-2),
            Mistake(_SETUP.epochs * _n_train(), "that is the number of examples processed; each minibatch gives "
                    "one update."),
            Mistake(_updates() // _SETUP.epochs, f"that is one epoch; the budget is {_SETUP.epochs}."),
        ],
    ),
    Exercise(
        key="fit-parameters",
        question="How many numbers does training adjust in the chapter's network: 64 inputs, hidden layers of 128 "
                 "and 64 ReLU units each followed by batch norm (with its scale γ and shift β per unit), and 10 "
                 "outputs, every linear layer with a bias?",
        solve=lambda: parameter_count(Setup()),
        hint="A linear layer from n to m units has n·m weights and m biases; batch norm on m units adds 2m.",
        mistakes=lambda: [
            Mistake(parameter_count(Setup(batchnorm=False)), "that leaves out batch norm's γ and β: two per "
                    "hidden unit, trained like the weights."),
            Mistake(parameter_count(Setup()) - (128 + 64 + 10), "that leaves out the biases."),
            Mistake(64 * 128 + 128 * 64 + 64 * 10, "that counts the weights only: add the biases and batch norm's "
                    "γ and β."),
        ],
    ),
    Exercise(
        key="fit-ema-rate",
        question="The sweep chose a learning rate for momentum in its velocity form (momentum with β = 0.9). "
                 "At what learning rate does the moving-average form, momentum_ema with the same β, take exactly "
                 "the same steps? Give it to three significant figures or more.",
        solve=_ema_lr,
        rtol=3e-3,
        hint="The moving average is (1 − β) times the velocity, so its rate must make up for that factor.",
        mistakes=lambda: [
            Mistake(_momentum_lr(), "that is the velocity form's rate: the moving average is only (1 − β) times "
                    "the velocity, so its rate must be larger.", rtol=3e-3),
            Mistake(_momentum_lr() * (1.0 - BETA), "the factor goes the other way: the average is smaller than "
                    "the velocity, so the rate must be larger.", rtol=3e-3),
        ],
    ),
])

"""Tests de tp2_src.training : apprentissage d'un module avec un optimiseur."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tp2_src.linreg import TrainingDivergedError
from tp2_src.training import evaluate, fit, predict


def synthetic(n: int = 200) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(0)
    X = torch.randn(n, 3, generator=g)
    y = X @ torch.tensor([1.0, -2.0, 0.5]) - 0.7
    return X[:150], y[:150], X[150:], y[150:]


def test_fit_recovers_a_linear_model() -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    h = fit(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        *synthetic(),
        num_epochs=30,
        batch_size=16,
    )
    torch.testing.assert_close(model.weight.detach(), torch.tensor([[1.0, -2.0, 0.5]]), atol=1e-3, rtol=0)
    assert model.bias.item() == pytest.approx(-0.7, abs=1e-3)
    assert h.test_mse[-1] < 1e-5 < h.test_mse[0]
    assert h.steps == 30 * 10 and h.epochs == list(range(31))


def test_same_seed_same_losses() -> None:
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        runs.append(
            fit(
                model,
                torch.optim.Adam(model.parameters(), lr=0.01),
                *synthetic(),
                num_epochs=3,
                batch_size=8,
                seed=5,
            ).train_mse
        )
    assert runs[0] == runs[1]


def test_predict_reshapes_and_rejects_bad_outputs() -> None:
    X = torch.zeros(5, 3)
    assert predict(nn.Linear(3, 1), X).shape == (5,)
    with pytest.raises(ValueError, match=r"sortie de forme \(5,\) ou \(5, 1\) ; reçu \(5, 2\)"):
        predict(nn.Linear(3, 2), X)
    assert evaluate(nn.Linear(3, 1), X, torch.zeros(5)) >= 0


def test_optimizer_missing_parameters_is_an_error() -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    optimizer = torch.optim.SGD(model[1].parameters(), lr=0.1)
    with pytest.raises(ValueError, match=r"ne met pas à jour.*0\.weight"):
        fit(model, optimizer, *synthetic(), num_epochs=1, batch_size=8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"batch_size": 0}, "batch_size doit être un entier entre 1 et la taille du jeu"),
        ({"batch_size": 151}, r"\(150\) ; reçu 151"),
        ({"num_epochs": -1}, "num_epochs"),
    ],
)
def test_bad_sizes(kwargs: dict, message: str) -> None:
    model = nn.Linear(3, 1)
    args = {"num_epochs": 1, "batch_size": 8} | kwargs
    with pytest.raises(ValueError, match=message):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), *synthetic(), **args)


def test_zero_learning_rate_is_rejected() -> None:
    model = nn.Linear(3, 1)
    with pytest.raises(ValueError, match=r"lr=\[0\.0\]"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.0),
            *synthetic(),
            num_epochs=1,
            batch_size=8,
        )


def test_mismatched_lengths_are_rejected() -> None:
    X_tr, y_tr, X_te, y_te = synthetic()
    model = nn.Linear(3, 1)
    with pytest.raises(ValueError, match="150 contre 149"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            X_tr,
            y_tr[:-1],
            X_te,
            y_te,
            num_epochs=1,
            batch_size=8,
        )


def test_divergence_stops_at_once_naming_lr_and_step() -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    with pytest.raises(TrainingDivergedError, match=r"au pas \d+ .*SGD\(lr=100\.0\)"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=100.0),
            *synthetic(),
            num_epochs=50,
            batch_size=150,
        )

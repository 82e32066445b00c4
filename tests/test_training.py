"""Tests de tp2_src.training : apprentissage d'un module avec un optimiseur."""

from __future__ import annotations

import pytest
import torch
from torch import nn

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


def test_predict_reshapes_and_evaluate_matches_mse_loss() -> None:
    torch.manual_seed(0)
    X, y, model = torch.randn(5, 3), torch.randn(5), nn.Linear(3, 1)
    assert predict(model, X).shape == (5,)
    expected = ((model(X).squeeze(1) - y) ** 2).mean().item()
    assert evaluate(model, X, y) == pytest.approx(expected)

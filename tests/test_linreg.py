"""Tests de tp2_src.linreg : convergence sur données synthétiques, erreurs nommées, divergence."""

from __future__ import annotations

import math

import pytest
import torch

from tp2_src.linreg import METHODS, fit_linear_regression, least_squares, mse


def synthetic(n: int = 200, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """y = X w* + b* + bruit faible, avec w* et b* connus."""
    g = torch.Generator().manual_seed(seed)
    w_true = torch.tensor([2.0, -3.0, 0.5])
    X = torch.randn(n, 3, generator=g)
    y = X @ w_true + 1.5 + 0.01 * torch.randn(n, generator=g)
    return X[:150], y[:150], X[150:], y[150:], w_true


@pytest.mark.parametrize(
    ("method", "lr", "num_epochs", "batch_size"),
    [("batch", 0.1, 300, None), ("mini-batch", 0.05, 60, 16), ("stochastic", 0.01, 20, None)],
)
def test_recovers_known_weights(method: str, lr: float, num_epochs: int, batch_size: int | None) -> None:
    X_tr, y_tr, X_te, y_te, w_true = synthetic()
    h = fit_linear_regression(
        X_tr, y_tr, X_te, y_te, method=method, lr=lr, num_epochs=num_epochs, batch_size=batch_size
    )
    torch.testing.assert_close(h.w, w_true, atol=0.02, rtol=0)
    assert h.b.item() == pytest.approx(1.5, abs=0.02)
    assert h.test_mse[-1] < 1e-3 < h.test_mse[0]
    expected_steps = {"batch": 1, "mini-batch": math.ceil(150 / 16), "stochastic": 150}[method]
    assert h.steps[-1] == num_epochs * expected_steps
    assert h.epochs == list(range(num_epochs + 1))
    assert all(b >= a for a, b in zip(h.seconds, h.seconds[1:], strict=False))


def test_same_seed_same_numbers_other_seed_other_order() -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic()
    kwargs = dict(method="mini-batch", lr=0.05, num_epochs=3, batch_size=16)
    a = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=1, **kwargs)
    b = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=1, **kwargs)
    c = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=2, **kwargs)
    assert a.train_mse == b.train_mse
    assert a.train_mse != c.train_mse


def test_writer_receives_train_and_test_curves(tmp_path) -> None:
    from torch.utils.tensorboard import SummaryWriter

    from tp2_src.logs import read_scalars

    X_tr, y_tr, X_te, y_te, _ = synthetic()
    with SummaryWriter(tmp_path) as writer:
        h = fit_linear_regression(X_tr, y_tr, X_te, y_te, method="batch", lr=0.1, num_epochs=5, writer=writer)
    series = read_scalars(tmp_path)
    assert set(series) == {"loss/train", "loss/test", "progress/steps", "progress/seconds"}
    assert series["loss/train"][0] == list(range(6))
    assert series["loss/test"][1] == pytest.approx(h.test_mse, rel=1e-6)
    assert series["progress/steps"][1] == [float(s) for s in h.steps]




def test_methods_are_the_three_of_the_statement() -> None:
    assert METHODS == ("batch", "mini-batch", "stochastic")


def test_least_squares_recovers_weights_and_beats_any_perturbation() -> None:
    X_tr, y_tr, _, _, w_true = synthetic()
    w, b = least_squares(X_tr, y_tr)
    torch.testing.assert_close(w, w_true, atol=0.01, rtol=0)
    assert b.item() == pytest.approx(1.5, abs=0.01)
    best = mse(X_tr, y_tr, w, b)
    for delta in (1e-2, -1e-2):
        assert mse(X_tr, y_tr, w + delta, b) > best and mse(X_tr, y_tr, w, b + delta) > best

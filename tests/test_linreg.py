"""Tests de tp2_src.linreg : coût, solution exacte des moindres carrés, hessienne."""

from __future__ import annotations

import pytest
import torch

from tp2_src.linreg import least_squares, linear_mse, mse_hessian


def batch_descent(X: torch.Tensor, y: torch.Tensor, lr: float, num_epochs: int) -> list[float]:
    """La descente batch du chapitre 3 (question 1.1), écrite en clair : le coût par époque."""
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    b = torch.zeros((), dtype=X.dtype, requires_grad=True)
    costs = []
    for _ in range(num_epochs):
        loss = ((X @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        costs.append(loss.item())
    return costs


def test_linear_mse_is_the_mean_of_squared_errors(synthetic) -> None:
    X_tr, y_tr, _, _, w_true = synthetic
    b = torch.tensor(1.5)
    expected = ((X_tr @ w_true + 1.5 - y_tr) ** 2).mean().item()
    assert linear_mse(X_tr, y_tr, w_true, b) == pytest.approx(expected, rel=1e-6)
    assert linear_mse(X_tr, y_tr, w_true + 1, b) > expected


def test_least_squares_recovers_weights_and_beats_any_perturbation(synthetic) -> None:
    X_tr, y_tr, _, _, w_true = synthetic
    w, b = least_squares(X_tr, y_tr)
    torch.testing.assert_close(w, w_true, atol=0.01, rtol=0)
    assert b.item() == pytest.approx(1.5, abs=0.01)
    best = linear_mse(X_tr, y_tr, w, b)
    for delta in (1e-2, -1e-2):
        assert linear_mse(X_tr, y_tr, w + delta, b) > best and linear_mse(X_tr, y_tr, w, b + delta) > best


def test_hessian_is_autograds_and_bounds_the_stable_learning_rate(synthetic) -> None:
    """(2/N)·[X 1]ᵀ[X 1] est la hessienne d'autograd ; la descente batch est stable sous 2/λ_max."""
    X_tr, y_tr, _, _, _ = synthetic
    X64, y64 = X_tr.double(), y_tr.double()
    H = mse_hessian(X64)

    def loss(params: torch.Tensor) -> torch.Tensor:
        return ((X64 @ params[:-1] + params[-1] - y64) ** 2).mean()

    exact = torch.autograd.functional.hessian(loss, torch.zeros(4, dtype=torch.float64))
    torch.testing.assert_close(H, exact)
    limit = 2 / torch.linalg.eigvalsh(H).max().item()
    stable = batch_descent(X64, y64, lr=0.95 * limit, num_epochs=300)
    assert stable[-1] < 1e-3
    unstable = batch_descent(X64, y64, lr=1.05 * limit, num_epochs=300)
    assert unstable[-1] > unstable[1] > stable[1]

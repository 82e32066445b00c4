"""Tests de tp2_src.linreg : convergence sur données synthétiques, boucle en clair, hessienne."""

from __future__ import annotations

import math

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from tp2_src.linreg import METHODS, fit_linear_regression, least_squares, linear_mse, mse_hessian
from tp2_src.logs import logged_run, read_scalars


@pytest.mark.parametrize(
    ("method", "lr", "num_epochs", "batch_size"),
    [("batch", 0.1, 300, None), ("mini-batch", 0.05, 60, 16), ("stochastic", 0.01, 20, None)],
)
def test_recovers_known_weights(
    synthetic, method: str, lr: float, num_epochs: int, batch_size: int | None
) -> None:
    X_tr, y_tr, X_te, y_te, w_true = synthetic
    w, b, h = fit_linear_regression(
        X_tr, y_tr, X_te, y_te, method=method, lr=lr, num_epochs=num_epochs, batch_size=batch_size
    )
    torch.testing.assert_close(w, w_true, atol=0.02, rtol=0)
    assert b.item() == pytest.approx(1.5, abs=0.02)
    assert h.test_mse[-1] < 1e-3 < h.test_mse[0]
    expected_steps = {"batch": 1, "mini-batch": math.ceil(150 / 16), "stochastic": 150}[method]
    assert h.steps[-1] == num_epochs * expected_steps
    assert h.epochs == list(range(num_epochs + 1))
    assert all(later >= earlier for earlier, later in zip(h.seconds, h.seconds[1:], strict=False))


def test_helper_gives_the_numbers_of_the_loop_written_in_chapter_3(synthetic) -> None:
    """La boucle en clair (DataLoader mélangé par une graine) et l'outil : mêmes poids, bit pour bit."""
    X_tr, y_tr, X_te, y_te, _ = synthetic
    lr, num_epochs, batch_size = 0.05, 3, 16
    w = torch.zeros(3, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    for _ in range(num_epochs):
        for X, y in loader:
            loss = ((X @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    w_helper, b_helper, _ = fit_linear_regression(
        X_tr, y_tr, X_te, y_te, method="mini-batch", lr=lr, num_epochs=num_epochs, batch_size=batch_size
    )
    assert torch.equal(w.detach(), w_helper) and torch.equal(b.detach(), b_helper)


def test_same_seed_same_numbers_other_seed_other_order(synthetic) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    kwargs = dict(method="mini-batch", lr=0.05, num_epochs=3, batch_size=16)
    a = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=1, **kwargs)[2]
    b = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=1, **kwargs)[2]
    c = fit_linear_regression(X_tr, y_tr, X_te, y_te, seed=2, **kwargs)[2]
    assert a.train_mse == b.train_mse
    assert a.train_mse != c.train_mse


def test_writer_receives_train_and_test_curves(synthetic, tmp_path) -> None:
    X_tr, y_tr, X_te, y_te, _ = synthetic
    with logged_run("batch", tmp_path) as writer:
        _, _, h = fit_linear_regression(
            X_tr, y_tr, X_te, y_te, method="batch", lr=0.1, num_epochs=5, writer=writer
        )
    series = read_scalars(writer.log_dir)
    assert set(series) == {"loss/train", "loss/test", "progress/steps", "progress/seconds"}
    assert series["loss/train"][0] == list(range(6))
    assert series["loss/test"][1] == pytest.approx(h.test_mse, rel=1e-6)
    assert series["progress/steps"][1] == [float(s) for s in h.steps]


def test_methods_are_the_three_of_the_statement() -> None:
    assert METHODS == ("batch", "mini-batch", "stochastic")


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
    X_tr, y_tr, X_te, y_te, _ = synthetic
    X64, y64 = X_tr.double(), y_tr.double()
    H = mse_hessian(X64)

    def loss(params: torch.Tensor) -> torch.Tensor:
        return ((X64 @ params[:-1] + params[-1] - y64) ** 2).mean()

    exact = torch.autograd.functional.hessian(loss, torch.zeros(4, dtype=torch.float64))
    torch.testing.assert_close(H, exact)
    limit = 2 / torch.linalg.eigvalsh(H).max().item()
    stable = fit_linear_regression(X_tr, y_tr, X_te, y_te, method="batch", lr=0.95 * limit, num_epochs=300)[2]
    assert stable.train_mse[-1] < 1e-3
    from tp2_src.training import TrainingDivergedError

    with pytest.raises(TrainingDivergedError) as caught:
        fit_linear_regression(X_tr, y_tr, X_te, y_te, method="batch", lr=1.05 * limit, num_epochs=3000)
    history = caught.value.history
    assert len(history.train_mse) > 10 and history.train_mse[-1] > history.train_mse[1]

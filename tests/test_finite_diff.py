"""Tests de tp2_src.finite_diff : différences finies contre un gradient connu."""

from __future__ import annotations

import torch

from tp2_src.finite_diff import finite_difference_grad


def test_matches_analytic_gradient_of_a_quadratic() -> None:
    A = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    w = torch.tensor([0.5, -1.5], dtype=torch.float64)
    numeric = finite_difference_grad(lambda: w @ A @ w, w, eps=1e-6)
    torch.testing.assert_close(numeric, 2 * A @ w, rtol=1e-8, atol=1e-8)


def test_restores_the_parameter_and_keeps_its_shape() -> None:
    w = torch.randn(2, 3, dtype=torch.float64, requires_grad=True)
    before = w.detach().clone()
    numeric = finite_difference_grad(lambda: (w**3).sum(), w)
    assert torch.equal(w.detach(), before)
    assert numeric.shape == (2, 3)
    torch.testing.assert_close(numeric, 3 * before**2, rtol=1e-6, atol=1e-6)

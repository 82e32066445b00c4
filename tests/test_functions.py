"""Tests de tp2_src.functions : gradcheck en float64 et accord avec autograd."""

from __future__ import annotations

import pytest
import torch
from torch.autograd.functional import jacobian

from tp2_src.functions import linear, mse


def make(dtype: torch.dtype = torch.float64, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(7, 4, generator=g, dtype=dtype, requires_grad=True)
    W = torch.randn(4, 3, generator=g, dtype=dtype, requires_grad=True)
    b = torch.randn(3, generator=g, dtype=dtype, requires_grad=True)
    Y = torch.randn(7, 3, generator=g, dtype=dtype, requires_grad=True)
    return X, W, b, Y


def test_linear_passes_gradcheck() -> None:
    X, W, b, _ = make()
    assert torch.autograd.gradcheck(linear, (X, W, b))


def test_mse_passes_gradcheck() -> None:
    X, W, b, Y = make()
    assert torch.autograd.gradcheck(mse, (X @ W + b, Y))


def test_gradcheck_would_catch_a_wrong_backward() -> None:
    """Garde-fou du test ci-dessus : gradcheck échoue bien sur une dérivée fausse."""

    class Wrong(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x: torch.Tensor) -> torch.Tensor:
            return (x**2).sum()

        @staticmethod
        def backward(ctx, g: torch.Tensor) -> torch.Tensor:
            return g * torch.ones(4, dtype=torch.float64)

    x = torch.randn(4, dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gradients_agree_with_autograd(dtype: torch.dtype) -> None:
    X, W, b, Y = make(dtype)
    ours = torch.autograd.grad(mse(linear(X, W, b), Y), (X, W, b, Y))
    ref = torch.autograd.grad(((X @ W + b - Y) ** 2).mean(), (X, W, b, Y))
    tol = 1e-5 if dtype == torch.float32 else 1e-12  # arrondi de la précision utilisée
    for g_ours, g_ref in zip(ours, ref, strict=True):
        torch.testing.assert_close(g_ours, g_ref, rtol=tol, atol=tol)


def test_backward_returns_none_for_inputs_without_grad() -> None:
    X, W, b, Y = make()
    X_const = X.detach()
    out = mse(linear(X_const, W, b), Y.detach())
    out.backward()
    assert X_const.grad is None and W.grad is not None and b.grad is not None


def test_backward_with_a_vector_is_the_vector_jacobian_product() -> None:
    """backward(gradient=V) dépose vᵀJ dans .grad, pour chaque entrée (chapitre 2, §2.6)."""
    X, W, b, _ = make()
    out = linear(X, W, b)
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        out.backward()
    V = torch.randn(out.shape, dtype=out.dtype, generator=torch.Generator().manual_seed(1))
    out.backward(gradient=V)
    inputs = (X.detach(), W.detach(), b.detach())
    for k, (name, leaf) in enumerate(zip("XWb", (X, W, b), strict=True)):

        def f(t: torch.Tensor, k: int = k) -> torch.Tensor:
            args = list(inputs)
            args[k] = t
            return linear(*args)

        J = jacobian(f, inputs[k]).reshape(out.numel(), leaf.numel())
        vJ = (V.reshape(-1) @ J).reshape(leaf.shape)
        torch.testing.assert_close(vJ, leaf.grad, rtol=1e-12, atol=1e-12, msg=name)


def test_single_element_output_uses_an_implicit_seed_of_one() -> None:
    a = torch.rand(1, 10, dtype=torch.float64, requires_grad=True)
    b = torch.rand(1, 10, dtype=torch.float64)
    (2 * a.mm(b.t())).backward()
    implicit = a.grad.clone()
    a.grad = None
    d = 2 * a.mm(b.t())
    d.backward(gradient=torch.ones_like(d))
    assert d.shape == (1, 1) and torch.equal(implicit, a.grad)
    torch.testing.assert_close(implicit, 2 * b)

"""Fonctions différentiables écrites à la main, à la manière du TME 1 (chapitre 2).

Chaque classe hérite de ``torch.autograd.Function`` : ``forward`` calcule le résultat et
range dans le contexte ``ctx`` ce dont la passe arrière aura besoin ; ``backward`` reçoit
le gradient du coût par rapport à chaque sortie et renvoie un gradient par entrée
(``None`` pour une entrée qui n'en demande pas). Le chapitre 2 montre ce code et en
démontre les formules ; ses lignes tiennent dans la colonne de la page.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx


class LinearFunction(torch.autograd.Function):
    """Application linéaire ``X @ W + b``, un exemple par ligne.

    Formes : ``X`` (n, d), ``W`` (d, p), ``b`` (p,) → sortie (n, p).
    """

    @staticmethod
    def forward(ctx: FunctionCtx, X: Tensor, W: Tensor, b: Tensor):
        ctx.save_for_backward(X, W)
        return X @ W + b

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor):
        X, W = ctx.saved_tensors
        # grad_output : (n, p), ∂ℓ/∂(sortie), venu de l'aval
        need_X, need_W, need_b = ctx.needs_input_grad
        grad_X = grad_output @ W.T if need_X else None
        grad_W = X.T @ grad_output if need_W else None
        grad_b = grad_output.sum(dim=0) if need_b else None
        return grad_X, grad_W, grad_b


class MSEFunction(torch.autograd.Function):
    """Erreur quadratique moyenne ``mean((yhat - y)**2)``.

    Formes : ``yhat`` et ``y`` identiques, quelconques → sortie scalaire.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, yhat: Tensor, y: Tensor):
        diff = yhat - y
        ctx.save_for_backward(diff)
        return (diff**2).mean()

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: Tensor):
        (diff,) = ctx.saved_tensors
        grad = grad_output * 2.0 * diff / diff.numel()
        need_yhat, need_y = ctx.needs_input_grad
        return (grad if need_yhat else None), (-grad if need_y else None)


def linear(X: Tensor, W: Tensor, b: Tensor) -> Tensor:
    """``X @ W + b`` par ``LinearFunction`` : X (n, d), W (d, p), b (p,).

    Vérifie les formes avant d'entrer dans le graphe : erreur lisible.
    """
    shapes = f"X {tuple(X.shape)}, W {tuple(W.shape)}, b {tuple(b.shape)}"
    if X.ndim != 2 or W.ndim != 2 or b.ndim != 1:
        raise ValueError(
            f"linear attend X (n, d), W (d, p), b (p,) ; reçu {shapes}"
        )
    if not (X.dtype == W.dtype == b.dtype) or not X.is_floating_point():
        raise ValueError(
            "linear attend trois tenseurs flottants de même type ; "
            f"reçu {X.dtype}, {W.dtype}, {b.dtype}"
        )
    if X.shape[1] != W.shape[0] or W.shape[1] != b.shape[0]:
        raise ValueError(f"Formes incompatibles pour X @ W + b : {shapes}")
    return LinearFunction.apply(X, W, b)


def mse(yhat: Tensor, y: Tensor) -> Tensor:
    """Erreur quadratique moyenne par ``MSEFunction``, même forme exigée.

    Refuser (n, 1) contre (n,) évite une diffusion silencieuse en une
    matrice (n, n), qui donnerait un coût faux.
    """
    if yhat.shape != y.shape:
        raise ValueError(
            "mse attend deux tenseurs de même forme ; reçu yhat "
            f"{tuple(yhat.shape)} et y {tuple(y.shape)}"
        )
    if yhat.dtype != y.dtype or not yhat.is_floating_point():
        raise ValueError(
            "mse attend deux tenseurs flottants de même type ; "
            f"reçu {yhat.dtype} et {y.dtype}"
        )
    if yhat.numel() == 0:
        raise ValueError("mse sur des tenseurs vides : pas de moyenne")
    return MSEFunction.apply(yhat, y)

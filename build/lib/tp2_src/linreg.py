"""Régression linéaire : coût, solution exacte et hessienne (chapitres 3 à 5).

``linear_mse``, ``least_squares`` et ``mse_hessian`` sont montrées au chapitre 3, là où
elles servent d'abord ; les descentes de gradient, elles, sont écrites en clair dans les
chapitres (questions 1.1 et 1.3).
"""

from __future__ import annotations

import torch
from torch import Tensor

from tp2_src.data import validate_regression_data


def linear_mse(X: Tensor, y: Tensor, w: Tensor, b: Tensor) -> float:
    """Coût (MSE) du modèle X @ w + b, calculé sans graphe.

    X (n, d), y (n,), w (d,), b scalaire ; refuse des formes qui se
    diffuseraient en silence en un coût faux. Montré au chapitre 3.
    """
    validate_regression_data(X, y)
    if w.shape != (X.shape[1],) or b.numel() != 1:
        raise ValueError(
            f"w doit être de forme ({X.shape[1]},) et b scalaire ; "
            f"reçu w {tuple(w.shape)}, b {tuple(b.shape)}"
        )
    with torch.no_grad():  # mesurer n'ajoute rien au graphe
        return ((X @ w + b - y) ** 2).mean().item()


def least_squares(X: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Solution exacte des moindres carrés : w (d,) et b (scalaire).

    Ils minimisent la MSE sur X (n, d), y (n,) : torch.linalg.lstsq
    résout [X, 1] @ [w; b] ≈ y, où la colonne de 1 porte le biais.
    Montré au chapitre 3.
    """
    validate_regression_data(X, y)
    ones = torch.ones(len(X), 1, dtype=X.dtype, device=X.device)
    A = torch.cat([X, ones], dim=1)  # A = [X, 1], de forme (n, d + 1)
    solution = torch.linalg.lstsq(A, y[:, None]).solution[:, 0]
    return solution[:-1], solution[-1]


def mse_hessian(X: Tensor) -> Tensor:
    """Hessienne de la MSE de la régression linéaire : (2/n) AᵀA.

    A = [X, 1] avec X (n, d) : une matrice (d + 1, d + 1), qui ne dépend
    ni de y ni des paramètres (le coût est quadratique). Montré au
    chapitre 3.
    """
    if X.ndim != 2 or X.shape[0] == 0 or not X.is_floating_point():
        got = f"{tuple(X.shape)}, {X.dtype}"
        raise ValueError(f"X (n, d) flottant attendu ; reçu {got}")
    ones = torch.ones(len(X), 1, dtype=X.dtype, device=X.device)
    A = torch.cat([X, ones], dim=1)
    return 2 / len(A) * A.T @ A

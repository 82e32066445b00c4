"""Régression linéaire : coût, solution exacte et hessienne (chapitres 3 à 5).

``linear_mse``, ``least_squares`` et ``mse_hessian`` sont montrées au chapitre 3, là où
elles servent d'abord. ``fit_linear_regression`` ne sert plus qu'au chapitre 4 (le
chapitre 3 écrit ses descentes en clair) : elle partira quand il ne l'appellera plus.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import validate_regression_data
from tp2_src.training import History, train

METHODS = ("batch", "mini-batch", "stochastic")


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


def fit_linear_regression(
    X_train: Tensor,
    y_train: Tensor,
    X_test: Tensor,
    y_test: Tensor,
    *,
    method: str,
    lr: float,
    num_epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    writer: SummaryWriter | None = None,
) -> tuple[Tensor, Tensor, History]:
    """Apprend ``y ≈ X @ w + b`` par descente de gradient sur la MSE ; renvoie ``w``, ``b`` et l'historique.

    - ``method="batch"`` : un pas par époque, sur tout ``X_train`` (n, d), dans l'ordre ;
    - ``method="stochastic"`` : un pas par exemple (mini-batchs de taille 1), ordre mélangé ;
    - ``method="mini-batch"`` : un pas par mini-batch de ``batch_size`` exemples (32 par défaut).

    Paramètres initiaux nuls ; mini-batchs comme ``DataLoader(..., shuffle=True,
    generator=torch.Generator().manual_seed(seed))``. ``w`` (d,), ``b`` (scalaire), détachés.

    Lève ``ValueError`` pour des données mal formées, un taux ``lr`` non positif, une
    méthode inconnue ou une taille de mini-batch incompatible avec la méthode ;
    ``TrainingDivergedError`` (avec l'historique déjà mesuré) si le coût diverge.
    """
    if method not in METHODS:
        raise ValueError(f"Méthode inconnue {method!r} ; choisir parmi {METHODS}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"Le taux d'apprentissage lr doit être un réel > 0 ; reçu {lr!r}")
    validate_regression_data(X_train, y_train, "apprentissage")
    n, d = X_train.shape
    default = {"batch": n, "stochastic": 1, "mini-batch": 32}[method]
    batch_size = default if batch_size is None else batch_size
    if method == "batch" and batch_size != n:
        raise ValueError(f"La descente batch utilise tout le jeu : batch_size={n}, pas {batch_size}")
    if method == "stochastic" and batch_size != 1:
        raise ValueError(f"La descente stochastique utilise batch_size=1, pas {batch_size}")

    w = torch.zeros(d, dtype=X_train.dtype, device=X_train.device, requires_grad=True)
    b = torch.zeros((), dtype=X_train.dtype, device=X_train.device, requires_grad=True)

    def step(X: Tensor, y: Tensor) -> Tensor:
        loss = ((X @ w + b - y) ** 2).mean()  # passe avant
        loss.backward()  # passe arrière : w.grad, b.grad
        with torch.no_grad():  # mise à jour, hors du graphe (w -= lr * w.grad)
            w.sub_(lr * w.grad)
            b.sub_(lr * b.grad)
        w.grad.zero_()  # sinon le gradient suivant s'y ajouterait
        b.grad.zero_()
        return loss.detach()

    hist = train(
        step,
        lambda X, y: linear_mse(X, y, w, b),
        X_train,
        y_train,
        evals={"test": (X_test, y_test)},
        num_epochs=num_epochs,
        batch_size=batch_size,
        seed=seed,
        shuffle=method != "batch",
        writer=writer,
        what=f"method={method!r}, lr={lr:g}",
    )
    return w.detach(), b.detach(), hist

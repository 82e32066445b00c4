"""Régression linéaire : coût, solution exacte et descente de gradient (chapitres 3 et 5).

``fit_linear_regression`` est la boucle que le chapitre 3 écrit en clair (passe avant,
``backward()``, mise à jour sous ``torch.no_grad()``, remise à zéro), branchée sur la
boucle commune ``tp2_src.training.train`` pour les lots, le journal et les mesures.
"""

from __future__ import annotations

import math

import torch
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import validate_regression_data
from tp2_src.training import History, train

METHODS = ("batch", "mini-batch", "stochastic")


def linear_mse(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> float:
    """Erreur quadratique moyenne du modèle ``X @ w + b`` ; ``X`` (n, d), ``y`` (n,), ``w`` (d,).

    Calculée sans graphe ; refuse des formes qui se diffuseraient en silence en une perte
    fausse.
    """
    validate_regression_data(X, y)
    if w.shape != (X.shape[1],) or b.numel() != 1:
        raise ValueError(
            f"w doit être de forme ({X.shape[1]},) et b scalaire ; reçu w {tuple(w.shape)}, "
            f"b {tuple(b.shape)}"
        )
    with torch.no_grad():
        return ((X @ w + b - y) ** 2).mean().item()


def least_squares(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Solution exacte des moindres carrés : ``w`` (d,) et ``b`` (scalaire) minimisant la MSE.

    Résout ``[X, 1] @ [w; b] ≈ y`` par ``torch.linalg.lstsq`` (la colonne de 1 porte le
    biais) ; ``X`` (n, d), ``y`` (n,). Référence des chapitres 3 et 5.
    """
    validate_regression_data(X, y)
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype, device=X.device)], dim=1)
    solution = torch.linalg.lstsq(A, y.unsqueeze(1)).solution[:, 0]
    return solution[:-1], solution[-1]


def mse_hessian(X: torch.Tensor) -> torch.Tensor:
    """Hessienne de la MSE de la régression linéaire : ``(2/N)·Aᵀ A`` avec ``A = [X, 1]``.

    ``X`` (N, d) → matrice (d + 1, d + 1). Elle ne dépend pas de ``y`` ni des paramètres :
    la MSE est quadratique. La descente batch est stable pour un taux ``lr < 2/λ_max``.
    """
    if X.ndim != 2 or X.shape[0] == 0 or not X.is_floating_point():
        raise ValueError(
            f"mse_hessian attend X flottant de forme (N, d), N > 0 ; reçu {tuple(X.shape)}, {X.dtype}"
        )
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype, device=X.device)], dim=1)
    return 2 / len(A) * A.T @ A


def fit_linear_regression(
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    method: str,
    lr: float,
    num_epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    writer: SummaryWriter | None = None,
) -> tuple[torch.Tensor, torch.Tensor, History]:
    """Apprend ``y ≈ X @ w + b`` par descente de gradient sur la MSE ; renvoie ``w``, ``b`` et l'historique.

    - ``method="batch"`` : un pas par époque, sur tout ``X_train`` (n, d), dans l'ordre ;
    - ``method="stochastic"`` : un pas par exemple (lots de taille 1), ordre mélangé ;
    - ``method="mini-batch"`` : un pas par lot de ``batch_size`` exemples (32 par défaut).

    Paramètres initiaux nuls ; lots comme ``DataLoader(..., shuffle=True,
    generator=torch.Generator().manual_seed(seed))`` : la boucle écrite en clair au
    chapitre 3 donne exactement les mêmes nombres. ``w`` (d,), ``b`` (scalaire), détachés.

    Lève ``ValueError`` pour des données mal formées, un taux ``lr`` non positif, une
    méthode inconnue ou une taille de lot incompatible avec la méthode ;
    ``TrainingDivergedError`` (avec l'historique déjà mesuré) si la perte diverge.
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

    def step(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
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

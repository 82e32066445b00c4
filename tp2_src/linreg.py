"""Régression linéaire par descente de gradient : batch, mini-batch, stochastique (chapitre 3).

La boucle est celle que le chapitre 3 écrit en clair pour la descente batch ; cette
version ajoute ce qui l'encombrerait : lots par ``DataLoader``, chronométrage, journal
TensorBoard, vérification des entrées et arrêt immédiat si la perte diverge.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    TensorDataset,
)
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import check_regression_data

METHODS = ("batch", "mini-batch", "stochastic")


class TrainingDivergedError(FloatingPointError):
    """La perte est devenue NaN ou infinie : le message donne le pas et le taux."""


@dataclass
class History:
    """Ce qu'une descente a mesuré, une entrée par époque (l'époque 0 est l'initialisation).

    ``w`` (d,) et ``b`` (scalaire) sont les paramètres finaux ; ``seconds`` ne compte que
    les pas de gradient, pas l'évaluation ni l'écriture du journal.
    """

    method: str
    lr: float
    batch_size: int
    w: torch.Tensor
    b: torch.Tensor
    epochs: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    train_mse: list[float] = field(default_factory=list)
    test_mse: list[float] = field(default_factory=list)


def mse(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> float:
    """Erreur quadratique moyenne du modèle ``X @ w + b`` ; ``X`` (n, d), ``y`` (n,), ``w`` (d,).

    Refuse des formes qui se diffuseraient en silence en une perte fausse.
    """
    check_regression_data(X, y)
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
    check_regression_data(X, y)
    A = torch.cat([X, torch.ones(len(X), 1, dtype=X.dtype, device=X.device)], dim=1)
    solution = torch.linalg.lstsq(A, y.unsqueeze(1)).solution[:, 0]
    return solution[:-1], solution[-1]


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
) -> History:
    """Apprend ``y ≈ X @ w + b`` par descente de gradient sur la MSE.

    - ``method="batch"`` : un pas par époque, sur tout ``X_train`` (n, d) ;
    - ``method="stochastic"`` : un pas par exemple (lots de taille 1), ordre mélangé ;
    - ``method="mini-batch"`` : un pas par lot de ``batch_size`` exemples (32 par défaut).

    Les lots viennent d'un ``DataLoader`` sur un ``TensorDataset``, mélangés par un
    générateur de graine ``seed`` : deux appels identiques donnent les mêmes nombres.
    Paramètres initiaux nuls. Si ``writer`` est donné, les MSE d'apprentissage et de test
    sont journalisées à chaque époque sous ``loss/train`` et ``loss/test``, ainsi que le
    nombre cumulé de pas (``progress/steps``) et le temps de calcul cumulé
    (``progress/seconds``).

    Lève ``ValueError`` pour des données mal formées, un pas ``lr`` non positif, un nombre
    d'époques non positif, une méthode inconnue ou une taille de lot hors de [1, n] ;
    ``TrainingDivergedError`` dès que la perte devient NaN ou infinie.
    """
    check_regression_data(X_train, y_train, "apprentissage")
    check_regression_data(X_test, y_test, "test")
    devices = {t.device for t in (X_train, y_train, X_test, y_test)}
    if len(devices) > 1:
        raise ValueError(f"Les données sont sur plusieurs matériels : {sorted(map(str, devices))}")
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test a {X_test.shape[1]} variables, X_train en a {X_train.shape[1]}")
    if method not in METHODS:
        raise ValueError(f"Méthode inconnue {method!r} ; choisir parmi {METHODS}")
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"Le pas d'apprentissage lr doit être un réel > 0 ; reçu {lr!r}")
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs doit être un entier > 0 ; reçu {num_epochs!r}")
    n, d = X_train.shape
    if method == "batch":
        batch_size = n if batch_size is None else batch_size
        if batch_size != n:
            raise ValueError(f"La descente batch utilise tout le jeu : batch_size={n}, pas {batch_size}")
    elif method == "stochastic":
        batch_size = 1 if batch_size is None else batch_size
        if batch_size != 1:
            raise ValueError(f"La descente stochastique utilise batch_size=1, pas {batch_size}")
    else:
        batch_size = 32 if batch_size is None else batch_size
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        raise ValueError(
            f"batch_size doit être un entier entre 1 et la taille du jeu ({n}) ; reçu {batch_size!r}"
        )

    w = torch.zeros(d, dtype=X_train.dtype, device=X_train.device, requires_grad=True)
    b = torch.zeros((), dtype=X_train.dtype, device=X_train.device, requires_grad=True)
    dataset = TensorDataset(X_train, y_train)
    order = (
        SequentialSampler(dataset)
        if method == "batch"
        else RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    )
    # Le DataLoader reçoit des listes d'indices : un lot = une seule indexation du
    # TensorDataset, au lieu d'empiler les exemples un à un. Sans cela, le pas batch
    # coûterait surtout l'assemblage du lot, et la comparaison des temps serait faussée.
    loader = DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None)
    hist = History(method=method, lr=float(lr), batch_size=batch_size, w=w, b=b)

    def record(epoch: int, step: int, seconds: float) -> None:
        train, test = mse(X_train, y_train, w, b), mse(X_test, y_test, w, b)
        hist.epochs.append(epoch)
        hist.steps.append(step)
        hist.seconds.append(seconds)
        hist.train_mse.append(train)
        hist.test_mse.append(test)
        if writer is not None:
            writer.add_scalar("loss/train", train, epoch)
            writer.add_scalar("loss/test", test, epoch)
            writer.add_scalar("progress/steps", step, epoch)
            writer.add_scalar("progress/seconds", seconds, epoch)

    step, seconds = 0, 0.0
    record(0, step, seconds)
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        for X, y in loader:
            loss = ((X @ w + b - y) ** 2).mean()
            if not torch.isfinite(loss):
                raise TrainingDivergedError(
                    f"La perte vaut {loss.item()} au pas {step + 1} (époque {epoch}, méthode "
                    f"{method}) avec lr={lr} : la descente diverge, réduisez le pas."
                )
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
            step += 1
        seconds += time.perf_counter() - start
        record(epoch, step, seconds)
    if writer is not None:
        writer.flush()
    hist.w, hist.b = w.detach(), b.detach()
    return hist

"""Apprentissage d'un ``nn.Module`` avec un optimiseur de ``torch.optim`` (chapitres 4 et 5).

Les chapitres écrivent la boucle en clair une fois (``zero_grad``, ``backward``,
``step``) ; cette fonction la reprend pour comparer plusieurs optimiseurs ou modèles
sans répéter la plomberie : lots par ``DataLoader``, évaluation, journal TensorBoard,
vérification des entrées et arrêt immédiat en cas de divergence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.optim import Optimizer
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, TensorDataset
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import check_regression_data
from tp2_src.linreg import TrainingDivergedError


@dataclass
class TrainHistory:
    """MSE d'apprentissage et de test après chaque époque (l'époque 0 est l'initialisation)."""

    epochs: list[int] = field(default_factory=list)
    train_mse: list[float] = field(default_factory=list)
    test_mse: list[float] = field(default_factory=list)
    steps: int = 0


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Prédictions de forme (n,) pour ``X`` (n, d) ; accepte un modèle qui sort (n,) ou (n, 1).

    Sans cette remise en forme, ``MSELoss`` diffuserait (n, 1) contre (n,) en une matrice
    (n, n) et calculerait une perte fausse.
    """
    out = model(X)
    if out.shape == (X.shape[0], 1):
        out = out.squeeze(1)
    if out.shape != (X.shape[0],):
        raise ValueError(
            f"Le modèle doit produire une sortie de forme ({X.shape[0]},) ou ({X.shape[0]}, 1) ; "
            f"reçu {tuple(out.shape)}"
        )
    return out


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """MSE du modèle sur ``X`` (n, d), ``y`` (n,), sans construire de graphe."""
    check_regression_data(X, y)
    with torch.no_grad():
        return nn.functional.mse_loss(predict(model, X), y).item()


def fit(
    model: nn.Module,
    optimizer: Optimizer,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    num_epochs: int,
    batch_size: int,
    seed: int = 0,
    writer: SummaryWriter | None = None,
) -> TrainHistory:
    """Apprend ``model`` par mini-lots mélangés (graine ``seed``) sur la MSE.

    ``X_train`` (n, d), ``y_train`` (n,), idem pour le test. Journalise ``loss/train`` et
    ``loss/test`` à chaque époque si ``writer`` est donné.

    Lève ``ValueError`` pour des données mal formées, une taille de lot hors de [1, n],
    un nombre d'époques non positif, un pas d'apprentissage non positif, ou un optimiseur
    qui ignore des paramètres du modèle ; ``TrainingDivergedError`` dès que la perte
    devient NaN ou infinie.
    """
    check_regression_data(X_train, y_train, "apprentissage")
    check_regression_data(X_test, y_test, "test")
    n = X_train.shape[0]
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs doit être un entier > 0 ; reçu {num_epochs!r}")
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        raise ValueError(
            f"batch_size doit être un entier entre 1 et la taille du jeu ({n}) ; reçu {batch_size!r}"
        )
    lrs = [group["lr"] for group in optimizer.param_groups]
    if not all(isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0 for lr in lrs):
        raise ValueError(f"Le pas d'apprentissage doit être > 0 ; l'optimiseur a lr={lrs}")
    devices = {str(p.device) for p in model.parameters()} | {str(X_train.device), str(X_test.device)}
    if len(devices) > 1:
        raise ValueError(f"Modèle et données sont sur des matériels différents : {sorted(devices)}")
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    ignored = [name for name, p in model.named_parameters() if p.requires_grad and id(p) not in optimized]
    if ignored:
        raise ValueError(f"L'optimiseur ne met pas à jour ces paramètres du modèle : {ignored}")

    dataset = TensorDataset(X_train, y_train)
    order = RandomSampler(dataset, generator=torch.Generator().manual_seed(seed))
    loader = DataLoader(dataset, sampler=BatchSampler(order, batch_size, drop_last=False), batch_size=None)
    loss_fn = nn.MSELoss()
    hist = TrainHistory()

    def record(epoch: int) -> None:
        hist.epochs.append(epoch)
        hist.train_mse.append(evaluate(model, X_train, y_train))
        hist.test_mse.append(evaluate(model, X_test, y_test))
        if writer is not None:
            writer.add_scalar("loss/train", hist.train_mse[-1], epoch)
            writer.add_scalar("loss/test", hist.test_mse[-1], epoch)

    record(0)
    for epoch in range(1, num_epochs + 1):
        for X, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(predict(model, X), y)
            if not torch.isfinite(loss):
                raise TrainingDivergedError(
                    f"La perte vaut {loss.item()} au pas {hist.steps + 1} (époque {epoch}) avec "
                    f"{type(optimizer).__name__}(lr={lrs[0]}) : la descente diverge, réduisez le pas."
                )
            loss.backward()
            optimizer.step()
            hist.steps += 1
        record(epoch)
    if writer is not None:
        writer.flush()
    return hist

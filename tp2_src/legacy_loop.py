"""La boucle commune de ``tp2_src.linreg`` (chapitre 3), en attendant sa réécriture.

Ce module n'est plus montré ni enseigné : ``fit_linear_regression`` y branche encore sa
mise à jour à la main. Il disparaîtra avec elle (``tp2_src.training`` le réexporte
jusque-là).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import torch
from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import validate_regression_data

Pair = tuple[torch.Tensor, torch.Tensor]


@dataclass
class History:
    """Ce qu'un apprentissage a mesuré, une entrée par époque (l'époque 0 est l'initialisation).

    ``mse[nom]`` donne la MSE de chaque jeu évalué (``"train"``, ``"test"``, ``"val"``…) ;
    ``steps`` le nombre cumulé de pas de gradient ; ``seconds`` le temps cumulé des seuls
    pas (ni l'évaluation ni le journal).
    """

    batch_size: int
    epochs: list[int] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    mse: dict[str, list[float]] = field(default_factory=dict)

    @property
    def train_mse(self) -> list[float]:
        return self.mse["train"]

    @property
    def test_mse(self) -> list[float]:
        return self.mse["test"]

    @property
    def val_mse(self) -> list[float]:
        return self.mse["val"]


class TrainingDivergedError(FloatingPointError):
    """Le coût est devenu NaN ou infini ; ``history`` garde les époques déjà faites."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def seeded_loader(
    X: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int, shuffle: bool = True
) -> DataLoader:
    """Les mini-batchs de ``DataLoader(TensorDataset(X, y), batch_size, shuffle=True, generator=g)``.

    Avec ``g = torch.Generator().manual_seed(seed)`` : mêmes mini-batchs, dans le même ordre, donc
    mêmes nombres que la boucle écrite en clair au chapitre 3. La seule différence est la
    vitesse : chaque mini-batch est pris d'un coup (une indexation du ``TensorDataset``) au lieu
    d'empiler ses exemples un à un, ce qui fausserait la comparaison des temps.

    Lève ``ValueError`` pour des données mal formées ou une taille de mini-batch hors de [1, n].
    """
    validate_regression_data(X, y)
    if not (isinstance(batch_size, int) and 1 <= batch_size <= X.shape[0]):
        raise ValueError(
            f"batch_size doit être un entier entre 1 et la taille du jeu ({X.shape[0]}) ; reçu {batch_size!r}"
        )
    dataset = TensorDataset(X, y)
    generator = torch.Generator().manual_seed(seed)
    order = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    # Le DataLoader tire aussi un nombre dans ce générateur à chaque époque, avant le
    # mélange : le lui donner, comme le fait shuffle=True, garde exactement les mêmes mini-batchs.
    sampler = BatchSampler(order, batch_size, drop_last=False)
    return DataLoader(dataset, sampler=sampler, batch_size=None, generator=generator)


def train(
    step: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    evaluate: Callable[[torch.Tensor, torch.Tensor], float],
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    *,
    evals: Mapping[str, Pair],
    num_epochs: int,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    writer: SummaryWriter | None = None,
    what: str = "",
) -> History:
    """Répète ``step(X, y)`` sur des mini-batchs de ``X_train`` (n, d), ``y_train`` (n,), ``num_epochs`` fois.

    ``step`` fait un pas de gradient sur un mini-batch et renvoie le coût du mini-batch ;
    ``evaluate(X, y)`` renvoie la MSE du modèle courant. À chaque époque (et à l'époque 0),
    on mesure la MSE d'apprentissage (``"train"``) et celle de chaque jeu de ``evals``
    (``{"test": (X_test, y_test)}``…), journalisées sous ``loss/<nom>`` si ``writer`` est
    donné, avec ``progress/steps`` et ``progress/seconds``. ``what`` décrit la méthode dans
    le message d'erreur.

    Lève ``ValueError`` pour des données mal formées, un nombre d'époques non positif ou
    une taille de mini-batch hors de [1, n] ; ``TrainingDivergedError`` dès qu'un coût de mini-batch
    est NaN ou infini.
    """
    validate_regression_data(X_train, y_train, "apprentissage")
    for name, (X, y) in evals.items():
        validate_regression_data(X, y, name)
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(f"X ({name}) a {X.shape[1]} variables, X_train en a {X_train.shape[1]}")
    if "train" in evals:
        raise ValueError("evals ne doit pas contenir « train » : l'apprentissage est toujours mesuré")
    devices = {str(t.device) for pair in (*evals.values(), (X_train, y_train)) for t in pair}
    if len(devices) > 1:
        raise ValueError(f"Les données sont sur plusieurs matériels : {sorted(devices)}")
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        raise ValueError(f"num_epochs doit être un entier > 0 ; reçu {num_epochs!r}")
    n = X_train.shape[0]
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        raise ValueError(
            f"batch_size doit être un entier entre 1 et la taille du jeu ({n}) ; reçu {batch_size!r}"
        )

    loader = seeded_loader(X_train, y_train, batch_size, seed, shuffle=shuffle)
    sets = {"train": (X_train, y_train), **evals}
    hist = History(batch_size=batch_size, mse={name: [] for name in sets})

    def record(epoch: int, steps: int, seconds: float) -> None:
        hist.epochs.append(epoch)
        hist.steps.append(steps)
        hist.seconds.append(seconds)
        for name, (X, y) in sets.items():
            hist.mse[name].append(evaluate(X, y))
            if writer is not None:
                writer.add_scalar(f"loss/{name}", hist.mse[name][-1], epoch)
        if writer is not None:
            writer.add_scalar("progress/steps", steps, epoch)
            writer.add_scalar("progress/seconds", seconds, epoch)

    steps, seconds = 0, 0.0
    record(0, steps, seconds)
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        for X, y in loader:
            loss = step(X, y)
            steps += 1
            if not math.isfinite(loss.item()):
                raise TrainingDivergedError(
                    f"Le coût vaut {loss.item()} au pas {steps} (époque {epoch}"
                    f"{', ' + what if what else ''}) : "
                    "la descente diverge, réduisez le taux d'apprentissage.",
                    hist,
                )
        seconds += time.perf_counter() - start
        record(epoch, steps, seconds)
    if writer is not None:
        writer.flush()
    return hist

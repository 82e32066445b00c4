"""La boucle d'apprentissage des modules et optimiseurs (chapitres 4, 5).

``fit`` est la boucle de l'exercice 4.a, par mini-batchs ; ``evaluate`` et
``predict`` mesurent le modèle. Le chapitre 4 montre leur code, le
chapitre 5 s'en sert pour comparer un modèle linéaire et un réseau.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import torch
from torch import nn
from torch.optim import Optimizer
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import validate_regression_data

Pair = tuple[torch.Tensor, torch.Tensor]


def predict(model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """Les prédictions (n,) de ``model`` pour ``X`` (n, d) (chapitre 4).

    Un ``nn.Linear(d, 1)`` rend une colonne (n, 1) ; sans ``squeeze(1)``,
    ``MSELoss`` la diffuserait contre ``y`` (n,) en une matrice (n, n), et
    le coût serait faux (chapitre 5).
    """
    out = model(X)
    n = len(X)
    if out.shape == (n, 1):
        out = out.squeeze(1)  # (n, 1) → (n,), la forme de y
    if out.shape != (n,):
        got = tuple(out.shape)
        raise ValueError(f"sortie {got} : il faut ({n},) ou ({n}, 1)")
    return out


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> float:
    """La MSE de ``model`` sur ``X`` (n, d) et ``y`` (n,) (chapitre 4).

    En mode évaluation (``eval()`` : ``Dropout`` n'éteint plus rien), sans
    graphe (``torch.no_grad()``) ; le module retrouve ensuite son mode.
    """
    validate_regression_data(X, y)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        mse = nn.functional.mse_loss(predict(model, X), y).item()
    model.train(was_training)
    return mse


def fit(
    model: nn.Module,
    optimizer: Optimizer,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    *,
    evals: Mapping[str, Pair],
    num_epochs: int,
    batch_size: int,
    seed: int = 0,
    writer: SummaryWriter | None = None,
) -> dict[str, list[float]]:
    """Apprend ``model`` sur ``X_train`` (n, d) et ``y_train`` (n,).

    Un pas par mini-batch de ``batch_size`` exemples, dans un ordre mélangé
    à chaque époque (graine ``seed``). Rend, pour ``"train"`` et chaque jeu
    de ``evals`` (``{"test": (X_test, y_test)}``), la MSE à chaque époque ;
    l'époque 0 est le modèle initial. ``writer`` les journalise sous
    ``loss/<nom>``. Montré au chapitre 4.
    """
    check_fit(model, optimizer, X_train, y_train, evals)
    check_sizes(num_epochs, batch_size, len(X_train))
    loss_fn = nn.MSELoss()
    loader = DataLoader(
        TensorDataset(X_train, y_train),
        batch_size=batch_size,
        shuffle=True,  # un autre ordre à chaque époque…
        generator=torch.Generator().manual_seed(seed),  # …toujours le même
    )
    sets = {"train": (X_train, y_train), **evals}
    history: dict[str, list[float]] = {name: [] for name in sets}

    def measure(epoch: int) -> None:
        """Note la MSE de chaque jeu dans history et dans le journal."""
        for name, (X, y) in sets.items():
            history[name].append(evaluate(model, X, y))
            if writer is not None:
                writer.add_scalar(f"loss/{name}", history[name][-1], epoch)

    measure(0)  # le modèle initial
    model.train()  # evaluate rend au module ce mode
    for epoch in range(1, num_epochs + 1):
        for X, y in loader:
            optimizer.zero_grad()  # efface les gradients du pas d'avant
            loss = loss_fn(predict(model, X), y)  # passe avant
            loss.backward()  # passe arrière : remplit .grad
            optimizer.step()  # un pas
        measure(epoch)
        if not math.isfinite(history["train"][-1]):
            msg = f"MSE non finie à l'époque {epoch} : la descente diverge"
            raise FloatingPointError(msg + " ; réduisez le taux lr")
    return history


def check_fit(
    model: nn.Module,
    optimizer: Optimizer,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    evals: Mapping[str, Pair],
) -> None:
    """Lève ``ValueError`` si ``fit`` ne peut pas apprendre.

    Données mal formées ; ``evals`` qui nomme ``"train"`` ou n'a pas
    les ``d`` variables de ``X_train`` ; taux d'apprentissage non
    positif ; paramètres que l'optimiseur ignore ; modèle et données
    sur deux matériels. Montré au chapitre 4.
    """
    validate_regression_data(X_train, y_train, "apprentissage")
    d = X_train.shape[1]
    for name, (X, y) in evals.items():
        validate_regression_data(X, y, name)
        if name == "train":
            raise ValueError("evals ne doit pas nommer « train »")
        if X.shape[1] != d:
            msg = f"X ({name}) a {X.shape[1]} variables"
            raise ValueError(f"{msg}, X_train en a {d}")
    groups = optimizer.param_groups
    lrs = [group["lr"] for group in groups]
    if not all(0 < lr < math.inf for lr in lrs):
        msg = "le taux d'apprentissage doit être > 0"
        raise ValueError(f"{msg} : {lrs}")
    given = {id(p) for group in groups for p in group["params"]}
    # Un paramètre gelé (requires_grad=False) peut lui manquer.
    frozen = [p for p in model.parameters() if not p.requires_grad]
    given |= {id(p) for p in frozen}
    named = model.named_parameters()
    ignored = [name for name, p in named if id(p) not in given]
    if ignored:
        msg = "l'optimiseur ne reçoit pas ces paramètres du modèle"
        raise ValueError(f"{msg} : {ignored}")
    tensors = [*model.parameters(), X_train]
    tensors += [X for X, _ in evals.values()]
    devices = sorted({str(t.device) for t in tensors})
    if len(devices) > 1:
        msg = "modèle et données sur plusieurs matériels"
        raise ValueError(f"{msg} : {devices}")


def check_sizes(num_epochs: int, batch_size: int, n: int) -> None:
    """Lève ``ValueError`` si ``num_epochs`` n'est pas un entier
    > 0, ou ``batch_size`` un entier de [1, n] (chapitre 4)."""
    if not (isinstance(num_epochs, int) and num_epochs > 0):
        msg = "num_epochs doit être un entier > 0"
        raise ValueError(f"{msg} ; reçu {num_epochs!r}")
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        msg = f"batch_size doit être un entier entre 1 et n = {n}"
        raise ValueError(f"{msg} ; reçu {batch_size!r}")

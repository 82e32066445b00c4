"""Le jeu de données Boston Housing, livré avec le paquet (chapitres 3 à 5).

Le fichier CSV est copié tel que scikit-learn 1.1.3 le distribuait ; sa provenance
est dans ``tp2_src/data/PROVENANCE.md``. On vérifie son empreinte sha256 à chaque
chargement : un fichier tronqué ou modifié donnerait sinon des résultats faux sans
aucune erreur.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from tp2_src.device import get_device

BOSTON_CSV: Path = Path(__file__).with_name("data") / "boston_house_prices.csv"
BOSTON_SHA256 = "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
BOSTON_SHAPE = (506, 13)


class DataFileError(ValueError):
    """Le fichier de données est absent, tronqué ou modifié (le message nomme le fichier)."""


class BostonData(NamedTuple):
    """Boston Housing en tenseurs : ``X`` (506, 13) float32, ``y`` (506,) float32."""

    X: torch.Tensor
    y: torch.Tensor
    feature_names: list[str]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_boston(path: str | Path | None = None) -> BostonData:
    """Charge Boston Housing après avoir vérifié l'empreinte du fichier.

    Renvoie ``X`` de forme (506, 13), ``y`` (la cible ``MEDV``, en k$) de forme (506,),
    tous deux en float32, et les 13 noms de variables.

    Lève ``DataFileError`` (une ``ValueError``) qui nomme le fichier s'il est absent,
    vide, tronqué ou modifié.
    """
    path = BOSTON_CSV if path is None else Path(path)
    if not path.is_file():
        raise DataFileError(f"Fichier de données introuvable : {path}")
    size = path.stat().st_size
    if size == 0:
        raise DataFileError(f"Fichier de données vide : {path}")
    digest = _sha256(path)
    if digest != BOSTON_SHA256:
        expected_size = BOSTON_CSV.stat().st_size if BOSTON_CSV.is_file() else None
        detail = (
            f"tronqué ({size} octets au lieu de {expected_size})"
            if expected_size is not None and size < expected_size
            else "modifié"
        )
        raise DataFileError(
            f"Fichier de données {detail} : {path} (sha256 {digest[:12]}…, attendu {BOSTON_SHA256[:12]}…)"
        )
    with path.open(encoding="utf-8") as f:
        n_rows, n_features = (int(v) for v in f.readline().split(",")[:2])
        names = [name.strip('"') for name in f.readline().strip().split(",")]
    table = np.loadtxt(path, delimiter=",", skiprows=2, dtype=np.float32)
    if table.shape != (n_rows, n_features + 1) or (n_rows, n_features) != BOSTON_SHAPE:
        raise DataFileError(f"Forme inattendue {table.shape} dans {path}")
    X = torch.from_numpy(table[:, :n_features].copy())
    y = torch.from_numpy(table[:, n_features].copy())
    return BostonData(X=X, y=y, feature_names=names[:n_features])


def validate_regression_data(X: torch.Tensor, y: torch.Tensor, name: str = "") -> None:
    """Vérifie ``X`` (n, d) et ``y`` (n,) : formes, types flottants, valeurs finies, n > 0."""
    tag = f" ({name})" if name else ""
    if X.ndim != 2 or y.ndim != 1:
        raise ValueError(
            f"X doit être de forme (n, d) et y de forme (n,){tag} ; reçu X {tuple(X.shape)}, "
            f"y {tuple(y.shape)}"
        )
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X et y n'ont pas le même nombre d'exemples{tag} : {X.shape[0]} contre {y.shape[0]}"
        )
    if X.shape[0] == 0:
        raise ValueError(f"Jeu de données vide{tag} : X est de forme {tuple(X.shape)}")
    if not (X.is_floating_point() and y.is_floating_point()):
        raise ValueError(f"X et y doivent être flottants{tag} ; reçu {X.dtype} et {y.dtype}")
    for label, t in (("X", X), ("y", y)):
        bad = (~torch.isfinite(t)).sum().item()
        if bad:
            raise ValueError(f"{label}{tag} contient {bad} valeur(s) NaN ou infinie(s)")


@dataclass(frozen=True)
class Split:
    """Découpage standardisé : apprentissage, test et, si demandé, validation.

    ``X_train`` (n_train, d), ``y_train`` (n_train,), ``X_test`` (n_test, d),
    ``y_test`` (n_test,), en float32 ; ``X_val`` (n_val, d) et ``y_val`` (n_val,) valent
    ``None`` sans jeu de validation.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    X_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(X_train, y_train, X_test, y_test)``, à déballer en une ligne."""
        return self.X_train, self.y_train, self.X_test, self.y_test

    def to(self, device: torch.device | str) -> Split:
        """Le même découpage, tenseurs déplacés sur ``device`` (CPU ou CUDA).

        Lève ``ValueError`` pour un matériel inconnu ou absent de la machine.
        """
        device = get_device(str(device))
        moved = [None if t is None else t.to(device) for t in
                 (self.X_train, self.y_train, self.X_test, self.y_test, self.X_val, self.y_val)]
        return Split(*moved)


def boston_split(
    device: torch.device | str = "cpu",
    test_size: float = 0.2,
    seed: int = 0,
    val_size: float = 0.0,
    standardize: bool = True,
) -> Split:
    """Boston Housing découpé (et standardisé) comme au chapitre 3, sur ``device`` (chapitres 3 à 5).

    ``standardize=False`` garde les variables brutes, pour montrer au chapitre 3 ce que la
    standardisation évite.
    """
    data = load_boston()
    split = standardized_split(data.X, data.y, test_size=test_size, seed=seed, val_size=val_size,
                               standardize=standardize)
    return split.to(device)


def standardized_split(
    X: torch.Tensor,
    y: torch.Tensor,
    test_size: float = 0.2,
    seed: int = 0,
    val_size: float = 0.0,
    standardize: bool = True,
) -> Split:
    """Découpe ``X`` (n, d) et ``y`` (n,) puis standardise les variables.

    Le test est tiré d'abord (``train_test_split`` de scikit-learn, graine ``seed``) : il est
    le même quel que soit ``val_size``. Si ``val_size`` > 0, cette fraction de la partie
    restante devient un jeu de validation (pour choisir une époque d'arrêt sans regarder
    le test). La moyenne et l'écart-type viennent de la partie apprentissage seulement :
    les calculer sur tout le jeu ferait fuir de l'information vers l'apprentissage. La
    cible n'est pas transformée, si bien que les MSE restent en k$². ``standardize=False``
    découpe de la même façon sans transformer les variables.
    """
    validate_regression_data(X, y)
    if X.shape[0] < 2:
        raise ValueError(f"Il faut au moins 2 exemples pour découper ; reçu {X.shape[0]}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"test_size doit être dans ]0, 1[ ; reçu {test_size}")
    if not 0.0 <= val_size < 1.0:
        raise ValueError(f"val_size doit être dans [0, 1[ ; reçu {val_size}")
    X_np, y_np = X.numpy(), y.numpy()
    X_tr, X_te, y_tr, y_te = train_test_split(X_np, y_np, test_size=test_size, random_state=seed)
    X_va = y_va = None
    if val_size > 0:
        X_tr, X_va, y_tr, y_va = train_test_split(X_tr, y_tr, test_size=val_size, random_state=seed)
    scaler = StandardScaler(with_mean=standardize, with_std=standardize).fit(X_tr)

    def as_tensor(a: np.ndarray | None) -> torch.Tensor | None:
        return None if a is None else torch.from_numpy(np.asarray(a, dtype=np.float32))

    return Split(
        X_train=as_tensor(scaler.transform(X_tr)),
        y_train=as_tensor(y_tr),
        X_test=as_tensor(scaler.transform(X_te)),
        y_test=as_tensor(y_te),
        X_val=None if X_va is None else as_tensor(scaler.transform(X_va)),
        y_val=as_tensor(y_va),
    )

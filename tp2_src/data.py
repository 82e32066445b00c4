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

BOSTON_CSV: Path = (
    Path(__file__).with_name("data") / "boston_house_prices.csv"
)
BOSTON_SHA256 = (
    "d98212636026544fc9b9c0f372e5f819872e6fa6fa757ab025efdda22180f2d6"
)
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
        expected_size = (
            BOSTON_CSV.stat().st_size if BOSTON_CSV.is_file() else None
        )
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
        names = [
            name.strip('"') for name in f.readline().strip().split(",")
        ]
    table = np.loadtxt(path, delimiter=",", skiprows=2, dtype=np.float32)
    if (
        table.shape != (n_rows, n_features + 1)
        or (n_rows, n_features) != BOSTON_SHAPE
    ):
        raise DataFileError(f"Forme inattendue {table.shape} dans {path}")
    X = torch.from_numpy(table[:, :n_features].copy())
    y = torch.from_numpy(table[:, n_features].copy())
    return BostonData(X=X, y=y, feature_names=names[:n_features])


def validate_regression_data(
    X: torch.Tensor, y: torch.Tensor, name: str = ""
) -> None:
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
        raise ValueError(
            f"Jeu de données vide{tag} : X est de forme {tuple(X.shape)}"
        )
    if not (X.is_floating_point() and y.is_floating_point()):
        raise ValueError(
            f"X et y doivent être flottants{tag} ; reçu {X.dtype} et {y.dtype}"
        )
    for label, t in (("X", X), ("y", y)):
        bad = (~torch.isfinite(t)).sum().item()
        if bad:
            raise ValueError(
                f"{label}{tag} contient {bad} valeur(s) NaN ou infinie(s)"
            )


@dataclass(frozen=True)
class Split:
    """Un découpage de Boston Housing : apprentissage, test, validation.

    Les X sont de forme (n, d), les y de forme (n,), en float32 ; sans
    jeu de validation, X_val et y_val valent None. Montré au chapitre 3.
    """

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    X_val: torch.Tensor | None = None
    y_val: torch.Tensor | None = None

    def tensors(self) -> tuple[torch.Tensor, ...]:
        """(X_train, y_train, X_test, y_test), à déballer d'un coup."""
        return self.X_train, self.y_train, self.X_test, self.y_test


def boston_split(
    device: torch.device | str = "cpu",
    val_size: float = 0.0,
    standardize: bool = True,
) -> Split:
    """Boston Housing découpé, standardisé, sur device (chapitres 3 à 5).

    20 % des exemples vont au test ; si val_size > 0, cette part du reste
    va à la validation (chapitre 5). Moyennes et écarts-types viennent du
    seul jeu d'apprentissage ; la cible reste en k$. Montré au chapitre 3.
    """
    if not 0 <= val_size < 1:
        raise ValueError(f"val_size hors de [0, 1[ : {val_size}")
    data = load_boston()
    X, y = data.X.numpy(), data.y.numpy()
    # random_state : la graine du tirage, le même à chaque appel
    split = train_test_split(X, y, test_size=0.2, random_state=0)
    X_train, X_test, y_train, y_test = split
    X_val = y_val = None
    if val_size > 0:  # la validation, prise sur l'apprentissage
        X_train, X_val, y_train, y_val = train_test_split(
            X_train, y_train, test_size=val_size, random_state=0
        )
    if standardize:  # statistiques du seul jeu d'apprentissage
        scaler = StandardScaler().fit(X_train)
        X_train = scaler.transform(X_train)
        X_test = scaler.transform(X_test)
        if X_val is not None:
            X_val = scaler.transform(X_val)

    def tensor(a: np.ndarray | None) -> torch.Tensor | None:
        if a is None:
            return None
        return torch.tensor(a, dtype=torch.float32, device=device)

    arrays = X_train, y_train, X_test, y_test, X_val, y_val
    return Split(*(tensor(a) for a in arrays))

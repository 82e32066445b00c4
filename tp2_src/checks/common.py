"""Ce que les vérifications partagent : les données où elles jouent le code de l'étudiant,
ses appels isolés du notebook, et la lecture de ce qu'il rend."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

import torch

from tp2_src.checks.grading import fail
from tp2_src.data import Split, boston_split

#: Écart relatif toléré à l'optimum des moindres carrés, sur Boston Housing.
MSE_TOLERANCE = 0.01


#: Tolérance relative des comparaisons de gradients et de pas (float32).
STEP_RTOL = 1e-3


@cache
def boston_data() -> Split:
    """Boston Housing découpé et standardisé comme au chapitre 3 (sur le processeur)."""
    return boston_split()


def tiny_data(n: int = 12, d: int = 13, seed: int = 0) -> Split:
    """Un petit problème de régression (``n`` exemples, ``d`` variables), où chaque pas se
    lit exactement : avec n ≤ d + 1, le gradient d'un mini-batch dit quels exemples il contient."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n + n // 2, d, generator=g)
    y = X @ torch.randn(d, generator=g) + 0.5 * torch.randn(n + n // 2, generator=g) + 3.0
    return Split(X[:n], y[:n], X[n:], y[n:])


def isolated(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` appelée sans toucher au générateur aléatoire du notebook."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with torch.random.fork_rng(devices=[]):
            return function(*args, **kwargs)

    return run


def as_pair(question: str, result: Any) -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(question, f"la fonction doit rendre le couple (w, b) ; elle rend un {type(result).__name__}.")
    return result[0], result[1]


def floats(question: str, name: str, values: Any, count: int | None = None) -> list[float]:
    """Une liste de coûts (nombres ou tenseurs d'un élément), tous finis."""
    if not isinstance(values, list | tuple) or len(values) < 2:
        fail(question, f"{name} doit rendre la liste des coûts ; elle rend un {type(values).__name__}.")
    try:
        floats = [float(v) for v in values]
    except (TypeError, ValueError, RuntimeError):
        fail(question, f"{name} doit rendre une liste de nombres (loss.item()).")
    if count is not None and len(floats) != count:
        fail(question, f"{name} rend {len(floats)} coûts pour {count} époques : un par époque.")
    if not all(math.isfinite(v) for v in floats):
        fail(question, f"{name} rend des coûts non finis : l'apprentissage a divergé.")
    return floats

"""Ce que les vérifications partagent : les données où elles jouent le code de l'étudiant,
ses appels isolés du notebook, et la lecture de ce qu'il rend."""

from __future__ import annotations

import math
import numbers
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
    y = (
        X @ torch.randn(d, generator=g)
        + 0.5 * torch.randn(n + n // 2, generator=g)
        + 3.0
    )
    return Split(X[:n], y[:n], X[n:], y[n:])


def isolated(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` appelée sans toucher au générateur aléatoire du notebook."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with torch.random.fork_rng(devices=[]):
            return function(*args, **kwargs)

    return run


def as_pair(question: str, result: Any) -> tuple[Any, Any]:
    """Le couple (w, b) rendu par une descente : deux tenseurs flottants, b d'un seul
    élément. Un couple dans l'autre ordre, ou un b rendu par ``.item()``, a son message
    (et non une erreur de forme venue du calcul qui suit)."""
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(
            question,
            f"la fonction doit rendre le couple (w, b) ; elle rend un {type(result).__name__}.",
        )
    w, b = result
    for label, value in (("w", w), ("b", b)):
        if (
            not isinstance(value, torch.Tensor)
            or not value.is_floating_point()
        ):
            fail(
                question,
                f"la fonction doit rendre (w, b), deux tenseurs ; {label} est un "
                f"{type(value).__name__}"
                + (
                    " : rendez le tenseur lui-même, sans .item()."
                    if isinstance(value, float)
                    else "."
                ),
            )
    if b.numel() != 1:
        if w.numel() == 1:
            fail(
                question,
                f"la fonction rend (b, w) : l'ordre demandé est (w, b), les poids "
                f"(forme {tuple(b.shape)}) d'abord, le biais ensuite.",
            )
        fail(
            question,
            f"b, le biais, doit avoir un seul élément (forme () ou (1,)) ; reçu la forme "
            f"{tuple(b.shape)}.",
        )
    return w, b


def floats(
    question: str,
    name: str,
    values: Any,
    count: int | None = None,
    *,
    numbers_only: bool = False,
) -> list[float]:
    """Une liste de coûts, tous finis : des nombres, ou des tenseurs d'un élément (sauf
    ``numbers_only`` : des nombres seulement, ``loss.item()``)."""
    if not isinstance(values, list | tuple) or len(values) < 2:
        fail(
            question,
            f"{name} doit rendre la liste des coûts ; elle rend un {type(values).__name__}.",
        )
    if numbers_only and any(isinstance(v, torch.Tensor) for v in values):
        fail(
            question,
            f"{name} rend des tenseurs au lieu de nombres : ajoutez loss.item() à la liste "
            "(un nombre Python), pas le tenseur du coût.",
        )
    bad = [
        v
        for v in values
        if isinstance(v, bool)
        or not isinstance(v, numbers.Real | torch.Tensor)
        or (isinstance(v, torch.Tensor) and v.numel() != 1)
    ]
    if bad:
        fail(
            question,
            f"{name} doit rendre une liste de nombres (loss.item()) ; elle contient un "
            f"{type(bad[0]).__name__}.",
        )
    found = [
        v.detach().item() if isinstance(v, torch.Tensor) else float(v)
        for v in values
    ]
    if count is not None and len(found) != count:
        fail(
            question,
            f"{name} rend {len(found)} coûts pour {count} époques : un par époque.",
        )
    if not all(math.isfinite(v) for v in found):
        fail(
            question,
            f"{name} rend des coûts non finis : l'apprentissage a divergé.",
        )
    return found

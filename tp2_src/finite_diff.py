"""Gradients par différences finies, pour vérifier la règle de chaîne (chapitres 1 et 2)."""

from __future__ import annotations

from collections.abc import Callable

import torch


def finite_difference_grad(
    f: Callable[[], torch.Tensor], param: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """Gradient de la fonction scalaire ``f()`` par rapport à ``param``, par différences centrées.

    ``f`` ne prend pas d'argument : elle relit ``param``, que l'on perturbe sur place, une
    coordonnée à la fois, puis que l'on remet à sa valeur. Renvoie un tenseur de la forme
    de ``param``. Deux erreurs : la troncature, en O(eps²), et l'arrondi, en O(u·|f|/eps)
    (u : unité d'arrondi du type), qui domine aux petits pas (chapitre 1, « Ce qui limite
    les différences finies ») : travailler en float64 pour un résultat fiable.
    """
    if eps <= 0:
        raise ValueError(f"eps doit être strictement positif ; reçu {eps}")
    if param.numel() == 0:
        raise ValueError("param est vide : il n'y a aucune dérivée partielle à calculer")
    grad = torch.zeros_like(param)
    flat = param.detach().view(-1)  # même mémoire que param
    with torch.no_grad():
        for k in range(flat.numel()):
            saved = flat[k].item()
            flat[k] = saved + eps
            up = f()
            flat[k] = saved - eps
            down = f()
            flat[k] = saved
            if up.numel() != 1:
                raise ValueError(f"f doit renvoyer un scalaire ; forme reçue {tuple(up.shape)}")
            if not (torch.isfinite(up) and torch.isfinite(down)):
                raise ValueError(f"f n'est pas finie autour de la coordonnée {k} de param (eps={eps})")
            grad.view(-1)[k] = (up - down).item() / (2 * eps)
    return grad

"""Gradients par différences finies, pour vérifier un gradient (chapitre 1).

Le code de ``finite_difference_grad`` est montré au chapitre 1 (« Trois calculs du
même gradient ») : ses lignes tiennent dans la colonne de la page.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def finite_difference_grad(
    f: Callable[[], torch.Tensor], leaf: torch.Tensor, eps: float = 1e-6
) -> torch.Tensor:
    """∂f/∂leaf par différences centrées, une coordonnée à la fois.

    ``f()`` relit ``leaf``, décalée sur place de ±eps puis remise à sa
    valeur. Rend un tenseur de la forme de ``leaf``. Travailler en
    float64 : en float32, l'arrondi domine (chapitre 1).
    """
    if eps <= 0:
        raise ValueError(f"eps doit être > 0 ; reçu {eps}")
    if leaf.numel() == 0:
        raise ValueError("leaf est vide : aucune dérivée à calculer")
    grad = torch.zeros_like(leaf)
    flat = leaf.detach().view(-1)  # même mémoire que leaf
    with torch.no_grad():  # f n'enregistre aucun graphe
        for k in range(flat.numel()):
            saved = flat[k].item()
            flat[k] = saved + eps
            up = f()
            flat[k] = saved - eps
            down = f()
            flat[k] = saved  # remis en place
            if up.numel() != 1:
                raise ValueError(
                    f"f doit rendre un scalaire ; forme {tuple(up.shape)}"
                )
            if not (torch.isfinite(up) and torch.isfinite(down)):
                raise ValueError(
                    f"f n'est pas finie près de la coordonnée {k}"
                )
            grad.view(-1)[k] = (up - down).item() / (2 * eps)
    return grad

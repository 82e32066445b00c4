"""Afficher des résultats mesurés dans le livre comme dans un terminal (chapitres 3 à 5).

Dans le livre (noyau Jupyter), les tableaux deviennent de vrais tableaux et les valeurs
sont « collées » (``glue`` de MyST-NB) pour que la prose les cite sans jamais dériver des
mesures. Exécuté comme simple script, le même code affiche du texte.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def in_notebook() -> bool:
    """Vrai dans un noyau Jupyter (construction du livre, notebook), faux dans un script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def glue(name: str, value: Any) -> Any:
    """Rend ``value`` citable dans la prose par ``{glue:text}`name``` ; renvoie ``value``.

    Hors du livre, affiche simplement ``name = value``.
    """
    if in_notebook():
        from myst_nb import glue as myst_glue

        myst_glue(name, value, display=False)
    else:
        print(f"{name} = {value}")
    return value


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Tableau Markdown (GFM) : une ligne d'en-têtes, puis une ligne par entrée."""
    if any(len(r) != len(headers) for r in rows):
        raise ValueError(f"Chaque ligne doit avoir {len(headers)} cellules : {rows}")
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def show_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Affiche le tableau : rendu Markdown dans le livre, texte brut dans un terminal."""
    table = format_table(headers, rows)
    if in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(table))
    else:
        print(table)

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


def french_number(value: float, fmt: str) -> str:
    """Nombre écrit à la française : ``french_number(5252.5, ".1f")`` donne « 5 252,5 ».

    ``fmt`` est un format Python (``".2f"``, ``"d"``…) ; la virgule sépare les décimales
    et une espace fine insécable les milliers.
    """
    try:
        text = format(value, "," + fmt)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Impossible de formater {value!r} avec {fmt!r} : {err}") from err
    return text.translate({ord(","): "\u202f", ord("."): ","})


def glue(name: str, value: float, fmt: str) -> float:
    """Rend ``value``, écrit à la française avec ``fmt``, citable dans la prose ; renvoie ``value``.

    La prose la cite par ``{glue:md}`name``` : le nombre affiché vient toujours du calcul.
    Hors du livre, affiche simplement ``name = valeur``.
    """
    text = french_number(value, fmt)
    if in_notebook():
        from IPython.display import Markdown
        from myst_nb import glue as myst_glue

        myst_glue(name, Markdown(text), display=False)
    else:
        print(f"{name} = {text}")
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

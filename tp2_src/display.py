"""Ce que les chapitres affichent : tableaux, avertissements et erreurs résumés (chapitres 2 à 5).

Dans le livre (noyau Jupyter), un tableau devient un vrai tableau ; exécuté comme simple
script, le même code affiche du texte. Les résumés tiennent dans la colonne de la page.
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Sequence
from typing import Any

from tp2_src.glue import in_notebook

#: Largeur d'une ligne de sortie dans la colonne du livre (au-delà, elle défile).
OUTPUT_WIDTH = 78


def _summary(kind: str, message: str, width: int) -> str:
    # La fin des messages de PyTorch ne donne que l'emplacement dans son code C++.
    message = message.split(" (Triggered internally at")[0].strip()
    return textwrap.fill(
        f"{kind} : {message}", width=width, subsequent_indent="  "
    )


def warning_summary(
    caught: warnings.WarningMessage, width: int = OUTPUT_WIDTH
) -> str:
    """« Catégorie : message » d'un avertissement relevé, coupé à ``width`` colonnes."""
    if not isinstance(caught, warnings.WarningMessage):
        raise ValueError(
            f"warning_summary attend un avertissement relevé ; reçu {type(caught).__name__}"
        )
    return _summary(caught.category.__name__, str(caught.message), width)


def error_summary(err: BaseException, width: int = OUTPUT_WIDTH) -> str:
    """« Type : message » d'une exception attrapée, coupé à ``width`` colonnes."""
    if not isinstance(err, BaseException):
        raise ValueError(
            f"error_summary attend une exception ; reçu {type(err).__name__}"
        )
    return _summary(type(err).__name__, str(err), width)


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> str:
    """Tableau Markdown (GFM) : une ligne d'en-têtes, puis une ligne par entrée."""
    if any(len(r) != len(headers) for r in rows):
        raise ValueError(
            f"Chaque ligne doit avoir {len(headers)} cellules : {rows}"
        )
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
    ]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def show_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Affiche le tableau : rendu Markdown dans le livre, texte brut dans un terminal."""
    table = format_table(headers, rows)
    if in_notebook():
        from IPython.display import Markdown, display

        display(Markdown(table))
    else:
        print(table)

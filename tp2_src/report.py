"""Afficher des résultats mesurés dans le livre comme dans un terminal (chapitres 3 à 5).

Dans le livre (noyau Jupyter), les tableaux deviennent de vrais tableaux et les valeurs
sont « collées » (``glue`` de MyST-NB) pour que la prose les cite sans jamais dériver des
mesures. Exécuté comme simple script, le même code affiche du texte.
"""

from __future__ import annotations

import textwrap
import warnings
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


SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def french_number(value: float, fmt: str) -> str:
    """Nombre écrit à la française : ``french_number(5252.5, ".1f")`` donne « 5 252,5 ».

    ``fmt`` est un format Python (``".2f"``, ``"d"``, ``".1e"``…) ; la virgule sépare les
    décimales, une espace fine insécable les milliers, et une puissance de dix s'écrit
    « 2,7 × 10⁻⁹ » (« 10⁻⁵ » quand la mantisse vaut 1).
    """
    sign = fmt[0] if fmt[:1] in ("+", "-", " ") else ""
    spec = fmt if fmt.endswith(("e", "E")) else sign + "," + fmt[len(sign) :]
    try:
        text = format(value, spec)
    except (TypeError, ValueError) as err:
        raise ValueError(f"Impossible de formater {value!r} avec {fmt!r} : {err}") from err
    mantissa, _, exponent = text.lower().partition("e")
    mantissa = mantissa.translate({ord(","): "\u202f", ord("."): ","})
    if not exponent:
        return mantissa
    power = f"10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return power if mantissa == "1" else f"{mantissa} × {power}"


def glue(name: str, value: float, fmt: str) -> float:
    """Rend ``value``, écrit à la française avec ``fmt``, citable dans la prose ; renvoie ``value``.

    La prose la cite par ``{glue:md}`name``` : le nombre affiché vient toujours du calcul.
    Dans un script, affiche simplement ``name = valeur`` ; dans un notebook sans MyST-NB
    (le kit de l'étudiant), ne fait rien.
    """
    _glue_text(name, french_number(value, fmt))
    return value


def _glue_text(name: str, text: str) -> None:
    if not in_notebook():
        print(f"{name} = {text}")
    elif (myst_glue := _myst_glue()) is not None:
        from IPython.display import Markdown

        myst_glue(name, Markdown(text), display=False)


def execution_environment() -> str:
    """Ce qui exécute ce code, en une phrase : « Python 3.11.2 et PyTorch 2.13.0, sur un
    processeur x86_64 (2 fils de calcul) », ou le GPU que ``get_device()`` choisit."""
    import platform

    import torch

    from tp2_src.device import get_device

    device = get_device()
    if device.type == "cuda":
        where = f"le GPU {torch.cuda.get_device_name(device)}"
    else:
        threads = torch.get_num_threads()
        plural = "s" if threads > 1 else ""
        where = f"un processeur {platform.machine()} ({threads} fil{plural} de calcul)"
    return f"Python {platform.python_version()} et PyTorch {torch.__version__}, sur {where}"


#: Le nom sous lequel chaque chapitre colle son environnement d'exécution.
ENVIRONMENT_GLUE = "environnement"


def glue_environment() -> str:
    """Colle ``execution_environment()`` : la note finale de chaque chapitre la cite
    (``{glue:md}`environnement```) ; dans un script, l'affiche. Rend la phrase."""
    text = execution_environment()
    _glue_text(ENVIRONMENT_GLUE, text)
    return text


def _myst_glue() -> Any:
    """``myst_nb.glue`` s'il est installé ; None dans un notebook hors du livre (kit de l'étudiant)."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return None
    return myst_glue


def glue_figure(name: str, fig: Any) -> None:
    """Rend la figure ``fig`` citable par ``{glue:figure}`name``` (onglets, légendes) ; la ferme.

    Hors du livre, la figure est simplement fermée : un script n'affiche rien.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ValueError(f"glue_figure attend une figure matplotlib ; reçu {type(fig).__name__}")
    if in_notebook() and (myst_glue := _myst_glue()) is not None:
        myst_glue(name, fig, display=False)
    import matplotlib.pyplot as plt

    plt.close(fig)


#: Largeur d'une ligne de sortie dans la colonne du livre (au-delà, elle défile).
OUTPUT_WIDTH = 78


def _summary(kind: str, message: str, width: int) -> str:
    # La fin des messages de PyTorch ne donne que l'emplacement dans son code C++.
    message = message.split(" (Triggered internally at")[0].strip()
    return textwrap.fill(f"{kind} : {message}", width=width, subsequent_indent="  ")


def warning_summary(caught: warnings.WarningMessage, width: int = OUTPUT_WIDTH) -> str:
    """« Catégorie : message » d'un avertissement relevé, coupé à ``width`` colonnes."""
    if not isinstance(caught, warnings.WarningMessage):
        raise ValueError(f"warning_summary attend un avertissement relevé ; reçu {type(caught).__name__}")
    return _summary(caught.category.__name__, str(caught.message), width)


def error_summary(err: BaseException, width: int = OUTPUT_WIDTH) -> str:
    """« Type : message » d'une exception attrapée, coupé à ``width`` colonnes."""
    if not isinstance(err, BaseException):
        raise ValueError(f"error_summary attend une exception ; reçu {type(err).__name__}")
    return _summary(type(err).__name__, str(err), width)


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

"""Des valeurs calculées que la prose du livre cite (« glue » de MyST-NB), chapitres 1 à 5.

Dans le livre (noyau Jupyter avec MyST-NB), une valeur collée par ``glue("nom", …)`` est
citée par la prose avec ``{glue:md}`nom``` : le nombre affiché vient toujours du calcul.
Exécuté comme simple script, le même code affiche ``nom = valeur`` ; dans un notebook
sans MyST-NB (le kit de l'étudiant), il ne fait rien.
"""

from __future__ import annotations

from typing import Any

from tp2_src.device import execution_environment
from tp2_src.french import french_number

#: Le nom sous lequel chaque chapitre colle son environnement d'exécution.
ENVIRONMENT_GLUE = "environnement"


def in_notebook() -> bool:
    """Vrai dans un noyau Jupyter (construction du livre, notebook), faux dans un script."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _myst_glue() -> Any:
    """``myst_nb.glue`` s'il est installé ; None dans un notebook hors du livre (kit de l'étudiant)."""
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return None
    return myst_glue


def _glue_text(name: str, text: str) -> None:
    if not in_notebook():
        print(f"{name} = {text}")
    elif (myst_glue := _myst_glue()) is not None:
        from IPython.display import Markdown

        myst_glue(name, Markdown(text), display=False)


def glue(name: str, value: float, fmt: str) -> float:
    """Rend ``value``, écrit à la française avec ``fmt``, citable dans la prose ; renvoie ``value``."""
    _glue_text(name, french_number(value, fmt))
    return value


def glue_text(name: str, text: str) -> str:
    """Rend ``text`` (un mot, une phrase tirés du calcul) citable dans la prose ; le renvoie."""
    if not isinstance(text, str) or not text:
        raise ValueError(
            f"glue_text attend un texte non vide ; reçu {text!r}"
        )
    _glue_text(name, text)
    return text


def glue_environment() -> str:
    """Colle ``execution_environment()`` : la note finale de chaque chapitre la cite
    (``{glue:md}`environnement```) ; dans un script, l'affiche. Rend la phrase."""
    text = execution_environment()
    _glue_text(ENVIRONMENT_GLUE, text)
    return text


def glue_figure(name: str, fig: Any) -> None:
    """Rend la figure ``fig`` citable par ``{glue:figure}`name``` (numéro, légende, texte
    alternatif) ; la ferme.

    Dans un notebook hors du livre (le kit de l'étudiant), la figure est affichée si sa
    cellule ne l'a pas déjà montrée ; un script n'affiche rien.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ValueError(
            f"glue_figure attend une figure matplotlib ; reçu {type(fig).__name__}"
        )
    import matplotlib.pyplot as plt

    if in_notebook():
        if (myst_glue := _myst_glue()) is not None:
            myst_glue(name, fig, display=False)
        elif plt.fignum_exists(fig.number):
            from IPython.display import display

            display(fig)
    plt.close(fig)

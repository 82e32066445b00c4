"""Le style des figures : vectorielles, lisibles à la largeur de la colonne (chapitres 1 à 5).

``use_book_style`` règle matplotlib une fois par chapitre : figures en SVG dont le texte
reste du texte (et en PDF vectoriel pour la version imprimable), polices d'au moins
``MIN_FONT_PT`` points, largeur ``COLUMN_WIDTH_IN`` pouces. Dans une fenêtre de 1280 px, la
colonne du livre mesure 688 px : une figure de 7 pouces (672 px) y tient sans être
réduite, et 9 pt y font 12 px.
"""

from __future__ import annotations

import math
from typing import Any

import matplotlib as mpl
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import LogFormatter

from tp2_src.display import OUTPUT_WIDTH
from tp2_src.french import SUPERSCRIPTS, french_number
from tp2_src.glue import glue_environment, in_notebook

#: Largeur d'une figure pleine colonne (pouces) : 672 px CSS, sans réduction à 1280 px.
COLUMN_WIDTH_IN = 7.0
#: Plus petite police permise (points) : 8,5 pt = 11,3 px CSS à taille réelle.
MIN_FONT_PT = 8.5

BOOK_RC: dict[str, object] = {
    "svg.fonttype": "none",  # le texte reste du texte : net, cherchable, lisible par un lecteur d'écran
    "svg.hashsalt": "tp2",  # identifiants SVG stables : deux constructions, mêmes fichiers
    "pdf.fonttype": 42,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 11,
    "figure.figsize": (COLUMN_WIDTH_IN, 4.2),
}


#: Les métadonnées de chaque format qui rendent un fichier reproductible : sans date de
#: création, deux exécutions écrivent les mêmes octets. SVG et PDF n'ont pas les mêmes clés.
REPRODUCIBLE_METADATA: dict[str, dict[str, None]] = {
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


def figure_bytes(fig: Figure, fmt: str) -> Any:
    """La figure ``fig`` écrite en ``fmt`` (``"svg"`` : texte, ``"pdf"`` : octets), sans
    date : ce que le notebook émet pour chaque figure."""
    from IPython.core.pylabtools import print_figure

    if not isinstance(fig, Figure):
        raise ValueError(
            f"figure_bytes attend une figure matplotlib ; reçu {type(fig).__name__}"
        )
    if fmt not in REPRODUCIBLE_METADATA:
        raise ValueError(
            f"format de figure {fmt!r} : attendu l'un de "
            f"{sorted(REPRODUCIBLE_METADATA)}"
        )
    return print_figure(fig, fmt, metadata=REPRODUCIBLE_METADATA[fmt])


def use_book_style() -> None:
    """Règle matplotlib (SVG à texte réel et PDF, polices lisibles) et l'affichage des tenseurs.

    Dans un noyau Jupyter, chaque figure est émise en SVG (pour la page HTML) et en PDF
    (pour la version imprimable), sans date (``figure_bytes``) : deux exécutions
    produisent les mêmes octets. MyST-NB choisit le format de chaque constructeur.
    L'environnement du processus n'est pas touché.
    """
    mpl.rcParams.update(BOOK_RC)
    # Les tenseurs affichés tiennent dans la colonne, comme les figures.
    # (un peu moins large : « a.grad = » précède souvent le tenseur).
    torch.set_printoptions(linewidth=OUTPUT_WIDTH - 10)
    if in_notebook():
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        shell = get_ipython()
        # Le moteur « inline » affiche chaque figure à la fin de sa cellule ; un MPLBACKEND=Agg
        # hérité de l'environnement ne l'afficherait pas, et ses renvois seraient cassés.
        shell.enable_matplotlib("inline")
        set_matplotlib_formats("svg", "pdf")
        # Les mêmes formats, écrits sans date (chacun avec ses propres clés).
        formatters = shell.display_formatter.formatters
        for mime, fmt in (
            ("image/svg+xml", "svg"),
            ("application/pdf", "pdf"),
        ):
            formatters[mime].for_type(
                Figure, lambda fig, fmt=fmt: figure_bytes(fig, fmt)
            )


def setup_chapter() -> None:
    """Les réglages d'un chapitre, en un appel dans sa cellule ``setup`` : le style des
    figures (``use_book_style``) et l'environnement d'exécution collé, que cite la note
    « Exécution de ce chapitre » que la machinerie ajoute en fin de page (dans un notebook
    hors du livre, rien n'est affiché)."""
    use_book_style()
    glue_environment()


def text_sizes(fig: Figure) -> list[tuple[str, float]]:
    """(texte, taille en points) de chaque texte visible et non vide de la figure."""
    if not isinstance(fig, Figure):
        raise ValueError(
            f"text_sizes attend une figure matplotlib ; reçu {type(fig).__name__}"
        )
    shown = [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    return [(t.get_text(), t.get_fontsize()) for t in shown]


def assert_legible(fig: Figure) -> None:
    """Lève ``ValueError`` si la figure dépasse la colonne ou si un texte est trop petit."""
    sizes = text_sizes(fig)
    width = fig.get_figwidth()
    if width > COLUMN_WIDTH_IN + 1e-6:
        raise ValueError(
            f"Figure de {width:.2f} pouces : au plus {COLUMN_WIDTH_IN} pour la colonne"
        )
    small = [(t, s) for t, s in sizes if s < MIN_FONT_PT]
    if small:
        raise ValueError(
            f"Textes plus petits que {MIN_FONT_PT} pt : {small[:5]}"
        )


class FrenchLogFormatter(LogFormatter):
    """Graduations d'un axe logarithmique en texte : « 10⁻⁶ », « 20 », « 0,5 », « 10 000 »,
    toutes en chiffres ou toutes en puissances de dix sur un même axe.

    Le formateur par défaut écrit les puissances de dix en mathtext, dont l'exposant est
    réduit à 70 % : trop petit à l'écran. Ici l'exposant est un caractère Unicode, à la
    taille du texte, et les décimales sont à la française.
    """

    def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
        # Une seule écriture par axe : en chiffres (« 0,001 », « 1 000 », « 10 000 ») si tout
        # l'axe tient entre 0,001 et 99 999, sinon en puissances de dix (« 10⁻³ », « 10⁰ »).
        low, high = sorted((vmin, vmax))
        if 1e-3 * (1 - 1e-9) <= low and high < 1e5:
            return french_number(x, "g")
        exponent = math.floor(math.log10(x) + 1e-9)
        mantissa = x / 10**exponent
        power = "10" + str(exponent).translate(SUPERSCRIPTS)
        if math.isclose(mantissa, 1.0, rel_tol=1e-6):
            return power
        return f"{french_number(mantissa, 'g')} × {power}"


def french_log_axis(ax: Axes, which: str = "both") -> Axes:
    """Graduations lisibles (``FrenchLogFormatter``) sur les axes log de ``ax`` (``"x"``, ``"y"``)."""
    if which not in ("x", "y", "both"):
        raise ValueError(
            f"which doit valoir 'x', 'y' ou 'both' ; reçu {which!r}"
        )
    for name in ("x", "y") if which == "both" else (which,):
        axis = getattr(ax, f"{name}axis")
        if axis.get_scale() == "log":
            axis.set_major_formatter(
                FrenchLogFormatter(labelOnlyBase=False)
            )
            # Graduations secondaires (2, 3, 4, 6…) écrites jusqu'à 2,5 décades : au-delà,
            # elles se chevaucheraient dans une figure de la largeur de la colonne.
            axis.set_minor_formatter(
                FrenchLogFormatter(
                    labelOnlyBase=False, minor_thresholds=(2.5, 1)
                )
            )
    return ax

"""Courbes de coût relues dans les journaux TensorBoard (chapitres 3 à 5)."""

from __future__ import annotations

from collections.abc import Mapping

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from tp2_src.style import french_log_axis

Series = Mapping[str, tuple[list[int], list[float]]]

#: Noms affichés des séries journalisées (les tags restent en anglais, comme dans TensorBoard).
TAG_LABELS = {
    "loss/train": "apprentissage",
    "loss/test": "test",
    "loss/val": "validation",
}

X_LABELS = {
    None: "époque",
    "progress/steps": "pas de gradient",
    "progress/seconds": "secondes de calcul (mesurées)",
}


def plot_losses(
    ax: Axes,
    runs: Mapping[str, Series],
    x_tag: str | None = None,
    tags: tuple[str, ...] = ("loss/train", "loss/test"),
    logy: bool = True,
    logx: bool = False,
    legend: bool = True,
) -> Axes:
    """Trace, pour chaque expérience de ``runs`` (``{nom: read_scalars(...)}``), les séries ``tags``.

    L'abscisse est l'époque (le pas du journal) ou, si ``x_tag`` est donné, la valeur de
    cette série au même pas (``progress/steps``, ``progress/seconds``). Trait plein pour
    le premier tag (apprentissage), tirets pour le second (test) ; une couleur par
    expérience. Avec ``logx``, l'abscisse est logarithmique et les points d'abscisse nulle
    (l'initialisation) sont omis : une échelle log ne peut pas les placer. ``legend=False``
    omet la légende (le panneau voisin d'une même figure la porte déjà).
    """
    for color_index, (name, series) in enumerate(runs.items()):
        color = f"C{color_index}"
        missing = [
            t
            for t in (*tags, *([x_tag] if x_tag else []))
            if t not in series
        ]
        if missing:
            raise ValueError(
                f"Expérience {name!r} : séries absentes du journal {missing}"
            )
        for style, tag in zip(("-", "--", ":", "-."), tags, strict=False):
            steps, values = series[tag]
            if x_tag is None:
                xs = steps
            else:
                x_steps, x_values = series[x_tag]
                if x_steps != steps:
                    raise ValueError(
                        f"{name!r} : {tag} et {x_tag} n'ont pas les mêmes pas"
                    )
                xs = x_values
            if logx:
                xs, values = zip(
                    *[
                        (x, v)
                        for x, v in zip(xs, values, strict=True)
                        if x > 0
                    ],
                    strict=True,
                )
            label = TAG_LABELS.get(tag, tag.split("/")[-1])
            ax.plot(
                xs, values, style, color=color, label=f"{name} — {label}"
            )
    ax.set_xlabel(X_LABELS.get(x_tag, x_tag or "époque"))
    ax.set_ylabel("MSE")
    if logy:
        ax.set_yscale("log")
    if logx:
        ax.set_xscale("log")
    french_log_axis(ax)  # exposants en texte, à la taille des graduations
    ax.grid(True, which="both", alpha=0.3)
    if legend:
        ax.legend()
    return ax


def legend_below(fig: Figure, ax: Axes, ncol: int = 2) -> None:
    """Une seule légende, sous les panneaux de ``fig`` (celle de ``ax``) : elle ne cache aucune courbe.

    Retire les légendes des axes et réserve la place en bas de la figure. Ne renvoie rien :
    appelée en fin de cellule, elle n'ajoute pas une seconde sortie à la figure.
    """
    if ncol < 1:
        raise ValueError(
            f"legend_below : ncol doit valoir au moins 1, reçu {ncol}"
        )
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        raise ValueError(
            "legend_below : l'axe donné n'a aucune courbe étiquetée"
        )
    for axis in fig.axes:
        if axis.get_legend() is not None:
            axis.get_legend().remove()
    legend = fig.legend(
        handles, labels, loc="lower center", ncol=ncol, frameon=False
    )
    # La place réservée est la hauteur mesurée de la légende : ni chevauchement, ni vide.
    height = (
        legend.get_window_extent(fig.canvas.get_renderer()).height
        / fig.bbox.height
    )
    fig.tight_layout(rect=(0, height, 1, 1))

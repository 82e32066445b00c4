"""Tests de tp2_src.style : des figures SVG à texte réel, lisibles à la largeur de la colonne."""

from __future__ import annotations

import io
import os
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest

from tp2_src.style import (
    MIN_FONT_PT,
    REPRODUCIBLE_METADATA,
    assert_legible,
    figure_bytes,
    french_log_axis,
    setup_chapter,
    use_book_style,
)


def test_assert_legible_refuses_small_text_and_wide_figures() -> None:
    """Garde-fou : la vérification échoue bien sur une figure illisible."""
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.set_title("titre", fontsize=6)
    with pytest.raises(ValueError, match="plus petits que"):
        assert_legible(fig)
    fig.set_figwidth(10)
    with pytest.raises(ValueError, match="10.00 pouces"):
        assert_legible(fig)
    plt.close(fig)


def test_book_style_writes_svg_with_real_text_and_stable_bytes() -> None:
    """Les figures du notebook (``figure_bytes``) : du texte réel en SVG, et ni le SVG ni
    le PDF ne portent de date ; deux tracés identiques donnent les mêmes octets."""
    with mpl.rc_context():
        use_book_style()
        outputs: dict[str, list] = {"svg": [], "pdf": []}
        for _ in range(2):
            fig, ax = plt.subplots()
            ax.plot([1, 2, 3])
            ax.set_title("∂ℓ/∂θ")
            for fmt, written in outputs.items():
                written.append(figure_bytes(fig, fmt))
            plt.close(fig)
    svgs, pdfs = outputs["svg"], outputs["pdf"]
    assert svgs[0] == svgs[1] and pdfs[0] == pdfs[1], "deux tracés identiques, deux fichiers"
    assert "<dc:date>" not in svgs[0], "le SVG porte une date"
    assert b"/CreationDate" not in pdfs[0], "le PDF porte une date"
    assert "<text" in svgs[0] and "∂ℓ/∂θ" in svgs[0]
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svgs[0])]
    assert sizes and min(sizes) >= MIN_FONT_PT


def test_without_the_book_metadata_a_figure_is_dated() -> None:
    """Le contrôle du test précédent : sans ``REPRODUCIBLE_METADATA``, matplotlib date
    chaque fichier (la date est donc bien ce que les métadonnées retirent)."""
    from IPython.core.pylabtools import print_figure

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    assert "<dc:date>" in print_figure(fig, "svg")
    assert b"/CreationDate" in print_figure(fig, "pdf")
    plt.close(fig)
    assert set(REPRODUCIBLE_METADATA) == {"svg", "pdf"}
    with pytest.raises(ValueError, match="format de figure 'png'"):
        figure_bytes(fig, "png")


def test_the_book_style_leaves_the_process_environment_alone() -> None:
    """Un étudiant appelle ``use_book_style`` dans son notebook : son environnement (et
    celui des tests qui construisent ensuite le livre) reste le même."""
    before = dict(os.environ)
    with mpl.rc_context():
        use_book_style()
    assert dict(os.environ) == before


def test_log_ticks_are_text_at_full_size() -> None:
    """Les puissances de dix s'écrivent « 10⁻⁶ » en texte, pas en mathtext réduit à 70 %."""
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.loglog([1e-10, 1e-1], [1e-9, 1.0])
    french_log_axis(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "10⁻⁴" in labels and not any("$" in label for label in labels)
    buffer = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg")
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", buffer.getvalue())]
    assert sizes and min(sizes) >= 9  # la taille des graduations, sans exposant réduit
    ax.set_yscale("linear")
    ax.set_ylim(18, 40)
    ax.set_yscale("log")
    french_log_axis(ax, which="y")
    fig.canvas.draw()
    minor = [t.get_text() for t in ax.get_yminorticklabels() if t.get_text()]
    assert "20" in minor and "30" in minor
    # Sur un peu plus de deux décades (0,3 à 60), les graduations secondaires restent écrites.
    ax.set_ylim(0.3, 60)
    fig.canvas.draw()
    minor = [t.get_text() for t in ax.get_yminorticklabels() if t.get_text()]
    assert {"0,3", "2", "20"} <= set(minor), minor
    # Une écriture par axe : en chiffres entre 0,001 et 99 999 (« 1 000 », « 10 000 », pas
    # « 10⁴ »), sinon en puissances de dix, 1 et 10 compris (« 10⁰ », « 10¹ »).
    ax.set_xlim(1, 5e4)
    fig.canvas.draw()
    major = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "1\u202f000" in major and "10\u202f000" in major and "10⁴" not in major, major
    ax.set_xlim(1e-4, 50)
    fig.canvas.draw()
    major = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert {"10⁻³", "10⁰", "10¹"} <= set(major) and "1" not in major and "0,001" not in major, major
    plt.close(fig)


def test_the_chapter_setup_shows_nothing_in_a_notebook(capsys: pytest.CaptureFixture[str]) -> None:
    """``setup_chapter()`` ne rend rien (une cellule de notebook n'affiche donc rien) ; dans
    un script, la valeur collée de l'environnement est écrite, comme toute valeur collée."""
    with mpl.rc_context():
        assert setup_chapter() is None
    assert capsys.readouterr().out.startswith("environnement = ")

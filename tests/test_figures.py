"""Tests de tp2_src.figures : ce que dessinent les figures, et qu'elles restent lisibles.

Chaque nombre écrit sur le graphe est comparé à autograd (``.grad`` des feuilles,
``torch.autograd.grad`` pour les nœuds internes), étape par étape. Les figures doivent
tenir dans la colonne (7 pouces) avec des textes d'au moins 8,5 pt, et leur SVG garder
le texte en texte.
"""

from __future__ import annotations

import io
import re

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
import torch
from matplotlib.text import Text
from test_graph import autoencoder, scalar_example

from tp2_src.figures import (
    COLUMN_WIDTH_IN,
    MIN_FONT_PT,
    check_legible,
    french_log_axis,
    function_split_figure,
    graph_figure,
    layered_layout,
    text_sizes,
    use_book_style,
)
from tp2_src.graph import autograd_graph, format_tensor, record_backward, reference_gradients


def texts(fig) -> set[str]:
    return {t.get_text() for t in fig.findobj(Text)}


@pytest.fixture
def traced():
    loss, leaves, values = autoencoder()
    graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    reference = reference_gradients(loss, {**leaves, **values, "ℓ": loss})
    with record_backward(graph) as steps:
        loss.backward()
    return graph, steps, reference, leaves


def test_every_node_shows_its_forward_value(traced) -> None:
    graph, _, _, _ = traced
    fig = graph_figure(graph)
    shown = texts(fig)
    for node, data in graph.nodes(data=True):
        value = format_tensor(data["value"])
        expected = value if data["kind"] == "leaf" else f"{node} = {value}"
        assert expected in shown, node
    plt.close(fig)


def test_every_frame_shows_autograds_gradients(traced) -> None:
    """Étape par étape : gradient reçu (= autograd), somme partielle, ou attente."""
    graph, steps, reference, leaves = traced
    for k in range(1, len(steps) + 1):
        fig = graph_figure(graph, steps=steps[:k])
        shown = texts(fig)
        done = {s.node for s in steps[:k]}
        for node in graph:
            if node == "ℓ":
                assert ("∂ℓ/∂ℓ = 1 (graine)" in shown) == (node in done)
                continue
            expected = reference[node]
            if graph.nodes[node]["kind"] == "leaf":
                torch.testing.assert_close(expected, leaves[node].grad, rtol=0, atol=0)
            line = f"∂ℓ/∂{node} = {format_tensor(expected)}"
            assert (line in shown) == (node in done), (k, node)
        plt.close(fig)
    # À l'étape 3, x a reçu le message de la soustraction : la moitié de ce qu'il attend.
    fig = graph_figure(graph, steps=steps[:3])
    sub_message = steps[2].grad_inputs[0]
    assert f"reçu 1/2 : {format_tensor(sub_message)}" in texts(fig)
    torch.testing.assert_close(sub_message, 2 * graph.nodes["r"]["value"])  # ∂(Σr²)/∂r
    plt.close(fig)


def test_scalar_figure_shows_the_numbers_of_chapter_1() -> None:
    loss, named = scalar_example()
    graph = autograd_graph(loss, leaves={k: named[k] for k in "abc"},
                           intermediates={"p": named["p"], "q": named["q"]})
    with record_backward(graph) as steps:
        loss.backward()
    shown = texts(graph_figure(graph, steps=steps))
    assert {"∂ℓ/∂a = −24", "∂ℓ/∂b = 16", "∂ℓ/∂c = 8", "∂ℓ/∂q = 8", "p = −6", "ℓ = 16"} <= shown
    plt.close("all")


def test_layout_goes_top_down_inside_the_column(traced) -> None:
    graph, _, _, _ = traced
    pos = layered_layout(graph)
    assert all(pos[u][0] < pos[v][0] for u, v in graph.edges())
    assert all(0 < x < COLUMN_WIDTH_IN for _, x in pos.values())
    assert len(set(pos.values())) == len(pos)


@pytest.mark.parametrize("make", [lambda g: graph_figure(g), lambda g: graph_figure(g, steps=[]),
                                  lambda g: function_split_figure()], ids=["graphe", "graphe-vide", "schema"])
def test_figures_are_legible_at_the_column_width(traced, make) -> None:
    graph, _, _, _ = traced
    fig = make(graph)
    check_legible(fig)
    assert fig.get_figwidth() <= COLUMN_WIDTH_IN
    assert min(size for _, size in text_sizes(fig)) >= MIN_FONT_PT
    plt.close(fig)


def test_check_legible_refuses_small_text_and_wide_figures() -> None:
    """Garde-fou : la vérification échoue bien sur une figure illisible."""
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.set_title("titre", fontsize=6)
    with pytest.raises(ValueError, match="plus petits que"):
        check_legible(fig)
    fig.set_figwidth(10)
    with pytest.raises(ValueError, match="10.00 pouces"):
        check_legible(fig)
    plt.close(fig)


def test_book_style_writes_svg_with_real_text_and_stable_bytes() -> None:
    with mpl.rc_context():
        use_book_style()
        svgs = []
        for _ in range(2):
            fig, ax = plt.subplots()
            ax.plot([1, 2, 3])
            ax.set_title("∂ℓ/∂θ")
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg")
            plt.close(fig)
            svgs.append(buffer.getvalue())
    assert svgs[0] == svgs[1], "deux tracés identiques doivent donner le même SVG"
    assert "<text" in svgs[0] and "∂ℓ/∂θ" in svgs[0]
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)px", svgs[0])]
    assert sizes and min(sizes) >= MIN_FONT_PT


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
    plt.close(fig)

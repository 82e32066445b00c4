"""Tests de tp2_src.graph_drawing : ce que dessinent les figures du graphe, et qu'elles restent lisibles.

Chaque nombre écrit sur le graphe est comparé à autograd (``.grad`` des feuilles,
``torch.autograd.grad`` pour les nœuds internes), étape par étape. Les figures doivent
tenir dans la colonne (7 pouces) avec des textes d'au moins 8,5 pt.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
import torch
from helpers import autoencoder, scalar_example
from matplotlib.colors import to_rgb
from matplotlib.text import Text

from tp2_src.graph import autograd_graph, format_tensor, record_backward, reference_gradients
from tp2_src.graph_drawing import (
    RED,
    STATEMENT_FUNCTIONS,
    function_split_figure,
    graph_figure,
    layered_layout,
    statement_figure,
)
from tp2_src.style import COLUMN_WIDTH_IN, MIN_FONT_PT, assert_legible, text_sizes


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
                assert ("∂ℓ/∂ℓ = 1 (gradient initial)" in shown) == (node in done)
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


def test_legend_describes_only_the_states_drawn(traced) -> None:
    """Avant la passe arrière, tout est gris ; à la fin, plus ni orange ni gris."""
    graph, steps, _, _ = traced

    def legend(k: int) -> str:
        fig = graph_figure(graph, steps=steps[:k])
        text = " | ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
        plt.close(fig)
        return text

    first, third, last = legend(0), legend(3), legend(len(steps))
    assert "gris" in first and "orange" not in first and "rouge" not in first
    assert "gris" in third and "orange" in third  # x attend son second message
    assert "gris" not in last and "orange" not in last and "texte rouge" in last


def test_scalar_figure_shows_the_numbers_of_chapter_1() -> None:
    loss, named = scalar_example()
    graph = autograd_graph(
        loss, leaves={k: named[k] for k in "abc"}, intermediates={"p": named["p"], "q": named["q"]}
    )
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


@pytest.mark.parametrize(
    "make",
    [
        lambda g: graph_figure(g),
        lambda g: graph_figure(g, steps=[]),
        lambda g: function_split_figure(),
        lambda g: statement_figure(g),
    ],
    ids=["graphe", "graphe-vide", "schema", "enonce"],
)
def test_figures_are_legible_at_the_column_width(traced, make) -> None:
    graph, _, _, _ = traced
    fig = make(graph)
    assert_legible(fig)
    assert fig.get_figwidth() <= COLUMN_WIDTH_IN
    assert min(size for _, size in text_sizes(fig)) >= MIN_FONT_PT
    plt.close(fig)


def test_statement_functions_cover_every_operation(traced) -> None:
    """Chaque opération du graphe appartient à une et une seule fonction de la figure 1."""
    graph, _, _, _ = traced
    grouped = [n for group in STATEMENT_FUNCTIONS.values() for n in group]
    assert len(grouped) == len(set(grouped))
    assert sorted(grouped) == sorted(n for n, op in graph.nodes(data="op") if op != "AccumulateGrad")


def test_statement_figure_reads_the_classes_in_the_graph(traced) -> None:
    """Sous chaque fonction, les classes des nœuds lues dans le graphe ; g en rouge."""
    graph, _, _, _ = traced
    fig = statement_figure(graph)
    shown = texts(fig)
    for function, nodes in STATEMENT_FUNCTIONS.items():
        ops = ", ".join(graph.nodes[n]["op"] for n in nodes)
        assert f"{function}\n{ops}" in shown, function
    assert {"x", "θ", "b₁", "b₂"} <= shown
    g = next(t for t in fig.findobj(Text) if t.get_text().startswith("linéaire : x̂"))
    assert g.get_bbox_patch().get_edgecolor()[:3] == pytest.approx(to_rgb(RED))
    # Un autre graphe (une autre classe d'opération) change l'étiquette : rien n'est écrit en dur.
    graph.nodes["s"]["op"] = "AbsBackward0"
    assert any("AbsBackward0" in t for t in texts(statement_figure(graph)))
    plt.close("all")

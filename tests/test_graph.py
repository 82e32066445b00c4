"""Tests de tp2_src.graph : parcours du graphe d'autograd et dessin."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tp2_src.graph import autograd_graph, draw_graph, layered_layout  # noqa: E402


def small_graph() -> tuple[nx.DiGraph, dict[str, torch.Tensor]]:
    """ℓ = sum(a * b) + sum(a), avec c constant (sans gradient) : nœuds connus d'avance."""
    a = torch.randn(3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    c = torch.randn(3)  # n'apparaît pas : pas de requires_grad
    prod = a * b * c
    out = prod.sum() + a.sum()
    return autograd_graph(out, leaves={"a": a, "b": b}, intermediates={"p": prod}), {"a": a}


def test_small_graph_has_the_expected_nodes_and_edges() -> None:
    graph, _ = small_graph()
    kinds = nx.get_node_attributes(graph, "kind")
    assert sorted(n for n, k in kinds.items() if k == "leaf") == ["a", "b"]
    assert [n for n, k in kinds.items() if k == "output"] == ["ℓ"]
    ops = sorted(d["op"] for _, d in graph.nodes(data=True) if d["kind"] == "op")
    assert ops == ["AddBackward0", "MulBackward0", "MulBackward0", "SumBackward0", "SumBackward0"]
    # a sert deux fois (produit et somme), b une fois ; c n'est pas dans le graphe.
    assert graph.out_degree("a") == 2 and graph.out_degree("b") == 1
    assert graph.number_of_nodes() == 8
    assert nx.is_directed_acyclic_graph(graph)
    roots = {n for n in graph if graph.in_degree(n) == 0}
    assert roots == {"a", "b"}
    # Le nœud qui produit le résultat intermédiaire nommé porte son nom.
    named = [d["label"] for _, d in graph.nodes(data=True) if d["label"].endswith("→ p")]
    assert len(named) == 1 and named[0].startswith("Mul")
    # Toutes les racines mènent au résultat.
    assert all(nx.has_path(graph, r, "ℓ") for r in roots)


def test_named_leaves_come_first_in_given_order() -> None:
    a = torch.randn(2, requires_grad=True)
    b = torch.randn(2, requires_grad=True)
    graph = autograd_graph((b * a).sum(), leaves={"b": b, "a": a})
    assert list(graph.nodes)[:2] == ["b", "a"]


def test_unnamed_leaf_gets_a_label_with_its_shape() -> None:
    a = torch.randn(2, 5, requires_grad=True)
    graph = autograd_graph(a.sum())
    leaves = [d for _, d in graph.nodes(data=True) if d["kind"] == "leaf"]
    assert len(leaves) == 1 and "(2×5)" in leaves[0]["label"]


def test_tensor_without_history_is_rejected() -> None:
    with pytest.raises(ValueError, match="pas de grad_fn"):
        autograd_graph(torch.ones(3).sum())
    a = torch.ones(3, requires_grad=True)
    with torch.no_grad(), pytest.raises(ValueError, match="no_grad"):
        autograd_graph(a.sum())


def test_layout_goes_left_to_right() -> None:
    graph, _ = small_graph()
    pos = layered_layout(graph)
    assert set(pos) == set(graph.nodes)
    assert all(pos[u][0] < pos[v][0] for u, v in graph.edges)
    assert len(set(pos.values())) == len(pos)  # aucun nœud superposé


def test_draw_graph_draws_every_node_and_edge() -> None:
    graph, _ = small_graph()
    fig, ax = plt.subplots()
    draw_graph(graph, ax=ax, highlight=["a"], title="test")
    texts = {t.get_text() for t in ax.texts}
    assert {d["label"] for _, d in graph.nodes(data=True)} <= texts
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == graph.number_of_edges()
    assert ax.get_title() == "test"
    plt.close(fig)

"""Tests de tp2_src.graph : le graphe relevé dans autograd et sa passe arrière pas à pas.

Chaque nombre relevé par les crochets est comparé à autograd lui-même (``.grad``,
``torch.autograd.grad``) et, pour le petit exemple scalaire du chapitre 1, aux valeurs
calculées à la main. Tolérance : égalité exacte ou arrondi du float64 (mêmes calculs).
"""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from helpers import autoencoder, scalar_example

from tp2_src.graph import (
    BackwardStep,
    assert_backward_matches,
    autograd_graph,
    format_tensor,
    messages_until,
    record_backward,
    reference_gradients,
    shape_text,
)


def test_scalar_graph_has_two_edges_for_a_value_used_twice() -> None:
    loss, named = scalar_example()
    graph = autograd_graph(
        loss, leaves={k: named[k] for k in "abc"}, intermediates={"p": named["p"], "q": named["q"]}
    )
    assert sorted(graph.nodes) == ["a", "b", "c", "p", "q", "ℓ"]
    assert graph.number_of_edges("q", "ℓ") == 2  # q * q : deux utilisations de q
    assert sorted(d["slot"] for _, _, d in graph.edges("q", data=True)) == [0, 1]
    assert graph.nodes["ℓ"]["kind"] == "output" and graph.nodes["a"]["kind"] == "leaf"
    assert graph.nodes["p"]["op"] == "MulBackward0" and graph.nodes["a"]["op"] == "AccumulateGrad"
    assert graph.nodes["q"]["value"].item() == 4.0 and graph.nodes["ℓ"]["value"].item() == 16.0
    assert list(graph.nodes)[:3] == ["a", "b", "c"]  # les feuilles nommées d'abord


def test_scalar_backward_matches_the_hand_computation() -> None:
    """Les gradients relevés dans autograd sont ceux calculés à la main au chapitre 1."""
    loss, named = scalar_example()
    graph = autograd_graph(
        loss, leaves={k: named[k] for k in "abc"}, intermediates={"p": named["p"], "q": named["q"]}
    )
    reference = reference_gradients(loss, {**named, "ℓ": loss})
    with record_backward(graph) as steps:
        loss.backward()
    received = {s.node: s.received.item() for s in steps}
    assert received == {"ℓ": 1.0, "q": 8.0, "p": 8.0, "c": 8.0, "a": -24.0, "b": 16.0}
    assert assert_backward_matches(graph, steps, reference) == 0.0
    # Le nœud ℓ = q·q envoie deux messages (q et q) qui s'additionnent en 2q.
    (first,) = [s for s in steps if s.node == "ℓ"]
    assert [g.item() for g in first.grad_inputs] == [4.0, 4.0]


def test_autoencoder_backward_order_and_numbers_are_autograds() -> None:
    loss, leaves, values = autoencoder()
    graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    reference = reference_gradients(loss, {**leaves, **values, "ℓ": loss})
    with record_backward(graph) as steps:
        loss.backward()
    # L'ordre d'exécution que décrivent les onglets du chapitre 1.
    assert [s.node for s in steps] == ["ℓ", "s", "r", "x̂", "b₂", "θᵀy", "θᵀ", "y", "b₁", "θx", "θ", "x"]
    assert assert_backward_matches(graph, steps, reference) <= 1e-12
    for name, leaf in leaves.items():
        (step,) = [s for s in steps if s.node == name]
        assert step.op == "AccumulateGrad"
        torch.testing.assert_close(step.received, leaf.grad, rtol=0, atol=0)
    # θ reçoit deux messages (transposition et produit θx), dont la somme est θ.grad.
    before = messages_until(graph, steps[: [s.node for s in steps].index("θ")])["θ"]
    assert len(before) == 2
    torch.testing.assert_close(before[0] + before[1], leaves["θ"].grad, rtol=1e-12, atol=1e-12)


def test_hooks_are_removed_after_the_block() -> None:
    loss, leaves, values = autoencoder()
    graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    with record_backward(graph) as steps:
        pass
    loss.backward()
    assert steps == []


def test_assert_backward_matches_catches_a_wrong_number() -> None:
    """Garde-fou : un gradient relevé modifié, ou une étape manquante, est refusé."""
    loss, leaves, values = autoencoder()
    graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    reference = reference_gradients(loss, {**leaves, **values, "ℓ": loss})
    with record_backward(graph) as steps:
        loss.backward()
    k = [s.node for s in steps].index("y")
    tampered = list(steps)
    wrong = steps[k].received * 1.001
    tampered[k] = BackwardStep(steps[k].node, steps[k].op, (wrong,), steps[k].grad_inputs)
    with pytest.raises(AssertionError, match="y"):
        assert_backward_matches(graph, tampered, reference)
    with pytest.raises(AssertionError, match="Nœuds exécutés"):
        assert_backward_matches(graph, steps[:-1], reference)
    swapped = [steps[1], steps[0], *steps[2:]]
    with pytest.raises(AssertionError, match="avant ses enfants"):
        assert_backward_matches(graph, swapped, reference)


def test_graph_is_acyclic_and_every_root_reaches_the_loss() -> None:
    loss, leaves, values = autoencoder()
    graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    assert nx.is_directed_acyclic_graph(graph)
    roots = {n for n in graph if graph.in_degree(n) == 0}
    assert roots == set(leaves)
    assert all(nx.has_path(graph, r, "ℓ") for r in roots)
    assert graph.out_degree("θ") == 2 and graph.out_degree("x") == 2


def test_unnamed_nodes_get_their_class_and_constants_are_left_out() -> None:
    a = torch.randn(2, 5, requires_grad=True)
    const = torch.randn(2, 5)  # sans requires_grad : pas de nœud
    graph = autograd_graph((a * const).sum())
    kinds = dict(graph.nodes(data="kind"))
    assert sorted(kinds.values()) == ["leaf", "op", "output"]
    leaf = next(n for n, k in kinds.items() if k == "leaf")
    assert leaf == "feuille 2×5"
    assert any(n.startswith("MulBackward0#") for n in graph)


def test_format_tensor_and_shape_text() -> None:
    assert format_tensor(torch.tensor(16.0)) == "16"
    assert format_tensor(torch.tensor([1.5, -2.25, 3.0])) == "[1,5 ; −2,25 ; …]"
    assert format_tensor(torch.tensor([[0.001234, 2.0]]), digits=2) == "[0,0012 ; 2]"
    assert format_tensor(torch.tensor([1e-5, 2.0]), max_items=1) == "[10⁻⁵ ; …]"
    assert format_tensor(torch.tensor([-2.5e-7, 2.0]), max_items=1) == "[−2,5 × 10⁻⁷ ; …]"
    assert shape_text(torch.zeros(2, 4)) == "2×4" and shape_text(torch.tensor(1.0)) == "scalaire"


@pytest.mark.parametrize("example", ["scalaire", "auto-encodeur"])
def test_execution_order_follows_the_two_rules_of_chapter_1(example: str) -> None:
    """Un nœud part quand tous ses enfants sont passés ; parmi les prêts, le plus grand
    numéro de création (sequence_nr) d'abord, les AccumulateGrad ayant le numéro maximal."""
    if example == "scalaire":
        loss, named = scalar_example()
        leaves = {k: named[k] for k in "abc"}
        graph = autograd_graph(loss, leaves=leaves, intermediates={"p": named["p"], "q": named["q"]})
    else:
        loss, leaves, values = autoencoder()
        graph = autograd_graph(loss, leaves=leaves, intermediates=values)
    with record_backward(graph) as steps:
        loss.backward()
    numbers = dict(graph.nodes(data="sequence_nr"))
    assert all(numbers[n] == 2**64 - 1 for n in leaves)
    done: set[str] = set()
    for step in steps:
        ready = {n for n in graph if n not in done and set(graph.successors(n)) <= done}
        assert step.node in ready
        assert numbers[step.node] == max(numbers[n] for n in ready), (step.node, ready)
        done.add(step.node)

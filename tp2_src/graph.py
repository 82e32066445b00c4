"""Le graphe de calcul qu'autograd enregistre, et sa passe arrière pas à pas (chapitre 1).

``autograd_graph`` parcourt ``grad_fn.next_functions`` depuis le résultat et renvoie un
graphe networkx dont les arêtes vont dans le sens du calcul (des entrées vers le
résultat) ; ``next_functions``, lui, pointe à rebours, du résultat vers les entrées.

``record_backward`` pose un crochet (*hook*) sur chaque nœud de ce graphe : pendant
``backward()``, autograd lui-même note, dans l'ordre où il les exécute, le gradient que
chaque nœud reçoit et ceux qu'il envoie à ses parents. Rien n'est recalculé à la main.
Le dessin de ces graphes est dans ``tp2_src.graph_drawing``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import networkx as nx
import torch

from tp2_src.french import french_number

#: Sortes de nœuds : feuille (nœud ``AccumulateGrad``), opération, résultat.
KINDS = ("leaf", "op", "output")


def shape_text(t: torch.Tensor) -> str:
    """Forme lisible : ``"2×4"``, ou ``"scalaire"`` pour un tenseur de dimension 0."""
    if not isinstance(t, torch.Tensor):
        raise ValueError(
            f"shape_text attend un tenseur ; reçu {type(t).__name__}"
        )
    return "×".join(str(s) for s in t.shape) if t.dim() else "scalaire"


def format_tensor(
    t: torch.Tensor, max_items: int = 2, digits: int = 3
) -> str:
    """Quelques coordonnées de ``t`` à la française : ``"[0,531 ; −1,2 ; …]"``.

    Un tenseur d'un seul élément donne un nombre ; sinon les ``max_items`` premières
    coordonnées de ``t`` aplati (ligne par ligne), suivies de « … » s'il en reste.
    """
    if not isinstance(t, torch.Tensor):
        raise ValueError(
            f"format_tensor attend un tenseur ; reçu {type(t).__name__}"
        )
    if t.numel() == 0:
        raise ValueError("format_tensor : tenseur vide, rien à afficher")
    if max_items < 1 or digits < 1:
        raise ValueError(
            f"max_items et digits doivent être ≥ 1 ; reçu {max_items}, {digits}"
        )
    values = t.detach().reshape(-1).tolist()

    def one(v: float) -> str:
        return french_number(v, f".{digits}g").replace("-", "−")

    if len(values) == 1:
        return one(values[0])
    shown = " ; ".join(one(v) for v in values[:max_items])
    return f"[{shown}{' ; …' if len(values) > max_items else ''}]"


def autograd_graph(
    output: torch.Tensor,
    leaves: Mapping[str, torch.Tensor] | None = None,
    intermediates: Mapping[str, torch.Tensor] | None = None,
    output_name: str = "ℓ",
) -> nx.MultiDiGraph:
    """Graphe orienté du calcul de ``output`` tel qu'autograd l'a enregistré.

    Un nœud par nœud d'autograd : les feuilles (nœuds ``AccumulateGrad``) sont nommées
    par ``leaves`` (``{"θ": theta}``), les opérations qui produisent un tenseur de
    ``intermediates`` (``{"y": y}``) par ce nom, le nœud qui produit ``output`` par
    ``output_name`` ; les autres par leur classe (``"MvBackward0#3"``). Une arête va d'un
    parent vers l'opération qui l'utilise, une fois par utilisation (``d * d`` donne deux
    arêtes), avec l'attribut ``slot`` : sa place dans ``next_functions``.

    Attributs des nœuds : ``kind`` (``"leaf"``, ``"op"`` ou ``"output"``), ``op`` (classe
    du nœud, par exemple ``"MvBackward0"`` ou ``"AccumulateGrad"``), ``name`` (nom donné,
    ou ``None``), ``value`` (copie de la valeur calculée, ou ``None`` si on ne la connaît
    pas), ``tensor`` (le tenseur lui-même, ou ``None``), ``fn`` (le nœud d'autograd) et
    ``sequence_nr``, son numéro de création : autograd exécute d'abord, parmi les nœuds
    prêts, celui dont le numéro est le plus grand ; les ``AccumulateGrad`` ont le plus grand
    numéro possible (2⁶⁴ − 1).

    Lève ``ValueError`` si ``output`` n'a pas de ``grad_fn`` (aucun graphe enregistré),
    ou si un tenseur de ``intermediates`` n'en a pas.
    """
    if not isinstance(output, torch.Tensor):
        raise ValueError(
            f"autograd_graph attend un tenseur ; reçu {type(output).__name__}"
        )
    if output.grad_fn is None:
        raise ValueError(
            "Ce tenseur n'a pas de grad_fn : aucun graphe n'a été enregistré "
            "(aucune entrée avec requires_grad=True, ou calcul sous torch.no_grad())."
        )
    leaves = dict(leaves or {})
    intermediates = dict(intermediates or {})
    without_history = [
        name for name, t in intermediates.items() if t.grad_fn is None
    ]
    if without_history:
        raise ValueError(
            f"Ces résultats intermédiaires n'ont pas de grad_fn : {without_history}"
        )
    named_leaves = {id(t): (name, t) for name, t in leaves.items()}
    named_values = {
        id(t.grad_fn): (name, t) for name, t in intermediates.items()
    }
    named_values[id(output.grad_fn)] = (output_name, output)

    graph = nx.MultiDiGraph()
    keys: dict[int, str] = {}

    def key_of(fn: torch.autograd.graph.Node) -> str:
        if id(fn) in keys:
            return keys[id(fn)]
        variable = getattr(fn, "variable", None)
        op = type(fn).__name__
        if (
            variable is not None
        ):  # AccumulateGrad : déposera le gradient dans variable.grad
            name, _ = named_leaves.get(
                id(variable), (f"feuille {shape_text(variable)}", None)
            )
            key, tensor, kind = name, variable, "leaf"
        elif id(fn) in named_values:
            name, tensor = named_values[id(fn)]
            key, kind = name, "output" if fn is output.grad_fn else "op"
        else:
            name, tensor, kind = None, None, "op"
            key = f"{op}#{len(keys)}"
        value = None if tensor is None else tensor.detach().clone()
        graph.add_node(
            key,
            kind=kind,
            op=op,
            name=name,
            value=value,
            tensor=tensor,
            fn=fn,
            sequence_nr=fn._sequence_nr(),
        )
        keys[id(fn)] = key
        return key

    # Parcours en largeur : les nœuds sont inscrits du résultat vers les feuilles.
    todo, seen = [output.grad_fn], {id(output.grad_fn)}
    key_of(output.grad_fn)
    while todo:
        fn = todo.pop(0)
        for slot, (parent, _) in enumerate(fn.next_functions):
            if (
                parent is None
            ):  # entrée qui n'exige pas de gradient (une constante)
                continue
            graph.add_edge(key_of(parent), key_of(fn), slot=slot)
            if id(parent) not in seen:
                seen.add(id(parent))
                todo.append(parent)
    # Les feuilles nommées d'abord, dans l'ordre donné : le dessin les range ainsi.
    ordered = nx.MultiDiGraph()
    ordered.add_nodes_from(
        (n, graph.nodes[n]) for n in leaves if n in graph
    )
    ordered.add_nodes_from(
        (n, d)
        for n, d in reversed(list(graph.nodes(data=True)))
        if n not in ordered
    )
    ordered.add_edges_from(graph.edges(keys=True, data=True))
    return ordered


@dataclass(frozen=True)
class BackwardStep:
    """Une exécution de nœud pendant ``backward()``, relevée par un crochet d'autograd.

    ``grad_outputs`` : les gradients que le nœud reçoit, ∂ℓ/∂(chacune de ses sorties) —
    pour un ``AccumulateGrad``, ce qu'il ajoute à ``.grad``. ``grad_inputs`` : ceux qu'il
    envoie à ses parents, un par entrée, dans l'ordre de ``next_functions`` (``None`` pour
    une entrée sans gradient).
    """

    node: str
    op: str
    grad_outputs: tuple[torch.Tensor | None, ...]
    grad_inputs: tuple[torch.Tensor | None, ...]

    @property
    def received(self) -> torch.Tensor:
        """Le gradient reçu (le nœud n'a qu'une sortie dans les graphes du livre)."""
        (grad,) = self.grad_outputs
        if grad is None:
            raise ValueError(
                f"Le nœud {self.node} n'a reçu aucun gradient"
            )
        return grad


def _copy(
    grads: Sequence[torch.Tensor | None],
) -> tuple[torch.Tensor | None, ...]:
    return tuple(None if g is None else g.detach().clone() for g in grads)


@contextmanager
def record_backward(
    graph: nx.MultiDiGraph,
) -> Iterator[list[BackwardStep]]:
    """Relève, pendant un ``backward()`` lancé dans le bloc, chaque nœud exécuté.

    ::

        with record_backward(graph) as steps:
            loss.backward()

    ``steps`` reçoit un ``BackwardStep`` par nœud, dans l'ordre d'exécution d'autograd.
    Les crochets sont retirés à la sortie du bloc, même en cas d'erreur.
    """
    if not isinstance(graph, nx.MultiDiGraph) or any(
        "fn" not in d for _, d in graph.nodes(data=True)
    ):
        raise ValueError(
            "record_backward attend le graphe renvoyé par autograd_graph"
        )
    steps: list[BackwardStep] = []
    handles = []
    for key, data in graph.nodes(data=True):

        def hook(
            grad_inputs, grad_outputs, key=key, op=data["op"]
        ) -> None:
            steps.append(
                BackwardStep(
                    key, op, _copy(grad_outputs), _copy(grad_inputs)
                )
            )

        handles.append(data["fn"].register_hook(hook))
    try:
        yield steps
    finally:
        for handle in handles:
            handle.remove()


def reference_gradients(
    output: torch.Tensor, tensors: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """∂``output``/∂t pour chaque tenseur t de ``tensors`` (``{nom: tenseur}``).

    Calculé par ``torch.autograd.grad``, qui ne touche pas à ``.grad``, en gardant le
    graphe : à appeler *avant* le ``backward()`` relevé par ``record_backward``, avec les
    noms donnés à ``autograd_graph``.
    """
    if not tensors:
        raise ValueError("reference_gradients : aucun tenseur à dériver")
    if output.grad_fn is None:
        raise ValueError(
            "reference_gradients : la sortie n'a pas de graphe (pas de grad_fn)"
        )
    grads = torch.autograd.grad(
        output,
        list(tensors.values()),
        retain_graph=True,
        allow_unused=True,
    )
    return {
        k: g.detach().clone()
        for k, g in zip(tensors, grads, strict=True)
        if g is not None
    }


def messages_until(
    graph: nx.MultiDiGraph, steps: Sequence[BackwardStep]
) -> dict[str, list[torch.Tensor]]:
    """Les gradients déjà envoyés à chaque nœud par ses enfants exécutés dans ``steps``."""
    strangers = sorted({s.node for s in steps} - set(graph.nodes))
    if strangers:
        raise ValueError(
            f"Étapes sur des nœuds absents du graphe : {strangers}"
        )
    received: dict[str, list[torch.Tensor]] = {n: [] for n in graph}
    for step in steps:
        for parent, _, data in graph.in_edges(step.node, data=True):
            grad = (
                step.grad_inputs[data["slot"]]
                if data["slot"] < len(step.grad_inputs)
                else None
            )
            if grad is not None:
                received[parent].append(grad)
    return received


def assert_backward_matches(
    graph: nx.MultiDiGraph,
    steps: Sequence[BackwardStep],
    reference: Mapping[str, torch.Tensor],
    rtol: float = 1e-12,
    atol: float = 1e-12,
) -> float:
    """Vérifie chaque nombre relevé pendant la passe arrière ; renvoie le plus grand écart.

    - chaque nœud du graphe a été exécuté une fois et une seule ;
    - le gradient reçu par un nœud nommé est celui que ``reference`` (calculé par
      ``torch.autograd.grad``) donne pour son tenseur ;
    - un nœud ne s'exécute qu'après tous ses enfants, et ce qu'il reçoit est la somme des
      messages qu'ils lui ont envoyés ;
    - pour une feuille, ce qui est reçu est ce qui se trouve dans ``.grad``.

    Lève ``AssertionError`` en nommant le nœud fautif. Tolérances par défaut : celles du
    float64 (les deux calculs suivent le même chemin dans autograd).
    """
    order = [s.node for s in steps]
    if sorted(order) != sorted(graph.nodes) or len(set(order)) != len(
        order
    ):
        raise AssertionError(
            f"Nœuds exécutés {order} ≠ nœuds du graphe {sorted(graph.nodes)}"
        )
    worst = 0.0
    for k, step in enumerate(steps):
        received = step.received
        children = {child for _, child in graph.out_edges(step.node)}
        not_yet = children - set(order[:k])
        if not_yet:
            raise AssertionError(
                f"{step.node} exécuté avant ses enfants {sorted(not_yet)}"
            )
        messages = messages_until(graph, steps[:k])[step.node]
        if messages:
            total = torch.stack(messages).sum(0).reshape(received.shape)
            torch.testing.assert_close(
                received,
                total,
                rtol=rtol,
                atol=atol,
                msg=lambda m, n=step.node: (
                    f"{n} : reçu ≠ somme des messages\n{m}"
                ),
            )
        checks = [reference.get(step.node)]
        tensor = graph.nodes[step.node]["tensor"]
        if (
            graph.nodes[step.node]["kind"] == "leaf"
            and tensor is not None
            and tensor.grad is not None
        ):
            checks.append(tensor.grad)
        for expected in (c for c in checks if c is not None):
            torch.testing.assert_close(
                received,
                expected.reshape(received.shape),
                rtol=rtol,
                atol=atol,
                msg=lambda m, n=step.node: (
                    f"{n} : gradient relevé ≠ autograd\n{m}"
                ),
            )
            worst = max(
                worst,
                (received - expected.reshape(received.shape))
                .abs()
                .max()
                .item(),
            )
    return worst

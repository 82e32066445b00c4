"""Le graphe de calcul qu'autograd enregistre, parcouru puis dessiné (chapitre 1).

torchviz demanderait le binaire Graphviz ``dot``, absent d'une machine neuve : on parcourt
donc ``grad_fn.next_functions`` nous-mêmes et on dessine avec networkx et matplotlib.

Dans le graphe renvoyé, les arêtes vont dans le sens du calcul (des entrées vers le
résultat) ; la rétropropagation les parcourt à l'envers, comme ``next_functions``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib.pyplot as plt
import networkx as nx
import torch
from matplotlib.axes import Axes
from matplotlib.patches import Patch

#: Couleur de chaque sorte de nœud : entrées/paramètres (racines), opérations, valeurs
#: intermédiaires, résultat (nœud terminal).
KIND_COLORS: dict[str, str] = {
    "leaf": "#8fd19e",
    "op": "#cfe2ff",
    "value": "#fff3bf",
    "output": "#f8c291",
}
HIGHLIGHT_COLOR = "#e03131"
NODE_SIZE = 2500
KIND_LEGEND: dict[str, str] = {
    "leaf": "entrée / paramètre (racine)",
    "op": "opération",
    "value": "valeur intermédiaire",
    "output": "résultat (nœud terminal)",
}


def _shape(t: torch.Tensor) -> str:
    return "×".join(str(s) for s in t.shape) if t.dim() else "scalaire"


def autograd_graph(
    output: torch.Tensor,
    leaves: Mapping[str, torch.Tensor] | None = None,
    intermediates: Mapping[str, torch.Tensor] | None = None,
    output_name: str = "ℓ",
) -> nx.DiGraph:
    """Graphe orienté du calcul de ``output`` tel qu'autograd l'a enregistré.

    ``leaves`` nomme les feuilles (``{"θ": theta, ...}``) ; une feuille non nommée est
    désignée par sa forme. ``intermediates`` nomme des résultats intermédiaires : le nœud
    d'opération qui les produit porte alors ce nom. Attributs des nœuds : ``kind``
    (``"leaf"``, ``"op"`` ou ``"output"``), ``label`` (texte affiché) et, pour les
    opérations, ``op`` (nom de la classe, par exemple ``"MvBackward0"``).

    Lève ``ValueError`` si ``output`` n'a pas de ``grad_fn`` (aucun graphe enregistré).
    """
    if not isinstance(output, torch.Tensor):
        raise ValueError(f"autograd_graph attend un tenseur ; reçu {type(output).__name__}")
    if output.grad_fn is None:
        raise ValueError(
            "Ce tenseur n'a pas de grad_fn : aucun graphe n'a été enregistré "
            "(aucune entrée avec requires_grad=True, ou calcul sous torch.no_grad())."
        )
    leaf_names = {id(t): name for name, t in (leaves or {}).items()}
    value_names = {id(t.grad_fn): name for name, t in (intermediates or {}).items() if t.grad_fn is not None}
    graph = nx.DiGraph()
    keys: dict[int, str] = {}
    alive: list[object] = []  # garde les nœuds en vie : id() reste unique pendant le parcours

    def key_of(fn: object) -> str:
        if id(fn) in keys:
            return keys[id(fn)]
        alive.append(fn)
        variable = getattr(fn, "variable", None)
        if variable is not None:  # AccumulateGrad : une feuille qui recevra .grad
            name = leaf_names.get(id(variable), f"feuille {len(keys)}")
            key = name
            graph.add_node(key, kind="leaf", label=f"{name}\n({_shape(variable)})")
        else:
            op = type(fn).__name__
            key = f"{op}#{len(keys)}"
            # Coupé en deux lignes pour tenir dans la case : « Mv » / « Backward0 ».
            label = op.replace("Backward", "\nBackward")
            if id(fn) in value_names:
                label += f"\n→ {value_names[id(fn)]}"
            graph.add_node(key, kind="op", op=op, label=label)
        keys[id(fn)] = key
        return key

    stack = [output.grad_fn]
    graph.add_node(output_name, kind="output", label=f"{output_name}\n({_shape(output)})")
    graph.add_edge(key_of(output.grad_fn), output_name)
    done: set[int] = set()
    while stack:
        fn = stack.pop()
        if id(fn) in done:
            continue
        done.add(id(fn))
        for parent, _ in fn.next_functions:
            if parent is None:  # entrée qui n'exige pas de gradient
                continue
            graph.add_edge(key_of(parent), key_of(fn))
            stack.append(parent)
    # Les feuilles nommées d'abord, dans l'ordre donné : le dessin les empile ainsi.
    named = [n for n in (leaves or {}) if n in graph]
    ordered = nx.DiGraph()
    ordered.add_nodes_from((n, graph.nodes[n]) for n in named)
    ordered.add_nodes_from((n, d) for n, d in graph.nodes(data=True) if n not in ordered)
    ordered.add_edges_from(graph.edges)
    return ordered


def _shape_of(kind: str) -> str:
    """Carré pour une opération, disque pour une valeur."""
    return "s" if kind == "op" else "o"


def layered_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions (couche, rang) : une colonne par génération topologique.

    La première colonne garde l'ordre des nœuds du graphe ; dans les suivantes, chaque
    nœud est placé à la hauteur moyenne de ses prédécesseurs (heuristique du barycentre),
    ce qui évite la plupart des croisements d'arêtes.
    """
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("Le graphe doit être orienté et acyclique (DAG).")
    order = {n: i for i, n in enumerate(graph.nodes)}
    generations = [list(g) for g in nx.topological_generations(graph)]
    layer_of = {n: i for i, g in enumerate(generations) for n in g}
    # Une racine se place juste avant son premier consommateur (b₂ près de x̂) : moins
    # d'arêtes longues ; les racines du premier consommateur restent en colonne 0.
    for node in generations[0][:]:
        first = min((layer_of[s] for s in graph.successors(node)), default=1)
        if first > 1:
            generations[0].remove(node)
            generations[first - 1].append(node)
    pos: dict[str, tuple[float, float]] = {}
    for layer, nodes in enumerate(generations):
        if layer == 0 or not any(graph.in_degree(n) for n in nodes):
            nodes = sorted(nodes, key=order.__getitem__)
        else:
            nodes = sorted(
                nodes,
                key=lambda n: (
                    -sum(pos[p][1] for p in graph.predecessors(n)) / max(graph.in_degree(n), 1),
                    order[n],
                ),
            )
        for rank, node in enumerate(nodes):
            pos[node] = (float(layer), (len(nodes) - 1) / 2 - rank)  # le premier en haut
    return pos


def draw_graph(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    highlight: Iterable[str] = (),
    title: str | None = None,
) -> Axes:
    """Dessine ``graph`` de gauche (racines) à droite (résultat), une couche par génération.

    Chaque nœud doit avoir un attribut ``kind`` parmi ``KIND_COLORS`` ; ``label`` est
    facultatif. Les nœuds de ``highlight`` sont cerclés de rouge.
    """
    unknown = {n: d.get("kind") for n, d in graph.nodes(data=True) if d.get("kind") not in KIND_COLORS}
    if unknown:
        raise ValueError(f"Sorte de nœud inconnue (attendu {sorted(KIND_COLORS)}) : {unknown}")
    highlight = set(highlight)
    missing = highlight - set(graph.nodes)
    if missing:
        raise ValueError(f"Nœuds à mettre en évidence absents du graphe : {sorted(missing)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(11, 5))
    pos = layered_layout(graph)
    layer = {n: round(p[0]) for n, p in pos.items()}
    for kind, color in KIND_COLORS.items():
        nodes = [n for n, d in graph.nodes(data=True) if d["kind"] == kind]
        if not nodes:
            continue
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=nodes,
            ax=ax,
            node_color=color,
            node_size=NODE_SIZE,
            node_shape=_shape_of(kind),
            edgecolors=[HIGHLIGHT_COLOR if n in highlight else "#333" for n in nodes],
            linewidths=[3.0 if n in highlight else 1.0 for n in nodes],
        )
    groups: dict[tuple[float, str], list[tuple[str, str]]] = {}
    for u, v in graph.edges:
        rad = 0.0
        if layer[v] - layer[u] > 1:
            # Une arête qui saute des couches passerait sous les nœuds : on la courbe vers
            # l'extérieur du dessin (vers le haut si elle part du haut, sinon vers le bas).
            rad = -0.3 if pos[u][1] + pos[v][1] >= 0 else 0.3
        groups.setdefault((rad, _shape_of(graph.nodes[v]["kind"])), []).append((u, v))
    for (rad, shape), edges in groups.items():
        nx.draw_networkx_edges(
            graph,
            pos,
            edgelist=edges,
            ax=ax,
            arrows=True,
            arrowsize=14,
            node_size=NODE_SIZE,
            node_shape=shape,
            edge_color="#555",
            connectionstyle=f"arc3,rad={rad}",
        )
    labels = {n: d.get("label", str(n)) for n, d in graph.nodes(data=True)}
    nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=7.5)
    present = {d["kind"] for _, d in graph.nodes(data=True)}
    ax.legend(
        handles=[Patch(color=KIND_COLORS[k], label=v) for k, v in KIND_LEGEND.items() if k in present],
        loc="lower center",
        bbox_to_anchor=(0.5, -0.15),
        ncol=len(present),
        fontsize=8,
        frameon=False,
    )
    ax.set_axis_off()
    ax.margins(0.08)
    if title:
        ax.set_title(title)
    return ax

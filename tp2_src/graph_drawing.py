"""Dessiner un graphe d'autograd et la fonction isolée de son graphe (chapitre 1).

``graph_figure`` dessine un graphe d'autograd (``tp2_src.graph``) de haut en bas : les
feuilles en haut, le résultat en bas, chaque nœud avec la valeur qu'il a calculée et,
pendant la passe arrière, le gradient qu'il a reçu. ``function_split_figure`` dessine la
fonction g isolée entre son amont f et son aval L, avec les messages de la passe arrière.
Les figures suivent le style du livre (``tp2_src.style``) : largeur de la colonne, textes
lisibles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib.pyplot as plt
import networkx as nx
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnnotationBbox, TextArea, VPacker
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from matplotlib.text import Text

from tp2_src.graph import (
    KINDS,
    BackwardStep,
    format_tensor,
    messages_until,
    shape_text,
)
from tp2_src.style import COLUMN_WIDTH_IN

KIND_COLORS: dict[str, str] = {
    "leaf": "#d3f9d8",
    "op": "#dbe4ff",
    "output": "#ffe8cc",
}
KIND_LEGEND: dict[str, str] = {
    "leaf": "feuille (AccumulateGrad → .grad)",
    "op": "opération (sa valeur calculée)",
    "output": "résultat {output}",
}
RED = "#c92a2a"
ORANGE = "#d9480f"
GREY = "#5c636a"
EDGE = "#495057"
LINE_PT = 9  # taille du texte dans les nœuds


ROW_IN = 0.95  # distance entre deux couches
SLOT_IN = 2.25  # distance minimale entre deux nœuds d'une même couche


def layered_layout(
    graph: nx.MultiDiGraph, width: float = COLUMN_WIDTH_IN
) -> dict[str, tuple[int, float]]:
    """Couche (0 en haut) et abscisse (pouces) de chaque nœud.

    Couche d'un nœud : le plus tard possible, juste au-dessus de son premier consommateur
    (b₂ près de x̂, θᵀ près du produit qui l'utilise) ; le résultat est en bas. Dans une couche,
    chaque nœud est placé sous la moyenne de ses voisins (heuristique du barycentre, qui
    évite la plupart des croisements), à ``SLOT_IN`` pouces au moins de ses voisins.
    """
    if graph.number_of_nodes() == 0:
        raise ValueError("Le graphe est vide : rien à placer")
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("Le graphe doit être orienté et acyclique (DAG).")
    depth: dict[str, int] = {}
    for node in nx.topological_sort(graph):
        depth[node] = max(
            (depth[p] + 1 for p in graph.predecessors(node)), default=0
        )
    bottom = max(depth.values())
    layer: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        layer[node] = min(
            (layer[c] - 1 for c in graph.successors(node)), default=bottom
        )
    rows: dict[int, list[str]] = {}
    for node in graph:  # ordre du graphe : les feuilles nommées d'abord
        rows.setdefault(layer[node], []).append(node)
    x = {
        n: (i + 0.5) * SLOT_IN
        for row in rows.values()
        for i, n in enumerate(row)
    }

    low, high = (
        SLOT_IN / 2 + 0.25,
        width - SLOT_IN / 2 - 0.25,
    )  # place pour une gouttière
    widest = max(len(row) for row in rows.values())
    if (widest - 1) * SLOT_IN > high - low + 1e-9:
        raise ValueError(
            f"Graphe trop large pour {width} pouces : une couche a {widest} nœuds"
        )

    def place(row: list[str], wanted: dict[str, float]) -> None:
        row.sort(key=lambda n: wanted[n])
        pos = [min(max(wanted[n], low), high) for n in row]
        for i in range(1, len(pos)):
            pos[i] = max(pos[i], pos[i - 1] + SLOT_IN)
        pos[-1] = min(pos[-1], high)
        for i in range(
            len(pos) - 2, -1, -1
        ):  # on repousse à gauche ce qui déborde à droite
            pos[i] = min(pos[i], pos[i + 1] - SLOT_IN)
        for n, p in zip(row, pos, strict=True):
            x[n] = p

    for _ in range(4):  # quelques passes vers le bas puis vers le haut
        for depth in sorted(rows):
            place(
                rows[depth],
                {
                    n: _mean(
                        [x[p] for p in graph.predecessors(n)]
                        or [x[c] for c in graph.successors(n)],
                        x[n],
                    )
                    for n in rows[depth]
                },
            )
        for depth in sorted(rows, reverse=True):
            place(
                rows[depth],
                {
                    n: _mean(
                        [x[c] for c in graph.successors(n)]
                        or [x[p] for p in graph.predecessors(n)],
                        x[n],
                    )
                    for n in rows[depth]
                },
            )
    shift = (
        width / 2 - (min(x.values()) + max(x.values())) / 2
    )  # le dessin centré
    return {n: (layer[n], x[n] + shift) for n in graph}


def _mean(values: Sequence[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _node_lines(
    graph: nx.MultiDiGraph,
    node: str,
    steps: Sequence[BackwardStep] | None,
    received: list[torch.Tensor],
    output: str = "ℓ",
) -> list[tuple[str, str, str]]:
    """Lignes (texte, couleur, graisse) de la case d'un nœud ; ``output`` : le nom du résultat."""
    data = graph.nodes[node]
    name, value = data["name"], data["value"]
    if data["kind"] == "leaf":
        lines = [(f"{name} ({shape_text(value)})", "black", "bold")]
        lines.append((format_tensor(value), "black", "normal"))
    else:
        lines = [(data["op"], "black", "bold")]
        if value is not None:
            lines.append(
                (f"{name} = {format_tensor(value)}", "black", "normal")
            )
    if steps is None:
        return lines
    done = {s.node: s for s in steps}
    label = f"∂{output}/∂{name}" if name else "gradient"
    if node in done:
        grad = done[node].received
        initial = f"∂{output}/∂{output} = 1 (gradient initial)"
        text = (
            initial
            if data["kind"] == "output"
            else f"{label} = {format_tensor(grad)}"
        )
        lines.append((text, RED, "bold"))
    elif received:
        expected = graph.out_degree(node)
        total = torch.stack(
            [m.reshape(received[0].shape) for m in received]
        ).sum(0)
        lines.append(
            (
                f"reçu {len(received)}/{expected} : {format_tensor(total)}",
                ORANGE,
                "bold",
            )
        )
    else:
        lines.append((f"{label} : en attente", GREY, "normal"))
    return lines


def _canvas(width: float, height: float) -> tuple[Figure, Axes]:
    """Une figure de ``width`` × ``height`` pouces, sans axes, dont les coordonnées sont en pouces."""
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


def graph_figure(
    graph: nx.MultiDiGraph,
    steps: Sequence[BackwardStep] | None = None,
    title: str | None = None,
    highlight: Iterable[str] = (),
    width: float = COLUMN_WIDTH_IN,
    current: bool = True,
) -> Figure:
    """Dessine ``graph`` de haut (feuilles) en bas (résultat) ; renvoie la figure.

    Chaque case donne la classe du nœud d'autograd et la valeur qu'il a calculée (les
    premières coordonnées). Si ``steps`` est donné (les premières étapes relevées par
    ``record_backward``), chaque case dit aussi où en est sa passe arrière : le gradient
    reçu (en rouge) si le nœud s'est exécuté, la somme des messages déjà arrivés (en
    orange) s'il en attend d'autres ; le dernier nœud exécuté est encadré de rouge, et les
    arêtes par lesquelles un gradient est déjà redescendu sont rouges. Les flèches vont
    dans le sens du calcul ; les gradients les parcourent à rebours. ``current=False`` ne
    marque pas le dernier nœud exécuté (une passe arrière finie, vue d'un bloc).
    """
    if not COLUMN_WIDTH_IN / 2 <= width <= COLUMN_WIDTH_IN:
        raise ValueError(
            f"Largeur {width} pouces : entre {COLUMN_WIDTH_IN / 2} et {COLUMN_WIDTH_IN}"
        )
    unknown = {
        n: d.get("kind")
        for n, d in graph.nodes(data=True)
        if d.get("kind") not in KINDS
    }
    if unknown:
        raise ValueError(
            f"Sorte de nœud inconnue (attendu {list(KINDS)}) : {unknown}"
        )
    highlight = set(highlight)
    missing = highlight - set(graph.nodes)
    if missing:
        raise ValueError(
            f"Nœuds à mettre en évidence absents du graphe : {sorted(missing)}"
        )
    if steps is not None:
        strangers = {s.node for s in steps} - set(graph.nodes)
        if strangers:
            raise ValueError(
                f"Étapes sur des nœuds absents du graphe : {sorted(strangers)}"
            )
        if steps and current:
            highlight.add(steps[-1].node)
    # Le nom du résultat (ℓ, ou d pour l'exemple de l'énoncé au chapitre 2).
    output = next(
        (
            d["name"]
            for _, d in graph.nodes(data=True)
            if d["kind"] == "output" and d["name"]
        ),
        "ℓ",
    )
    pos = layered_layout(graph, width)
    n_layers = max(layer for layer, _ in pos.values()) + 1
    top = 0.45 if title else 0.15
    bottom = (
        0.75 if steps is None else 1.35
    )  # la légende de la passe arrière est plus longue
    height = top + n_layers * ROW_IN + bottom
    fig, ax = _canvas(width, height)
    y_of = {
        n: height - top - (layer + 0.5) * ROW_IN
        for n, (layer, _) in pos.items()
    }
    received = (
        messages_until(graph, steps)
        if steps is not None
        else {n: [] for n in graph}
    )

    boxes: dict[str, AnnotationBbox] = {}
    shown_colors: set[str] = (
        set()
    )  # la légende ne décrit que les états dessinés
    for node, data in graph.nodes(data=True):
        lines = _node_lines(graph, node, steps, received[node], output)
        shown_colors.update(c for _, c, _ in lines)
        areas = [
            TextArea(
                t,
                textprops={
                    "fontsize": LINE_PT,
                    "color": c,
                    "fontweight": w,
                },
            )
            for t, c, w in lines
        ]
        box = AnnotationBbox(
            VPacker(children=areas, align="center", pad=0, sep=2),
            (pos[node][1], y_of[node]),
            xycoords="data",
            frameon=True,
            pad=0.35,
            bboxprops={
                "boxstyle": "round,pad=0.35",
                "facecolor": KIND_COLORS[data["kind"]],
                "edgecolor": RED if node in highlight else EDGE,
                "linewidth": 2.6 if node in highlight else 0.9,
            },
            zorder=3,
        )
        ax.add_artist(box)
        boxes[node] = box

    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    extent = {
        n: to_data.transform(b.get_window_extent(renderer))
        for n, b in boxes.items()
    }
    sent = {s.node: s for s in steps or ()}
    any_carried = False
    for parent, child, data in graph.edges(data=True):
        step = sent.get(child)
        message = (
            step.grad_inputs[data["slot"]]
            if step and data["slot"] < len(step.grad_inputs)
            else None
        )
        carried = message is not None
        any_carried |= carried
        style = {
            "color": RED if carried else EDGE,
            "linewidth": 1.8 if carried else 1.0,
        }
        parallel = graph.number_of_edges(parent, child)
        slot = data["slot"] if parallel > 1 else None
        ax.add_patch(
            _edge_patch(extent, pos, parent, child, slot, style, width)
        )

    if title:
        ax.text(
            width / 2,
            height - 0.22,
            title,
            ha="center",
            va="center",
            fontsize=11,
        )
    present = [
        k
        for k in KINDS
        if any(d["kind"] == k for _, d in graph.nodes(data=True))
    ]
    legend = {k: KIND_LEGEND[k].format(output=output) for k in present}
    handles: list = [
        Patch(facecolor=KIND_COLORS[k], edgecolor=EDGE, label=legend[k])
        for k in present
    ]
    if steps is not None:
        states = [
            (
                bool(steps) and current,
                Patch(
                    facecolor="white",
                    edgecolor=RED,
                    linewidth=2.6,
                    label="nœud qui vient de s'exécuter",
                ),
            ),
            (
                RED in shown_colors,
                Patch(
                    facecolor=RED,
                    label="texte rouge : gradient reçu, nœud exécuté",
                ),
            ),
            (
                ORANGE in shown_colors,
                Patch(
                    facecolor=ORANGE,
                    label="orange : messages arrivés, pas encore exécuté",
                ),
            ),
            (
                GREY in shown_colors,
                Patch(facecolor=GREY, label="gris : aucun message encore"),
            ),
            (
                any_carried,
                Line2D(
                    [],
                    [],
                    color=RED,
                    linewidth=1.8,
                    label="arête rouge : un gradient y est remonté",
                ),
            ),
        ]
        handles += [handle for shown, handle in states if shown]
    ax.legend(
        handles=handles,
        loc="lower center",
        ncol=2,
        frameon=False,
        fontsize=9,
        bbox_to_anchor=(0.5, 0.0),
        handlelength=1.2,
        columnspacing=1.2,
    )
    return fig


def _edge_patch(
    extent: dict,
    pos: dict[str, tuple[int, float]],
    parent: str,
    child: str,
    slot: int | None,
    style: dict,
    width: float,
) -> FancyArrowPatch:
    """Flèche du bas de la case ``parent`` vers le haut de la case ``child``.

    Deux arêtes entre les mêmes nœuds (``d * d``) sont écartées l'une de l'autre. Une
    arête qui saute des couches descend tout droit si rien ne la gêne ; sinon elle
    contourne les cases par une gouttière sur le côté, puis entre par le haut.
    """
    (px0, py0), (px1, py1) = extent[parent]
    (cx0, _), (cx1, cy1) = extent[child]
    kwargs = {
        "arrowstyle": "-|>",
        "mutation_scale": 12,
        "zorder": 2,
        "shrinkA": 0,
        "shrinkB": 1,
        **style,
    }
    offset = 0.0 if slot is None else (-0.3 if slot == 0 else 0.3)
    start = ((px0 + px1) / 2 + offset, py0)
    end = ((cx0 + cx1) / 2 + offset, cy1)
    between = [
        e
        for n, e in extent.items()
        if pos[parent][0] < pos[n][0] < pos[child][0]
    ]

    def blocked(a: tuple[float, float], b: tuple[float, float]) -> bool:
        for t in (i / 20 for i in range(21)):
            px, py = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            if any(
                e[0][0] - 0.05 <= px <= e[1][0] + 0.05
                and e[0][1] - 0.05 <= py <= e[1][1] + 0.05
                for e in between
            ):
                return True
        return False

    if not between or not blocked(start, end):
        rad = 0.0 if slot is None else (0.2 if slot == 0 else -0.2)
        return FancyArrowPatch(
            start, end, connectionstyle=f"arc3,rad={rad}", **kwargs
        )
    spanned = [
        e
        for n, e in extent.items()
        if pos[parent][0] <= pos[n][0] <= pos[child][0]
    ]
    mid_y = (py0 + py1) / 2
    above = cy1 + 0.16
    if (px0 + px1) / 2 <= width / 2:
        gutter = max(min(e[0][0] for e in spanned) - 0.15, 0.05)
        side, entry = px0, cx0 + 0.25 * (cx1 - cx0)
    else:
        gutter = min(max(e[1][0] for e in spanned) + 0.15, width - 0.05)
        side, entry = px1, cx1 - 0.25 * (cx1 - cx0)
    # On entre par le haut, à côté de l'arête qui arrive de la couche juste au-dessus.
    points = [
        (side, mid_y),
        (gutter, mid_y),
        (gutter, above),
        (entry, above),
        (entry, cy1),
    ]
    path = Path(points, [Path.MOVETO] + [Path.LINETO] * 4)
    return FancyArrowPatch(path=path, **kwargs)


# --------------------------------------------------------------------------------------
# La fonction g entre son amont f et son aval L (figure 2 de l'énoncé)
# --------------------------------------------------------------------------------------


def function_split_figure(width: float = COLUMN_WIDTH_IN) -> Figure:
    """La fonction g isolée dans le graphe, avec les messages de la passe arrière.

    Comme pour le graphe d'autograd, le calcul descend : m → f → n → g → z → L, plus le
    terme direct m → L (à gauche, en noir). En rouge pointillé, la passe arrière remonte :
    à droite, ∂ℓ/∂z arrive dans g et ∂ℓ/∂n en repart vers f, qui renvoie sa part à m ; à
    gauche, L renvoie directement à m le terme direct. m additionne les deux messages.
    """
    if not 6.0 <= width <= COLUMN_WIDTH_IN:
        raise ValueError(
            f"Largeur {width} pouces : le schéma demande entre 6 et {COLUMN_WIDTH_IN} pouces"
        )
    height = 5.0
    fig, ax = _canvas(width, height)
    center, top, gap = 3.2, 4.25, 0.76
    nodes = [
        ("m", "m = (b₂, θ, b₁, x)", KIND_COLORS["leaf"]),
        ("f", "f : tout ce qui précède g", KIND_COLORS["op"]),
        ("n", "n = f(m) = (b₂, θᵀ, y)", "#fff3bf"),
        ("g", "g : la fonction linéaire", KIND_COLORS["op"]),
        ("z", "z = g(n) = x̂", "#fff3bf"),
        ("L", "L : le coût ℓ = L(m, z)", KIND_COLORS["output"]),
    ]
    text: dict[str, Text] = {}
    for i, (key, label, color) in enumerate(nodes):
        text[key] = ax.text(
            center,
            top - i * gap,
            label,
            ha="center",
            va="center",
            fontsize=10,
            zorder=3,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": color,
                "edgecolor": RED if key == "g" else EDGE,
                "linewidth": 2.6 if key == "g" else 0.9,
            },
        )
    fig.canvas.draw()  # les cadres n'ont de taille qu'une fois le texte dessiné
    box = {k: t.get_bbox_patch() for k, t in text.items()}
    to_data = ax.transData.inverted()
    left = {
        k: to_data.transform((b.get_window_extent().x0, 0))[0]
        for k, b in box.items()
    }
    right = {
        k: to_data.transform((b.get_window_extent().x1, 0))[0]
        for k, b in box.items()
    }
    y = {k: t.get_position()[1] for k, t in text.items()}

    def arc(
        a: str,
        b: str,
        gutter: float,
        side: str,
        style: dict,
        start: float,
        end: float,
    ) -> None:
        """Flèche de a vers b qui longe une gouttière verticale (bras en points)."""
        if side == "right":
            arm_a, arm_b, angle, x_a, x_b = (
                72 * (gutter - right[a]),
                72 * (gutter - right[b]),
                0,
                1,
                1,
            )
        else:
            arm_a, arm_b, angle, x_a, x_b = (
                72 * (left[a] - gutter),
                72 * (left[b] - gutter),
                180,
                0,
                0,
            )
        connection = f"arc,angleA={angle},angleB={angle},armA={arm_a:.1f},armB={arm_b:.1f},rad=6"
        ax.annotate(
            "",
            xy=(x_b, end),
            xycoords=box[b],
            xytext=(x_a, start),
            textcoords=box[a],
            arrowprops={**style, "connectionstyle": connection},
        )

    forward = {
        "arrowstyle": "-|>",
        "mutation_scale": 12,
        "color": EDGE,
        "linewidth": 1.1,
        "shrinkA": 0,
        "shrinkB": 0,
    }
    backward = {
        **forward,
        "color": RED,
        "linewidth": 1.5,
        "linestyle": "--",
    }
    for (a, _, _), (b, _, _) in zip(nodes, nodes[1:], strict=False):
        ax.annotate(
            "",
            xy=(0.5, 1),
            xycoords=box[b],
            xytext=(0.5, 0),
            textcoords=box[a],
            arrowprops=forward,
        )
    inner_left = min(left.values()) - 0.3
    arc("m", "L", inner_left, "left", forward, 0.65, 0.65)
    arc("L", "m", inner_left - 0.35, "left", backward, 0.35, 0.35)
    ax.text(
        inner_left - 0.47,
        (y["n"] + y["g"]) / 2 + 0.14,
        "terme direct",
        ha="right",
        va="center",
        fontsize=9,
        color=EDGE,
    )
    ax.text(
        inner_left - 0.47,
        (y["n"] + y["g"]) / 2 - 0.14,
        "∂L/∂m",
        ha="right",
        va="center",
        fontsize=9,
        color=RED,
    )
    gutter = max(right.values()) + 0.25
    # Un message part du haut du bord droit et arrive en bas du bord droit du nœud au-dessus.
    for a, b, label in (
        ("L", "g", "∂ℓ/∂z entre dans g"),
        ("g", "f", "∂ℓ/∂n sort de g, vers f"),
        ("f", "m", "la part venue par f"),
    ):
        arc(a, b, gutter, "right", backward, 0.7, 0.3)
        ax.text(
            gutter + 0.1,
            (y[a] + y[b]) / 2,
            label,
            ha="left",
            va="center",
            fontsize=9,
            color=RED,
        )
    legend = "noir : le calcul, vers le bas ; rouge pointillé : les gradients, vers le haut"
    ax.text(
        width / 2,
        height - 0.12,
        legend,
        ha="center",
        va="top",
        fontsize=9,
        color=EDGE,
    )
    return fig


#: Les quatre fonctions de la figure 1 de l'énoncé et les tenseurs nommés qu'elles
#: produisent dans le graphe de l'auto-encodeur (chapitre 1).
STATEMENT_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "linéaire : y = θx + b₁": ("θx", "y"),
    "transposée : θᵀ": ("θᵀ",),
    "linéaire : x̂ = θᵀy + b₂": ("θᵀy", "x̂"),
    "coût : ℓ = Δ(x, x̂)": ("r", "s", "ℓ"),
}


def statement_figure(
    graph: nx.MultiDiGraph, width: float = COLUMN_WIDTH_IN
) -> Figure:
    """La figure 1 de l'énoncé : l'auto-encodeur au niveau des fonctions (linéaire →
    transposée → linéaire → coût), la fonction g en rouge. Sous chaque fonction, les
    nœuds du graphe d'autograd ``graph`` qui la forment (leur classe, lue dans ``graph``).
    """
    names = [n for group in STATEMENT_FUNCTIONS.values() for n in group]
    missing = [n for n in (*names, "x", "θ", "b₁", "b₂") if n not in graph]
    if missing:
        raise ValueError(
            f"Nœuds absents du graphe : {missing} (le graphe de l'auto-encodeur ?)"
        )
    if not 6.0 <= width <= COLUMN_WIDTH_IN:
        raise ValueError(
            f"Largeur {width} pouces : le schéma demande entre 6 et {COLUMN_WIDTH_IN} pouces"
        )
    height = 4.6
    fig, ax = _canvas(width, height)
    lin1, transpose, lin2, cost = STATEMENT_FUNCTIONS
    places = {
        "x": (0.9, 4.15), "θ": (2.8, 4.15), "b₁": (4.4, 4.15), "b₂": (6.2, 4.15),
        lin1: (2.3, 3.0), transpose: (5.0, 3.0), lin2: (4.3, 1.85), cost: (2.5, 0.7),
    }  # fmt: skip
    text: dict[str, Text] = {}
    for key, (x, y) in places.items():
        if key in STATEMENT_FUNCTIONS:
            ops = ", ".join(
                graph.nodes[n]["op"] for n in STATEMENT_FUNCTIONS[key]
            )
            label, color = (
                f"{key}\n{ops}",
                KIND_COLORS["output" if key == cost else "op"],
            )
        else:
            label, color = key, KIND_COLORS["leaf"]
        red = key == lin2
        text[key] = ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=9,
            zorder=3,
            linespacing=1.5,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": color,
                "edgecolor": RED if red else EDGE,
                "linewidth": 2.6 if red else 0.9,
            },
        )
    fig.canvas.draw()  # les cadres n'ont de taille qu'une fois le texte dessiné
    box = {k: t.get_bbox_patch() for k, t in text.items()}
    arrow = {
        "arrowstyle": "-|>",
        "mutation_scale": 12,
        "color": EDGE,
        "linewidth": 1.1,
        "shrinkA": 1,
        "shrinkB": 1,
    }
    edges = [
        ("x", lin1, 0.5),
        ("θ", lin1, 0.5),
        ("b₁", lin1, 0.5),
        ("θ", transpose, 0.5),
        ("b₂", lin2, 0.8),
        (lin1, lin2, 0.5),
        (transpose, lin2, 0.7),
        (lin2, cost, 0.5),
    ]
    for a, b, end in edges:
        ax.annotate(
            "",
            xy=(end, 1),
            xycoords=box[b],
            xytext=(0.5, 0),
            textcoords=box[a],
            arrowprops=arrow,
        )
    # x entre aussi directement dans le coût (le terme direct) : une flèche qui longe la gauche.
    ax.annotate(
        "",
        xy=(0, 0.5),
        xycoords=box[cost],
        xytext=(0.2, 0),
        textcoords=box["x"],
        arrowprops={
            **arrow,
            "connectionstyle": "angle,angleA=-90,angleB=180,rad=8",
        },
    )
    ax.text(
        width / 2 + 1.4,
        0.7,
        "en rouge : g, la fonction isolée\n(figure 2 de l'énoncé)",
        ha="left",
        va="center",
        fontsize=9,
        color=RED,
    )
    return fig

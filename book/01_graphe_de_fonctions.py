# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (chap-graphe)=
# # Graphe de fonctions et règle de dérivation en chaîne
#
# ```{admonition} Objectifs
# :class: tip
# **Durée** : {reading-time}`lecture` de lecture, sans les encadrés facultatifs ; plus les
# exercices. **Énoncé** : la partie 1 (« Graphes de fonction »), ses figures 1 et 2, et
# ses deux équations de la règle de dérivation en chaîne.
#
# À la fin de ce chapitre, vous saurez :
# - faire à la main la passe avant et la passe arrière d'un petit calcul ;
# - écrire votre propre moteur de différentiation automatique ;
# - lire le graphe que PyTorch enregistre et suivre sa passe arrière, étape par étape ;
# - **démontrer** la {term}`règle de dérivation en chaîne` de l'énoncé autour d'une
#   fonction $g$ isolée du graphe ;
# - calculer un gradient à la main et le vérifier par autograd et par différences finies.
# ```

# %%
import math

import torch

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs
# collées, dessin des graphes.
from tp2_src.glue import (
    glue,
    glue_figure,
    glue_text,
)
from tp2_src.graph import (
    assert_backward_matches,
    autograd_graph,
    record_backward,
    reference_gradients,
)
from tp2_src.graph_drawing import (
    STATEMENT_FUNCTIONS,
    function_split_figure,
    graph_figure,
    statement_figure,
)
from tp2_src.style import french_log_axis, setup_chapter

setup_chapter()  # figures, et l'environnement que cite la note de fin de page

# %% [markdown]
# (sec-scalaires)=
# ## Un premier calcul, sur trois scalaires
#
# Quand PyTorch calcule une valeur à partir de tenseurs, il peut garder la trace de
# **toutes** les opérations effectuées. Cette trace forme un {term}`graphe de calcul` :
#
# - les **{term}`feuilles <feuille>`** sont les tenseurs de départ, créés par
#   l'utilisateur : les données d'entrée et les {term}`paramètres <paramètre>` ;
# - les **nœuds internes** sont les opérations (produit, addition, transposition…) ;
# - le **nœud terminal** est le résultat, ici un {term}`coût` scalaire noté $\ell$.
#
# Le graphe est *orienté* et *acyclique* (une valeur ne sert jamais à son propre
# calcul) : on peut le parcourir à rebours, du résultat vers les feuilles, pour obtenir
# les dérivées partielles. C'est la {term}`rétropropagation`.
#
# Prenons $\ell = (a\,b + c)^2$, sur trois scalaires. `requires_grad=True` demande à
# PyTorch d'enregistrer les opérations faites à partir de ces tenseurs (le
# {ref}`chapitre 2 <chap-autograd>` y revient). Une opération par ligne, et le carré écrit
# $q \cdot q$ : $q$ sert alors **deux fois**.

# %%
a = torch.tensor(2.0, requires_grad=True)
b = torch.tensor(-3.0, requires_grad=True)
c = torch.tensor(10.0, requires_grad=True)

p = a * b  # un nœud « produit »
q = p + c  # un nœud « addition »
loss = q * q  # ℓ = q², écrit comme un produit où q sert deux fois
forward = {
    "a": a,
    "b": b,
    "c": c,
    "p = a·b": p,
    "q = p + c": q,
    "ℓ = q·q": loss,
}
for name, t in forward.items():
    print(f"{name:<9} = {t.item():g}")

# %% [markdown]
# Voilà la {term}`passe avant` : chaque nœud a calculé sa valeur à partir de celles de ses
# parents (`t.item()` rend le nombre d'un tenseur à un seul élément).
#
# ### La passe arrière, à la main
#
# On cherche $\partial\ell/\partial a$, $\partial\ell/\partial b$ et
# $\partial\ell/\partial c$. On part du résultat, avec le **{term}`gradient initial`**
# $\partial\ell/\partial\ell = 1$, et l'on remonte le graphe nœud par nœud. Chaque nœud
# envoie à chacun de ses parents un **message** : la dérivée de $\ell$ par rapport à ce
# parent, *par ce chemin-là*. Une seule règle :
#
# > message envoyé à un parent = gradient reçu × dérivée locale du nœud par rapport à ce
# > parent ;
#
# et quand une valeur sert plusieurs fois, les messages qui lui reviennent
# **s'additionnent**.
#
# - $\ell = q \cdot q$ : la dérivée locale par rapport à un facteur est l'autre, $q$ ;
#   les deux messages $1 \times q$ s'additionnent : $\partial\ell/\partial q = 2q$.
# - $q = p + c$ : les dérivées locales valent 1 ; le nœud recopie
#   $\partial\ell/\partial q$ vers $p$ et vers $c$.
# - $p = a \cdot b$ : $\partial p/\partial a = b$ et $\partial p/\partial b = a$, d'où
#   $\partial\ell/\partial a = b\,\partial\ell/\partial p$ et
#   $\partial\ell/\partial b = a\,\partial\ell/\partial p$.
#
# En code, avec de simples nombres Python :

# %%
a_, b_, c_, p_, q_ = (t.item() for t in (a, b, c, p, q))
by_hand = {"ℓ": 1.0}  # ∂ℓ/∂ℓ : le gradient initial
# q sert deux fois : deux messages, qui s'additionnent
by_hand["q"] = by_hand["ℓ"] * q_ + by_hand["ℓ"] * q_
by_hand["p"] = by_hand["q"] * 1.0  # q = p + c : dérivée locale 1
by_hand["c"] = by_hand["q"] * 1.0
by_hand["a"] = by_hand["p"] * b_  # p = a·b : ∂p/∂a = b
by_hand["b"] = by_hand["p"] * a_  # ∂p/∂b = a
print(by_hand)

# %% [markdown]
# ### La même passe arrière, par autograd
#
# `loss.backward()` fait ce parcours et dépose $\partial\ell/\partial a$ dans `a.grad`
# (de même pour `b` et `c`). Les gradients des nœuds internes ne sont pas gardés ; pour
# les voir passer, on pose un {term}`crochet` (*hook*) sur $p$, $q$ et $\ell$ :
# `t.register_hook(f)` fait appeler `f` avec $\partial\ell/\partial t$ dès qu'il est
# calculé.

# %%
received = {}  # ∂ℓ/∂t, relevé pendant la passe arrière
for name, t in {"ℓ": loss, "q": q, "p": p}.items():
    t.register_hook(
        lambda grad, name=name: received.update({name: grad.item()})
    )
loss.backward()
for name, leaf in {"c": c, "a": a, "b": b}.items():
    received[name] = leaf.grad.item()  # .grad des feuilles

print("tenseur | à la main | autograd")
for name, grad in received.items():
    print(f"{name:>7} | {by_hand[name]:>9g} | {grad:>8g}")

# %% tags=["remove-cell"]
assert received == by_hand and list(received)[:3] == [
    "ℓ",
    "q",
    "p",
]  # l'ordre des crochets
# Les nombres que cite le texte alternatif de la figure ci-dessous.
assert (p.item(), q.item(), loss.item()) == (-6, 4, 16)
assert [by_hand[k] for k in ("a", "b", "c", "p", "q")] == [
    -24,
    16,
    8,
    8,
    8,
]
# La figure : le même calcul, refait et relevé nœud par nœud (tp2_src.graph).
scalar_leaves = {
    n: t.detach().clone().requires_grad_()
    for n, t in {"a": a, "b": b, "c": c}.items()
}
p2 = scalar_leaves["a"] * scalar_leaves["b"]
q2 = p2 + scalar_leaves["c"]
loss2 = q2 * q2
scalar_graph = autograd_graph(
    loss2, leaves=scalar_leaves, intermediates={"p": p2, "q": q2}
)
scalar_reference = reference_gradients(
    loss2, {**scalar_leaves, "p": p2, "q": q2, "ℓ": loss2}
)
with record_backward(scalar_graph) as scalar_steps:
    loss2.backward()
assert_backward_matches(
    scalar_graph, scalar_steps, scalar_reference
)
assert all(
    by_hand[s.node] == s.received.item() for s in scalar_steps
)
fig = graph_figure(
    scalar_graph,
    steps=scalar_steps,
    current=False,
    title="ℓ = (a·b + c)² : valeurs et gradients relevés",
)
glue_figure("fig_scalaire", fig)

# %% [markdown]
# Les deux colonnes concordent exactement : autograd applique la même règle que nous. La
# {numref}`fig-scalaire` dessine le graphe enregistré. Une
# case d'opération porte la classe que PyTorch donne au nœud (`MulBackward0` pour un
# produit, `AddBackward0` pour une addition) ; une case verte est une feuille, dont le
# nœud `AccumulateGrad` dépose le gradient reçu dans `.grad`. Les deux flèches de $q$ vers
# le dernier produit sont ses deux utilisations, dont autograd a additionné les messages.
#
# ```{glue:figure} fig_scalaire
# :alt: Graphe vertical : les feuilles a et b en haut, puis c à côté du nœud MulBackward0 (p = a·b, valeur −6), puis AddBackward0 (q = p + c, valeur 4), et en bas MulBackward0 (ℓ = q·q, valeur 16), relié à q par deux flèches. Chaque case porte son gradient en rouge : ∂ℓ/∂a = −24, ∂ℓ/∂b = 16, ∂ℓ/∂c = 8, ∂ℓ/∂p = 8, ∂ℓ/∂q = 8, et le gradient initial 1 pour ℓ.
# :name: fig-scalaire
#
# Le graphe de $\ell = (a\,b + c)^2$ enregistré par autograd. Chaque case donne la classe
# du nœud, la valeur calculée à l'aller et, en rouge, le gradient reçu au retour ; tous
# ces nombres sont relevés dans autograd.
# ```

# %% [markdown]
# (sec-moteur)=
# ## Votre propre autograd, sur des scalaires
#
# Ce que `backward()` vient de faire tient en quelques lignes. Chaque valeur retient ses
# **parents** et la **dérivée locale** par rapport à chacun ; la passe arrière visite
# chaque nœud **après tous ceux qui l'utilisent**, quand il a reçu tous ses messages. Cet
# ordre s'obtient en deux temps.
#
# 1. Un **ordre topologique** est une liste où chaque nœud vient après ses parents. Un
#    parcours en profondeur la construit : pour ranger un nœud, on range d'abord ses
#    parents, puis lui-même, chaque nœud une seule fois. Ranger $\ell$ demande de ranger
#    $q$, qui demande $p$ (qui range $a$, $b$, puis $p$), puis $c$, puis $q$ ; enfin
#    $\ell$ : la liste est $a, b, p, c, q, \ell$.
# 2. Cette liste, **parcourue à l'envers** ($\ell, q, c, p, b, a$), place chaque nœud après
#    tous ceux qui l'utilisent : c'est l'ordre de la passe arrière.
#
# C'est ce que fait micrograd, le petit moteur d'Andrej Karpathy ; écrivons le nôtre.
#
# ````{exercise}
# :label: ex-1a
# :nonumber:
# Complétez la classe `Value`, un petit moteur de
# {term}`différentiation automatique` : un scalaire (`data`) qui retient ses parents et les
# dérivées locales par rapport à eux, et dont `backward()` remplit le `.grad` de chaque
# nœud. L'addition est écrite ; à vous le produit, la puissance, `tanh`, `exp` et la passe
# arrière.
#
# ```python
# class Value:
#     """Un scalaire qui retient de quoi il est calculé."""
#
#     def __init__(self, data, parents=(), local_grads=()):
#         self.data = float(data)  # la valeur, calculée à l'aller
#         self.grad = 0.0  # ∂ℓ/∂(ce nœud), rempli par backward()
#         self.parents = parents  # les nœuds d'où il est calculé
#         self.local_grads = local_grads  # ∂(ce nœud)/∂(parents)
#
#     def __add__(self, other):
#         other = other if isinstance(other, Value) else Value(other)
#         return Value(
#             self.data + other.data, (self, other), (1.0, 1.0)
#         )
#
#     def __mul__(self, other):
#         ...  # À vous : comme __add__, avec les dérivées du produit
#
#     def __pow__(self, k):  # k : un nombre
#         ...  # À vous : la dérivée locale est k·xᵏ⁻¹
#
#     def tanh(self):
#         ...  # À vous : math.tanh ; dérivée locale 1 − tanh²
#
#     def exp(self):
#         ...  # À vous : math.exp ; dérivée locale exp
#
#     __radd__ = __add__  # 2 + v
#     __rmul__ = __mul__  # 3 * v
#
#     def backward(self):
#         """Remplit .grad de chaque nœud dont ce résultat dépend."""
#         ...  # À vous : l'ordre topologique (chaque nœud après
#         #      ses parents), le gradient initial self.grad = 1,
#         #      puis, du résultat vers les feuilles :
#         #      parent.grad += grad × dérivée locale
# ```
# ````
#
# ```{solution-start} ex-1a
# :class: dropdown
# ```
#
# La fonction `visit` range un nœud après tous ses parents ; parcourue à l'envers, la
# liste place chaque nœud après tous ceux qui l'utilisent. Le `+=` additionne les messages
# d'un nœud qui sert plusieurs fois.


# %% tags=["solution"]
class Value:
    """Un scalaire qui retient de quoi il est calculé."""

    def __init__(self, data, parents=(), local_grads=()):
        self.data = float(data)  # la valeur, calculée à l'aller
        self.grad = 0.0  # ∂ℓ/∂(ce nœud), rempli par backward()
        self.parents = parents  # les nœuds d'où il est calculé
        self.local_grads = local_grads  # ∂(ce nœud)/∂(parents)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(
            self.data + other.data, (self, other), (1.0, 1.0)
        )

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(
            self.data * other.data,
            (self, other),
            (other.data, self.data),
        )

    def __pow__(self, k):  # k : un nombre
        return Value(
            self.data**k, (self,), (k * self.data ** (k - 1),)
        )

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    __radd__ = __add__  # 2 + v
    __rmul__ = __mul__  # 3 * v

    def backward(self):
        """Remplit .grad de chaque nœud dont ce résultat dépend."""
        order, seen = [], set()

        def visit(node):  # rangé après tous ses parents
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0  # le gradient initial ∂ℓ/∂ℓ
        for node in reversed(order):  # du résultat aux feuilles
            pairs = zip(node.parents, node.local_grads)
            for parent, local in pairs:
                parent.grad += node.grad * local


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("ex-1a", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Le même calcul, $\ell = (a\,b + c)^2$, avec votre moteur, puis une expression qui
# utilise la puissance, `tanh` et `exp`, $f = e^{\tanh(u v)} + u^3$ (autograd en float64,
# comme les `float` de Python) :

# %%
a_v, b_v, c_v = Value(2.0), Value(-3.0), Value(10.0)
q_v = a_v * b_v + c_v
loss_v = q_v * q_v
loss_v.backward()
print("notre moteur :", [v.grad for v in (a_v, b_v, c_v)])
print("autograd     :", [t.grad.item() for t in (a, b, c)])

u_v, v_v = Value(0.5), Value(-1.5)
f_v = (u_v * v_v).tanh().exp() + u_v**3
f_v.backward()
u_t, v_t = (
    torch.tensor(val, dtype=torch.float64, requires_grad=True)
    for val in (0.5, -1.5)
)
f_t = torch.exp(torch.tanh(u_t * v_t)) + u_t**3
f_t.backward()
print("notre moteur :", [f"{w.grad:.12f}" for w in (u_v, v_v)])
print(
    "autograd     :", [f"{t.grad.item():.12f}" for t in (u_t, v_t)]
)

# %% tags=["remove-cell"]
assert [v.grad for v in (a_v, b_v, c_v)] == [
    t.grad.item() for t in (a, b, c)
]
assert all(
    abs(w.grad - t.grad.item()) < 1e-12
    for w, t in ((u_v, u_t), (v_v, v_t))
)

# %% [markdown]
# Les mêmes nombres, à l'arrondi du float64 près.
#
# ```{optional-start} Notre moteur et celui de PyTorch, pièce par pièce
# ```
#
# Le graphe que PyTorch enregistre est fait des mêmes pièces que le nôtre :
#
# | notre moteur | PyTorch |
# |---|---|
# | une `Value` produite par une opération | son `grad_fn`, un nœud (`MulBackward0`…) |
# | `.parents` | `grad_fn.next_functions` |
# | `.local_grads`, multipliées par le gradient reçu | le nœud, appelé avec le gradient reçu |
# | une feuille (sans parents), qui garde son `.grad` | un nœud `AccumulateGrad`, qui l'écrit dans `.grad` |
# | `backward()` : un nœud passe quand il a tout reçu | le moteur d'autograd, même règle |
#
# Vérifions-le sur le nœud du produit $\ell = q \cdot q$, enregistré à neuf (le `backward()`
# plus haut a libéré le graphe) : appelé avec le gradient initial 1, le nœud de PyTorch
# rend à ses deux parents les messages que votre `Value` calcule avec ses dérivées
# locales.

# %%
a_t, b_t, c_t = (
    torch.tensor(v, requires_grad=True) for v in (2.0, -3.0, 10.0)
)
q_t = a_t * b_t + c_t
node = (q_t * q_t).grad_fn  # le nœud de ℓ = q·q
print(
    type(node).__name__,
    "→ parents :",
    [type(parent).__name__ for parent, _ in node.next_functions],
)
print(
    "messages de PyTorch :",
    [m.item() for m in node(torch.tensor(1.0))],
)
print(
    "notre moteur        :", [1.0 * d for d in loss_v.local_grads]
)

# %% [markdown]
# ```{optional-end}
# ```

# %% [markdown]
# (sec-autoencodeur)=
# ## Le graphe que PyTorch enregistre : l'auto-encodeur de l'énoncé
#
# Dans ce TP, un réseau de neurones est une **composition de fonctions de base** :
# transformations (linéaire…), activations (sigmoïde, softmax…), fonction d'erreur (erreur
# quadratique…). L'exemple de l'énoncé est un petit auto-encodeur linéaire. Une entrée
# $\mathbf{x}\in\mathbb{R}^d$ est compressée en un code $\mathbf{y}\in\mathbb{R}^{d_y}$
# ($d_y<d$) puis reconstruite en $\hat{\mathbf{x}}\in\mathbb{R}^d$ avec la **même**
# matrice $\theta\in\mathbb{R}^{d_y\times d}$, transposée au retour :
#
# $$
# \mathbf{y} = \theta\,\mathbf{x} + b_1, \qquad
# \hat{\mathbf{x}} = \theta^{\top}\mathbf{y} + b_2, \qquad
# \ell = \Delta(\mathbf{x}, \hat{\mathbf{x}}) = \lVert \mathbf{x} - \hat{\mathbf{x}} \rVert^2 .
# $$
#
# Le coût $\ell$ dépend de quatre feuilles. Mises bout à bout dans l'ordre de l'énoncé,
# elles forment $\mathbf{m} = (b_2, \theta, b_1, \mathbf{x})$, et l'on note
# $L_f(\mathbf{m})$ le coût vu comme une fonction de ces seules feuilles (l'énoncé
# l'écrit $L(\mathbf{x}, b_1, \theta, b_2)$). Apprendre, c'est faire baisser $\ell$ en
# modifiant les paramètres $\theta$, $b_1$, $b_2$ : il faut leur gradient (on demande
# aussi celui de $\mathbf{x}$). Calcul en `float64`, pour des comparaisons nettes, et une
# opération par ligne : chaque ligne ajoute un nœud au graphe.

# %%
torch.manual_seed(0)  # tirages reproductibles : mêmes nombres
d, d_y = 4, 2  # dimension de l'entrée, dimension du code
x = torch.randn(d, dtype=torch.float64, requires_grad=True)
theta = torch.randn(d_y, d, dtype=torch.float64, requires_grad=True)
b1 = torch.randn(d_y, dtype=torch.float64, requires_grad=True)
b2 = torch.randn(d, dtype=torch.float64, requires_grad=True)
leaves = {"b₂": b2, "θ": theta, "b₁": b1, "x": x}  # m, dans l'ordre

theta_x = theta @ x  # θx, forme (d_y,)
y = theta_x + b1  # le code y = θx + b₁
theta_T = theta.T  # θᵀ, forme (d, d_y)
theta_T_y = theta_T @ y  # θᵀy, forme (d,)
x_hat = theta_T_y + b2  # la reconstruction x̂ = θᵀy + b₂
r = x - x_hat  # l'erreur de reconstruction
s = r**2  # au carré, coordonnée par coordonnée
loss = s.sum()  # ℓ = Δ(x, x̂) = ‖x − x̂‖²
print(f"y = {y.detach().numpy().round(4)}")
print(f"x̂ = {x_hat.detach().numpy().round(4)}")
print(f"ℓ = {loss.item():.6f}")

# %% [markdown]
# (`y.detach()` donne la valeur de `y` sans son historique, la seule que NumPy sache lire.)
#
# ### Remonter le graphe : `grad_fn`, `next_functions`, `AccumulateGrad`
#
# Chaque résultat connaît le nœud qui l'a produit, son `grad_fn`, dont la classe nomme
# l'opération (`SumBackward0`, `PowBackward0` pour le carré, `MvBackward0` pour le produit
# matrice-vecteur…). Chaque nœud connaît ses parents, dans `next_functions` : un couple
# (nœud parent, numéro de sa sortie) par entrée, que `parents` affiche par leur classe.


# %%
def parents(node):
    """Les couples (parent, n° de sortie), parent nommé par sa classe."""
    return [
        (type(parent).__name__, i)
        for parent, i in node.next_functions
    ]


print("loss.grad_fn :", type(loss.grad_fn).__name__)
print("  ses parents :", parents(loss.grad_fn))
print("s.grad_fn    :", type(s.grad_fn).__name__)
print("  ses parents :", parents(s.grad_fn))
print("r.grad_fn    :", type(r.grad_fn).__name__)
print("  ses parents :", parents(r.grad_fn))
accumulate_x = r.grad_fn.next_functions[0][0]
print(
    "r.grad_fn.next_functions[0][0].variable is x :",
    accumulate_x.variable is x,
)
print("x.grad_fn    :", x.grad_fn)

# %% [markdown]
# `loss` vient d'une somme, issue du carré, issu de la soustraction
# $r = \mathbf{x} - \hat{\mathbf{x}}$. La soustraction a deux parents : l'addition qui a
# produit $\hat{\mathbf{x}}$, et un nœud **`AccumulateGrad`**, le nœud de la feuille `x`
# (son attribut `.variable`), qui ajoutera le gradient reçu à `x.grad`. `x` lui-même n'a
# pas de `grad_fn`.
#
# ```{important}
# `next_functions` pointe **à rebours**, comme la passe arrière ; les figures du livre
# dessinent le **sens du calcul**.
# ```
#
# En suivant `next_functions` de proche en proche depuis `loss.grad_fn`, on trouve tous
# les nœuds du graphe :


# %%
def graph_nodes(loss):
    """Tous les nœuds du graphe de loss, trouvés par next_functions."""
    found, todo = [], [loss.grad_fn]
    while todo:
        node = todo.pop()
        if node is not None and node not in found:
            found.append(node)
            todo += [parent for parent, _ in node.next_functions]
    return found


nodes = graph_nodes(loss)
classes = [type(node).__name__ for node in nodes]
print(f"{len(nodes)} nœuds :")
for name in sorted(set(classes)):
    print(f"  {name} × {classes.count(name)}")

# %% tags=["remove-cell"]
graph = autograd_graph(
    loss,
    leaves=leaves,
    intermediates={
        "θx": theta_x,
        "y": y,
        "θᵀ": theta_T,
        "θᵀy": theta_T_y,
        "x̂": x_hat,
        "r": r,
        "s": s,
    },
)
assert len(nodes) == graph.number_of_nodes() and sorted(
    classes
) == sorted(graph.nodes[n]["op"] for n in graph)
ops = [
    n for n, op in graph.nodes(data="op") if op != "AccumulateGrad"
]
glue("op_count", len(ops), "d")
glue("leaf_count", classes.count("AccumulateGrad"), "d")
assert classes.count("AccumulateGrad") == len(leaves)
fig = graph_figure(
    graph, title="L'auto-encodeur : le graphe d'autograd"
)
glue_figure("fig_autoencodeur", fig)
# Chaque opération du graphe appartient à une et une seule fonction de l'énoncé.
grouped = [
    n for group in STATEMENT_FUNCTIONS.values() for n in group
]
assert sorted(grouped) == sorted(ops)
glue_figure("fig_enonce", statement_figure(graph))

# %% [markdown]
# {glue:md}`leaf_count` nœuds `AccumulateGrad`, un par feuille, et {glue:md}`op_count` nœuds
# d'opération : la {numref}`fig-autoencodeur` les dessine, $\mathbf{x}$ et $\theta$ en
# haut, chaque biais près du nœud qui l'utilise, le coût en bas.
#
# ```{glue:figure} fig_autoencodeur
# :alt: Graphe vertical de l'auto-encodeur : en haut les feuilles ; θ et x entrent dans MvBackward0 (θx), qui avec b₁ donne AddBackward0 (y) ; θ entre aussi dans PermuteBackward0 (θᵀ) ; θᵀ et y donnent MvBackward0 (θᵀy), qui avec b₂ donne AddBackward0 (x̂) ; x et x̂ entrent dans SubBackward0 (r), puis PowBackward0 (s) et SumBackward0 (ℓ), en bas. Une longue flèche relie x directement à la soustraction.
# :name: fig-autoencodeur
#
# Le graphe de calcul de l'auto-encodeur, tel qu'autograd l'a enregistré, une opération par
# nœud. Chaque case donne la classe du nœud et les premières coordonnées de la valeur
# qu'il a calculée ; la fonction linéaire $\hat{\mathbf{x}} = \theta^\top\mathbf{y} + b_2$
# est formée des nœuds `MvBackward0` (θᵀy) et `AddBackward0` (x̂).
# ```
#
# L'énoncé dessine le même calcul au niveau des **fonctions** (sa figure 1, reprise dans la
# {numref}`fig-enonce`) : trois sortes de fonctions, linéaire, transposée et erreur
# quadratique, la linéaire servant deux fois. La seconde, en rouge, est la fonction $g$
# que la {numref}`section %s <sec-decoupage>` isolera. Sous chaque fonction, les nœuds
# d'autograd qui la forment : autograd ne connaît que des opérations.
#
# ```{glue:figure} fig_enonce
# :alt: Schéma de l'auto-encodeur au niveau des fonctions. En haut, les feuilles x, θ, b₁ et b₂. x, θ et b₁ entrent dans la fonction linéaire y = θx + b₁, formée de MvBackward0 et AddBackward0 ; θ entre aussi dans la transposée θᵀ (PermuteBackward0). La fonction linéaire x̂ = θᵀy + b₂, encadrée en rouge et formée de MvBackward0 et AddBackward0, reçoit y, θᵀ et b₂. Elle alimente le coût ℓ = Δ(x, x̂), formé de SubBackward0, PowBackward0 et SumBackward0, que x rejoint aussi directement par une flèche à gauche.
# :name: fig-enonce
#
# La figure 1 de l'énoncé : l'auto-encodeur vu comme une composition de fonctions (deux
# linéaires, une transposée, le coût), la fonction linéaire $g$ en rouge. Sous chaque
# fonction, les nœuds du graphe d'autograd ({numref}`fig-autoencodeur`) qui la forment.
# ```
#
# Deux détails comptent pour la suite :
#
# - $\theta$ sert **deux fois** (dans $\theta\mathbf{x}$ et, transposée, dans
#   $\theta^\top\mathbf{y}$) : son gradient sera la **somme** des deux chemins, comme
#   pour $q$ plus haut ;
# - $\mathbf{x}$ aussi : dans l'encodeur, et directement dans le coût (la longue flèche à
#   gauche), le « terme direct » de la {numref}`section %s <sec-regle-chaine>`.
#
# (sec-passe-arriere)=
# ## La passe arrière, étape par étape
#
# `loss.backward()` part de `loss` avec le gradient initial 1, puis exécute chaque nœud
# **une seule fois**, quand tous les messages qu'il attend sont arrivés et additionnés : il
# applique la règle de la {numref}`section %s <sec-scalaires>` et envoie un message à
# chacun de ses parents ; un nœud `AccumulateGrad` ajoute ce qu'il reçoit au `.grad` de sa
# feuille. Pour voir l'ordre d'exécution, on pose sur chaque nœud un crochet appelé juste
# avant lui (`node.register_prehook`), qui note son nom :

# %%
names = {
    "ℓ": loss,
    "s": s,
    "r": r,
    "x̂": x_hat,
    "θᵀy": theta_T_y,
    "θᵀ": theta_T,
    "y": y,
    "θx": theta_x,
}
name_of = {t.grad_fn: name for name, t in names.items()}
for node in nodes:
    if (
        type(node).__name__ == "AccumulateGrad"
    ):  # le nœud d'une feuille
        name_of[node] = next(
            k for k, t in leaves.items() if t is node.variable
        )

order = []
for node in nodes:
    node.register_prehook(
        lambda grads, node=node: order.append(name_of[node])
    )
loss.backward()
print(" → ".join(order))

# %% tags=["remove-cell"]
# Les figures des étapes : le même calcul, refait sur des copies des feuilles, et chaque
# nœud relevé pendant sa passe arrière (tp2_src.graph) ; mêmes nombres, même ordre.
copies = {
    k: t.detach().clone().requires_grad_()
    for k, t in leaves.items()
}
b2_c, th_c, b1_c, x_c = copies.values()
named = {"θx": th_c @ x_c}
named["y"] = named["θx"] + b1_c
named["θᵀ"] = th_c.T
named["θᵀy"] = named["θᵀ"] @ named["y"]
named["x̂"] = named["θᵀy"] + b2_c
named["r"] = x_c - named["x̂"]
named["s"] = named["r"] ** 2
loss_c = named["s"].sum()
step_graph = autograd_graph(
    loss_c, leaves=copies, intermediates=named
)
reference = reference_gradients(
    loss_c, {**copies, **named, "ℓ": loss_c}
)
with record_backward(step_graph) as steps:
    loss_c.backward()
worst = assert_backward_matches(step_graph, steps, reference)
assert [
    step.node for step in steps
] == order  # l'ordre que montre la cellule ci-dessus
for name, leaf in leaves.items():
    torch.testing.assert_close(
        copies[name].grad, leaf.grad, rtol=0, atol=0
    )
# Les textes des étapes ci-dessous décrivent cet ordre : il doit être celui d'autograd.
assert order == [
    "ℓ",
    "s",
    "r",
    "x̂",
    "b₂",
    "θᵀy",
    "θᵀ",
    "y",
    "b₁",
    "θx",
    "θ",
    "x",
]
for k in range(1, len(steps) + 1):
    frame = graph_figure(step_graph, steps=steps[:k])
    glue_figure(f"backward_{k}", frame)
glue("backward_steps", len(steps), "d")
glue_text(
    "backward_gap",
    "identiques au bit près"
    if worst == 0
    else f"égaux à {worst:.0e} près".replace("e-", " × 10^-"),
)

# %% [markdown]
# La {numref}`fig-backward` suit ces {glue:md}`backward_steps` étapes ; ses nombres sont
# relevés dans autograd pendant la passe arrière (et {glue:md}`backward_gap` à ceux de
# `torch.autograd.grad`). En rouge, le gradient reçu par un nœud exécuté ; en orange, les
# messages déjà arrivés à un nœud qui en attend d'autres ; en gris, rien encore. Le cadre
# rouge désigne le nœud qui vient de s'exécuter. Quand deux nœuds sont prêts, autograd
# prend le plus récemment créé, et une feuille prête passe tout de suite.
#
# ```{only} html
# Les boutons sous la figure passent d'une étape à l'autre ; une fois la figure choisie
# (d'un clic ou de la touche Tab), les flèches du clavier aussi.
# ```
#
# ```{only} notebook
# Dans ce notebook, la cellule ci-dessus affiche le graphe après chacune des étapes.
# ```
#
# ::::{stepper}
# :name: fig-backward
#
# :::{glue:figure} backward_1
# :alt: Étape 1 sur 12. Le nœud SumBackward0 (ℓ), encadré de rouge, reçoit le gradient initial 1 ; l'arête vers s est rouge ; s affiche en orange le message reçu ; tous les autres nœuds sont en gris.
#
# **Étape 1.** La somme $\ell = \sum_i s_i$ reçoit le gradient initial
# $\partial\ell/\partial\ell = 1$. Sa dérivée locale vaut 1 pour chaque coordonnée : elle
# envoie à $s$ un vecteur de 1.
# :::
#
# :::{glue:figure} backward_2
# :alt: Étape 2 sur 12. Le nœud PowBackward0 (s), encadré de rouge, a reçu un vecteur de 1 et envoie son message à la soustraction r.
#
# **Étape 2.** Le carré $s = r^2$ (coordonnée par coordonnée) a pour dérivée locale $2r$ :
# il envoie $\partial\ell/\partial r = 2r \odot \partial\ell/\partial s$ (produit
# coordonnée par coordonnée).
# :::
#
# :::{glue:figure} backward_3
# :alt: Étape 3 sur 12. Le nœud SubBackward0 (r), encadré de rouge, envoie un message à x̂ et un à la feuille x ; x affiche en orange « reçu 1/2 », car il attend un second message.
#
# **Étape 3.** La soustraction $r = \mathbf{x} - \hat{\mathbf{x}}$ envoie
# $+\partial\ell/\partial r$ à $\mathbf{x}$ et $-\partial\ell/\partial r$ à
# $\hat{\mathbf{x}}$. La feuille $\mathbf{x}$ attend un second message (celui de
# l'encodeur) : elle n'a reçu qu'une partie de son gradient.
# :::
#
# :::{glue:figure} backward_4
# :alt: Étape 4 sur 12. Le nœud AddBackward0 (x̂), encadré de rouge, recopie son gradient vers MvBackward0 (θᵀy) et vers la feuille b₂.
#
# **Étape 4.** Notons $\boldsymbol{\delta} = \partial\ell/\partial\hat{\mathbf{x}}$.
# L'addition $\hat{\mathbf{x}} = \theta^\top\mathbf{y} + b_2$ a des dérivées locales égales
# à 1 : elle recopie $\boldsymbol{\delta}$ vers $\theta^\top\mathbf{y}$ et vers $b_2$.
# :::
#
# :::{glue:figure} backward_5
# :alt: Étape 5 sur 12. Le nœud AccumulateGrad de la feuille b₂, encadré de rouge, a reçu son gradient et le dépose dans b₂.grad.
#
# **Étape 5.** Deux nœuds sont prêts ; la feuille passe d'abord. Son nœud
# `AccumulateGrad` ajoute $\boldsymbol{\delta}$ à `b2.grad` : le premier gradient de
# paramètre est prêt.
# :::
#
# :::{glue:figure} backward_6
# :alt: Étape 6 sur 12. Le nœud MvBackward0 (θᵀy), encadré de rouge, envoie un message à PermuteBackward0 (θᵀ) et un à AddBackward0 (y).
#
# **Étape 6.** Le produit $M\mathbf{y}$, avec $M = \theta^\top$, envoie
# $\boldsymbol{\delta}\,\mathbf{y}^\top$ (forme $d\times d_y$) vers $M$ et
# $M^\top\boldsymbol{\delta} = \theta\,\boldsymbol{\delta}$ vers $\mathbf{y}$ : la
# {numref}`section %s <sec-regle-chaine>` démontre ces deux formules.
# :::
#
# :::{glue:figure} backward_7
# :alt: Étape 7 sur 12. Le nœud PermuteBackward0 (θᵀ), encadré de rouge, renvoie le gradient transposé vers θ, qui affiche en orange « reçu 1/2 ».
#
# **Étape 7.** $\theta^\top$ et $\mathbf{y}$ sont prêts ; $\theta^\top$, créé après
# $\mathbf{y}$, passe d'abord. La transposition renvoie le gradient transposé :
# $(\boldsymbol{\delta}\,\mathbf{y}^\top)^\top = \mathbf{y}\,\boldsymbol{\delta}^\top$, de
# la forme de $\theta$. $\theta$ a reçu un message sur deux.
# :::
#
# :::{glue:figure} backward_8
# :alt: Étape 8 sur 12. Le nœud AddBackward0 (y), encadré de rouge, recopie son gradient vers MvBackward0 (θx) et vers la feuille b₁.
#
# **Étape 8.** L'addition $\mathbf{y} = \theta\mathbf{x} + b_1$ recopie
# $\partial\ell/\partial\mathbf{y}$ vers $\theta\mathbf{x}$ et vers $b_1$.
# :::
#
# :::{glue:figure} backward_9
# :alt: Étape 9 sur 12. Le nœud AccumulateGrad de la feuille b₁, encadré de rouge, dépose son gradient dans b₁.grad.
#
# **Étape 9.** La feuille $b_1$ passe avant le produit : `b1.grad` reçoit
# $\partial\ell/\partial b_1 = \partial\ell/\partial\mathbf{y}$.
# :::
#
# :::{glue:figure} backward_10
# :alt: Étape 10 sur 12. Le nœud MvBackward0 (θx), encadré de rouge, envoie un message à θ et un à x ; les deux feuilles affichent en orange « reçu 2/2 ».
#
# **Étape 10.** Le produit $\theta\mathbf{x}$ envoie
# $(\partial\ell/\partial(\theta\mathbf{x}))\,\mathbf{x}^\top$ vers $\theta$ et
# $\theta^\top\,\partial\ell/\partial(\theta\mathbf{x})$ vers $\mathbf{x}$. $\theta$ et
# $\mathbf{x}$ ont maintenant reçu leurs deux messages.
# :::
#
# :::{glue:figure} backward_11
# :alt: Étape 11 sur 12. Le nœud AccumulateGrad de la feuille θ, encadré de rouge, dépose dans θ.grad la somme des deux messages reçus.
#
# **Étape 11.** Autograd a additionné les deux messages de $\theta$ (par la transposition
# et par le produit $\theta\mathbf{x}$) avant d'exécuter son nœud : `theta.grad` reçoit
# leur somme. C'est la somme des chemins de la règle de chaîne.
# :::
#
# :::{glue:figure} backward_12
# :alt: Étape 12 sur 12. Le nœud AccumulateGrad de la feuille x, encadré de rouge, dépose dans x.grad la somme de ses deux messages ; tous les nœuds portent leur gradient en rouge.
#
# **Étape 12.** De même pour $\mathbf{x}$ : le terme direct venu de la soustraction et le
# message de l'encodeur sont additionnés dans `x.grad`. La passe arrière est finie.
# :::
#
# La passe arrière de l'auto-encodeur, étape par étape : le graphe de la
# {numref}`fig-autoencodeur` après chaque nœud exécuté, dans l'ordre d'autograd, avec les
# gradients reçus (rouge) et les messages en attente (orange).
# ::::
#
# Chaque gradient n'est calculé qu’**une** fois : $\theta$ et $\mathbf{x}$ attendent leurs
# deux messages, puis les additionnent. L'ordre entre nœuds prêts ne change aucun
# résultat (encadré ci-dessous).
#
# ```{optional-start} L'ordre d'exécution des nœuds
# ```
#
# Chaque nœud porte un numéro de création, que renvoie sa méthode `_sequence_nr()` (le
# tiret bas signale une méthode interne de PyTorch, sans garantie de stabilité : on la lit
# pour comprendre, on ne s'en sert pas dans un programme). Le compteur avance à chaque
# opération enregistrée du programme : les plus petits numéros sont ceux des premières
# opérations de l'auto-encodeur, et ils ne commencent pas à 0, car les calculs de la
# {numref}`section %s <sec-scalaires>` ont compté aussi. Parmi les nœuds prêts, autograd
# exécute d'abord celui qui a le plus grand numéro ; les nœuds `AccumulateGrad` ont le
# plus grand numéro possible, $2^{64} - 1$, si bien qu'une feuille prête reçoit son
# gradient tout de suite.

# %%
MAX = 2**64 - 1  # le numéro des nœuds AccumulateGrad
node_of = {name: node for node, name in name_of.items()}
print("étape | nœud             | tenseur | numéro de création")
for k, name in enumerate(order, start=1):
    node = node_of[name]
    number = node._sequence_nr()
    number = "2⁶⁴ − 1" if number == MAX else number
    kind = type(node).__name__
    print(f"{k:>5} | {kind:<16} | {name:>7} | {number}")

# %% tags=["remove-cell"]
assert all(node_of[n]._sequence_nr() == MAX for n in leaves)
# Solution de l'exercice 1.f : à numéro égal, l'ordre des entrées du produit décide.
swapped = []
x_, theta_ = (
    t.detach().clone().requires_grad_() for t in (x, theta)
)
for name, t in (("x", x_), ("θ", theta_)):
    t.register_post_accumulate_grad_hook(
        lambda _, n=name: swapped.append(n)
    )
(((x_ - theta_.T @ (x_ @ theta_.T)) ** 2).sum()).backward()
assert swapped == ["x", "θ"] and order[-2:] == ["θ", "x"]
glue_text("swapped_order", " puis ".join(swapped))

# %% [markdown]
# $\theta$ et $\mathbf{x}$ passent en dernier parce que leur second message vient du
# produit $\theta\mathbf{x}$, le premier nœud créé de ce graphe, donc le dernier exécuté.
#
# ```{exercise} Exercice 1.f — l'ordre de la passe arrière
# :label: ex-1f
# :nonumber:
# Dans la passe arrière de l'auto-encodeur, pourquoi le nœud `AccumulateGrad` de
# $\mathbf{x}$ s'exécute-t-il en dernier, alors que la soustraction lui a envoyé un
# message dès l'étape 3 ?
# ```
#
# ```{solution} ex-1f
# :class: dropdown
# Un nœud ne s'exécute qu'une fois **tous** ses messages arrivés : $\mathbf{x}$ attend
# aussi celui du produit $\theta\mathbf{x}$. Ce produit, créé le premier dans ce graphe, a
# le plus petit numéro de création (encadré « L'ordre d'exécution des nœuds ») : parmi
# les nœuds prêts, il passe toujours après les autres, à l'étape 10, après toute la
# remontée du décodeur. Autograd additionne alors les deux messages de $\mathbf{x}$ et
# n'écrit `x.grad` qu'une fois.
#
# Et pourquoi $\mathbf{x}$ après $\theta$, que ce même produit libère au même moment ? Les
# deux feuilles ont le même numéro, $2^{64} - 1$ : aucune règle ne les départage, et
# l'ordre vient de la façon dont le produit range ses messages, dans l'ordre de ses
# entrées, $\theta$ puis $\mathbf{x}$. Écrit `x @ theta.T`, le même calcul exécute les
# feuilles dans l'ordre {glue:md}`swapped_order`. Cet ordre ne change aucun gradient :
# chaque feuille reçoit la somme de tous ses messages.
# ```
#
# ```{optional-end}
# ```

# %% [markdown]
# (sec-decoupage)=
# ## Isoler une fonction du graphe : $f$, $g$ et $L$
#
# L'énoncé coupe le graphe en trois morceaux autour d'une fonction $g$, ici la linéaire
# $\hat{\mathbf{x}} = \theta^\top\mathbf{y} + b_2$ ({numref}`fig-decoupage`, la figure 2
# de l'énoncé) :
#
# - $\mathbf{m} = (b_2, \theta, b_1, \mathbf{x})$ rassemble **toutes les feuilles** ;
# - $f$ regroupe tout ce qui se passe **avant** $g$ et fabrique ses entrées
#   $\mathbf{n} = f(\mathbf{m}) = (b_2, \theta^\top, \mathbf{y})$ ;
# - $g$ est la fonction étudiée : $\mathbf{z} = g(\mathbf{n}) = \theta^\top\mathbf{y} + b_2
#   = \hat{\mathbf{x}}$ ;
# - $L$ regroupe tout ce qui se passe **après** $g$ : le coût
#   $\ell = L(\mathbf{m}, \mathbf{z})$. Il dépend de $\mathbf{z}$, mais aussi directement de
#   $\mathbf{m}$ (ici par $\mathbf{x}$).
#
# Le calcul coule des feuilles vers le coût : $f$ est **en amont** de $g$, et $L$ **en
# aval** (l'énoncé dit l'inverse) ; le gradient remonte le courant.
#
# On note $L_{\mathbf{m}}(\mathbf{z}) = L(\mathbf{m}, \mathbf{z})$ le coût vu comme une
# fonction de $\mathbf{z}$ seul ($\mathbf{m}$ fixé), et $L_f(\mathbf{m}) = L(\mathbf{m},
# g(f(\mathbf{m})))$. Sur la figure, $\partial\ell/\partial\mathbf{z}$ et
# $\partial\ell/\partial\mathbf{n}$ abrègent $\partial L_{\mathbf{m}}/\partial\mathbf{z}$
# et $\partial (L_{\mathbf{m}}\circ g)/\partial\mathbf{n}$. Ces vecteurs sont
# **aplatis** : $\mathbf{m}_k$ est la $k$-ième coordonnée de tous les nombres de $b_2$,
# $\theta$ (ligne par ligne), $b_1$ et $\mathbf{x}$ mis bout à bout ; $\mathbf{m}$ en
# compte {glue:md}`m_size`, $\mathbf{n}$ {glue:md}`n_size` et $\mathbf{z}$
# {glue:md}`z_size`.

# %% tags=["remove-cell"]
glue("m_size", sum(t.numel() for t in leaves.values()), "d")
glue("n_size", b2.numel() + theta_T.numel() + y.numel(), "d")
glue("z_size", x_hat.numel(), "d")
glue_figure("fig_decoupage", function_split_figure())

# %% [markdown]
# ```{glue:figure} fig_decoupage
# :alt: Six cases empilées reliées par des flèches noires vers le bas : m = (b₂, θ, b₁, x), f (tout ce qui précède g), n = f(m), g (la fonction linéaire, encadrée en rouge), z = g(n) = x̂, L (le coût). À gauche, une flèche noire relie m directement à L (le terme direct), et une flèche rouge pointillée remonte de L à m (∂L/∂m). À droite, des flèches rouges pointillées remontent de L à g (∂ℓ/∂z), de g à f (∂ℓ/∂n), puis de f à m.
# :name: fig-decoupage
#
# La fonction $g$ isolée entre son amont $f$ et son aval $L$ (la figure 2 de l'énoncé). En
# noir, le calcul descend ; en rouge pointillé, la passe arrière remonte :
# $\partial\ell/\partial\mathbf{z}$ entre dans $g$, $\partial\ell/\partial\mathbf{n}$ en
# sort vers $f$, qui renvoie sa part à $\mathbf{m}$ ; à gauche, $L$ renvoie directement à
# $\mathbf{m}$ le terme direct $\partial L/\partial\mathbf{m}$, et $\mathbf{m}$ additionne
# les deux messages.
# ```

# %% [markdown]
# (sec-regle-chaine)=
# ## La règle de dérivation en chaîne, démontrée pas à pas
#
# ### Le rappel
#
# Si une fonction $F(\mathbf{u}, \mathbf{v})$ est évaluée en $\mathbf{u} = g(\mathbf{t})$ et
# $\mathbf{v} = h(\mathbf{t})$, chaque coordonnée $\mathbf{t}_k$ influence le résultat par
# les deux arguments, et les contributions s'additionnent :
#
# $$
# \frac{\partial}{\partial \mathbf{t}_k} F\big(g(\mathbf{t}), h(\mathbf{t})\big)
# = \sum_i \frac{\partial F}{\partial \mathbf{u}_i} \, \frac{\partial g_i}{\partial \mathbf{t}_k}(\mathbf{t})
# + \sum_j \frac{\partial F}{\partial \mathbf{v}_j} \, \frac{\partial h_j}{\partial \mathbf{t}_k}(\mathbf{t}),
# $$
#
# où $\partial F / \partial \mathbf{u}_i$ est la dérivée par rapport à la $i$-ième
# coordonnée du premier argument. (L'énoncé nomme cette fonction $L$, que nous gardons
# pour le coût, et écrit par erreur $\partial g_j/\partial\mathbf{t}_k$ dans la seconde
# somme.) Ici, $g$ et $h$ sont génériques : ce $g$ n'est pas celui de la figure.
#
# ### Des deux arguments aux deux équations de l'énoncé
#
# On veut dériver $L_f(\mathbf{m}) = L\big(\mathbf{m}, g(f(\mathbf{m}))\big)$ par rapport à
# $\mathbf{m}_k$ : c'est le rappel, avec $F = L$ et $\mathbf{t} = \mathbf{m}$.
#
# - Le **premier argument** de $L$ est $\mathbf{m}$ lui-même : le « $g$ » du rappel est
#   l'identité, dont la dérivée $\partial \mathbf{m}_i / \partial \mathbf{m}_k$ vaut 1 si
#   $i = k$ et 0 sinon. La première somme se réduit à son terme $i = k$,
#   $\partial L / \partial \mathbf{m}_k\,(\mathbf{m}, \mathbf{z})$ : la dérivée de $L$ par
#   rapport à son premier argument, $\mathbf{z}$ tenu fixe. C'est le **terme direct** (pour
#   l'auto-encodeur, $L$ lit $\mathbf{x}$ sans passer par $g$).
# - Le **second argument** est $\mathbf{z} = g(f(\mathbf{m}))$ : le « $h$ » du rappel est
#   $g \circ f$, et il reste
#   $\sum_j \frac{\partial L}{\partial \mathbf{z}_j}\,
#   \frac{\partial (g\circ f)_j}{\partial \mathbf{m}_k}$.
#
# Le rappel, appliqué une seconde fois à $g \circ f$ (un seul argument intermédiaire,
# $\mathbf{n} = f(\mathbf{m})$), donne
# $\frac{\partial (g\circ f)_j}{\partial \mathbf{m}_k} = \sum_i \frac{\partial g_j}{\partial \mathbf{n}_i}\,
# \frac{\partial f_i}{\partial \mathbf{m}_k}$. On remplace, puis on échange les deux sommes :
#
# $$
# \sum_j \frac{\partial L}{\partial \mathbf{z}_j}
#   \sum_i \frac{\partial g_j}{\partial \mathbf{n}_i} \frac{\partial f_i}{\partial \mathbf{m}_k}
# = \sum_i \underbrace{\Big( \sum_j \frac{\partial L}{\partial \mathbf{z}_j}
#   \frac{\partial g_j}{\partial \mathbf{n}_i} \Big)}_{\partial (L_{\mathbf{m}}\circ g)/\partial \mathbf{n}_i}
#   \frac{\partial f_i}{\partial \mathbf{m}_k} .
# $$
#
# La parenthèse est la dérivée de $\mathbf{n} \mapsto L(\mathbf{m}, g(\mathbf{n}))$,
# $\mathbf{m}$ fixé, c'est-à-dire de $L_{\mathbf{m}} \circ g$. On obtient les deux
# équations de l'énoncé :
#
# $$
# \begin{aligned}
# \class{tpvert}{\frac{\partial L_f}{\partial \mathbf{m}_k}(\mathbf{m})}
#   &= \underbrace{\class{tpvert}{\frac{\partial L}{\partial \mathbf{m}_k}(\mathbf{m}, \mathbf{z})}}_{\text{terme direct}}
#    + \sum_i \class{tpvert}{\frac{\partial (L_{\mathbf{m}} \circ g)}{\partial \mathbf{n}_i}(\mathbf{n})}
#      \, \class{tprouge}{\frac{\partial f_i}{\partial \mathbf{m}_k}(\mathbf{m})}, \\
# \class{tpvert}{\frac{\partial (L_{\mathbf{m}} \circ g)}{\partial \mathbf{n}_k}(\mathbf{n})}
#   &= \sum_i \class{tpvert}{\frac{\partial L}{\partial \mathbf{z}_i}(\mathbf{m}, \mathbf{z})}
#      \, \class{tprouge}{\frac{\partial g_i}{\partial \mathbf{n}_k}(\mathbf{n})}.
# \end{aligned}
# $$
#
# Les couleurs sont celles de l'énoncé. **En vert**, les dérivées du coût par rapport aux
# entrées d'une fonction : $\partial L/\partial\mathbf{z}$, que l'aval transmet à $g$,
# $\partial (L_{\mathbf{m}}\circ g)/\partial\mathbf{n}$, que $g$ transmet à $f$, le terme
# direct $\partial L/\partial\mathbf{m}$, que $L$ renvoie aux feuilles, et le résultat
# $\partial L_f/\partial\mathbf{m}$ : les messages de la passe arrière. **En
# rouge**, les dérivées d'une fonction par rapport à ses propres entrées,
# $\partial g_i/\partial\mathbf{n}_k$ et $\partial f_i/\partial\mathbf{m}_k$, qui se
# calculent analytiquement. La seconde équation dit ce que $g$ doit savoir faire :
# combiner le message vert reçu de l'aval avec ses dérivées rouges, et transmettre le
# résultat à l'amont, qui fait de même ; la première ajoute le terme direct. C'est ce
# qu'autograd a fait à chaque étape de la {numref}`fig-backward`.
#
# ```{optional-start} La même règle avec des matrices jacobiennes
# ```
#
# Pour une fonction $F : \mathbb{R}^P \to \mathbb{R}^Q$, la
# {term}`matrice jacobienne <jacobienne>`
# $J_F(\mathbf{t}) \in \mathbb{R}^{Q \times P}$ range toutes les dérivées partielles :
# $(J_F)_{ik} = \partial F_i / \partial \mathbf{t}_k$ (une ligne par sortie, une colonne
# par entrée). La règle de chaîne d'une composée est un **produit de jacobiennes**, dans
# l'ordre de la composition : $J_{g\circ f}(\mathbf{m}) = J_g(\mathbf{n})\,J_f(\mathbf{m})$,
# de formes $(\dim\mathbf{z} \times \dim\mathbf{n})(\dim\mathbf{n} \times \dim\mathbf{m})$,
# où $\dim$ compte les coordonnées. L'ordre compte : dans l'autre sens, le produit n'aurait
# même pas de formes compatibles ($\dim\mathbf{m} \neq \dim\mathbf{z}$).
#
# Avec des gradients écrits en colonnes, les deux équations deviennent
#
# $$
# \underbrace{\nabla_{\mathbf{n}} (L_{\mathbf{m}}\circ g)}_{\dim\mathbf{n}}
#   = \underbrace{J_g(\mathbf{n})^\top}_{\dim\mathbf{n} \times \dim\mathbf{z}}\,
#     \underbrace{\nabla_{\mathbf{z}} L}_{\dim\mathbf{z}},
# $$
#
# $$
# \underbrace{\nabla_{\mathbf{m}} L_f}_{\dim\mathbf{m}}
#   = \underbrace{\nabla_{\mathbf{m}} L}_{\dim\mathbf{m}}
#   + \underbrace{J_f(\mathbf{m})^\top}_{\dim\mathbf{m} \times \dim\mathbf{n}}\,
#     \underbrace{\nabla_{\mathbf{n}} (L_{\mathbf{m}}\circ g)}_{\dim\mathbf{n}} .
# $$
#
# Chaque étape de la passe arrière est donc un {term}`produit vecteur–jacobienne` : le
# gradient reçu $\mathbf{w}$ multiplié par la jacobienne du nœud, $J^\top\mathbf{w}$, soit,
# écrit en ligne, $\mathbf{w}^\top J$. Autograd ne construit jamais $J$ : chaque nœud sait
# calculer $\mathbf{w}^\top J$ directement, comme on va le faire pour $g$. Le
# {ref}`chapitre 2 <chap-autograd>` calcule des jacobiennes complètes pour le vérifier.
#
# ```{optional-end}
# ```
#
# ### Pour la fonction linéaire $g$ : des indices aux matrices
#
# Écrivons $g$ avec $M = \theta^\top \in \mathbb{R}^{d\times d_y}$ :
# $\mathbf{z}_i = \sum_l M_{il}\,\mathbf{y}_l + (b_2)_i$, et notons
# $\boldsymbol{\delta} = \partial\ell/\partial\mathbf{z} \in \mathbb{R}^d$ le message vert
# venu de l'aval ; pour $L(\mathbf{m}, \mathbf{z}) = \lVert\mathbf{x} - \mathbf{z}\rVert^2$,
# $\boldsymbol{\delta} = 2(\mathbf{z} - \mathbf{x})$. La seconde équation donne,
# coordonnée par coordonnée (le crochet $[i = k]$ vaut 1 si $i = k$, 0 sinon) :
#
# - par rapport à $M$ : $\partial \mathbf{z}_i / \partial M_{kl} = [i = k]\,\mathbf{y}_l$,
#   donc $\partial\ell/\partial M_{kl} = \sum_i \boldsymbol{\delta}_i\,[i = k]\,\mathbf{y}_l
#   = \boldsymbol{\delta}_k\,\mathbf{y}_l$. Rangé en matrice :
#   $\partial\ell/\partial M = \boldsymbol{\delta}\,\mathbf{y}^\top$, de forme
#   $(d\times 1)(1\times d_y) = d\times d_y$, celle de $M$ ;
# - par rapport à $\mathbf{y}$ : $\partial \mathbf{z}_i / \partial \mathbf{y}_l = M_{il}$,
#   donc $\partial\ell/\partial\mathbf{y}_l = \sum_i \boldsymbol{\delta}_i M_{il}$, soit
#   $\partial\ell/\partial\mathbf{y} = M^\top\boldsymbol{\delta} = \theta\,\boldsymbol{\delta}$,
#   de forme $d_y$ ;
# - par rapport à $b_2$ : $\partial \mathbf{z}_i / \partial (b_2)_k = [i = k]$, donc
#   $\partial\ell/\partial b_2 = \boldsymbol{\delta}$, de forme $d$.
#
# ### Dans l'amont $f$ : la transposée, puis l'encodeur
#
# La première équation fait passer ces messages par $f$, morceau par morceau de
# $\mathbf{n} = (b_2, \theta^\top, \mathbf{y})$.
#
# - $b_2$ est une feuille : il garde $\boldsymbol{\delta}$.
# - **La transposée.** $f$ fabrique $M$ en transposant $\theta$ : $M_{kl} = \theta_{lk}$,
#   d'où $\partial M_{kl}/\partial\theta_{lk} = 1$. Le message qui arrive à $\theta$ par
#   ce chemin est $\partial\ell/\partial\theta_{lk} = \boldsymbol{\delta}_k\,\mathbf{y}_l$,
#   soit la matrice $\mathbf{y}\,\boldsymbol{\delta}^\top$, de la forme $d_y\times d$ de
#   $\theta$ (l'étape 7 de la passe arrière).
# - **L'encodeur.** $f$ calcule aussi $\mathbf{y} = \theta\mathbf{x} + b_1$, une fonction
#   linéaire comme $g$, qui reçoit le message
#   $\boldsymbol{\gamma} = \partial\ell/\partial\mathbf{y} = \theta\boldsymbol{\delta}$.
#   Coordonnée par coordonnée, $\mathbf{y}_i = \sum_k \theta_{ik}\,\mathbf{x}_k + (b_1)_i$,
#   donc $\partial\mathbf{y}_i/\partial\theta_{jk} = [i = j]\,\mathbf{x}_k$,
#   $\partial\mathbf{y}_i/\partial\mathbf{x}_k = \theta_{ik}$ et
#   $\partial\mathbf{y}_i/\partial(b_1)_j = [i = j]$. La seconde équation, appliquée à
#   l'encodeur comme plus haut à $g$, donne
#   $\partial\ell/\partial\theta_{jk} = \sum_i \boldsymbol{\gamma}_i\,[i = j]\,\mathbf{x}_k
#   = \boldsymbol{\gamma}_j\,\mathbf{x}_k$, soit $\boldsymbol{\gamma}\,\mathbf{x}^\top$ ;
#   $\partial\ell/\partial\mathbf{x}_k = \sum_i \boldsymbol{\gamma}_i\,\theta_{ik}$, soit
#   $\theta^\top\boldsymbol{\gamma}$ ; et $\partial\ell/\partial b_1 = \boldsymbol{\gamma}$.
# - **Le terme direct** : $L$ lit $\mathbf{x}$, et
#   $\partial L/\partial\mathbf{x} = 2(\mathbf{x} - \mathbf{z}) = -\boldsymbol{\delta}$.
#
# Chaque feuille additionne les messages de ses chemins :
#
# $$
# \begin{aligned}
# \frac{\partial \ell}{\partial \theta}
#   &= \underbrace{\mathbf{y}\,\boldsymbol{\delta}^\top}_{\text{par } \theta^\top}
#   + \underbrace{\boldsymbol{\gamma}\,\mathbf{x}^\top}_{\text{par } \mathbf{y}}, &
# \frac{\partial \ell}{\partial \mathbf{x}}
#   &= \underbrace{-\boldsymbol{\delta}}_{\text{terme direct}}
#   + \theta^\top\boldsymbol{\gamma}, \\
# \frac{\partial \ell}{\partial b_1} &= \boldsymbol{\gamma}, &
# \frac{\partial \ell}{\partial b_2} &= \boldsymbol{\delta}.
# \end{aligned}
# $$
#
# (sec-trois-calculs)=
# ## Trois calculs du même gradient
#
# Ces formules se programment sans autograd, avec de l'algèbre de tenseurs.
#
# ````{exercise}
# :label: ex-1b
# :nonumber:
# Complétez `autoencoder_gradients`, qui rend les gradients de
# $\ell = \lVert \mathbf{x} - (\theta^\top(\theta\mathbf{x} + b_1) + b_2) \rVert^2$ par
# rapport aux quatre feuilles, écrits avec les formules de la règle de chaîne, sans
# autograd (`torch.outer(u, v)` est la matrice $\mathbf{u}\mathbf{v}^\top$) :
#
# ```python
# def autoencoder_gradients(x, theta, b1, b2):
#     """∂ℓ/∂b₂, ∂ℓ/∂θ, ∂ℓ/∂b₁, ∂ℓ/∂x, sans autograd ; chacun a la
#     forme de son tenseur."""
#     y = theta @ x + b1
#     x_hat = theta.T @ y + b2
#     delta = 2 * (x_hat - x)  # ∂L/∂z, venu de l'aval
#     gamma = ...  # À vous : ∂ℓ/∂y, transmis à f
#     return {
#         "b₂": ...,  # À vous
#         "θ": ...,  # le chemin par θᵀ + le chemin par θx
#         "b₁": ...,
#         "x": ...,  # le terme direct + le chemin par y
#     }
# ```
# ````
#
# ```{solution-start} ex-1b
# :class: dropdown
# ```
#
# $\mathbf{x}$ reçoit le terme direct $-\boldsymbol{\delta}$ et le message du chemin par
# $\mathbf{y}$, $\theta^\top\boldsymbol{\gamma}$ ; $\theta$, les messages de ses deux
# utilisations, $\mathbf{y}\boldsymbol{\delta}^\top$ (par $\theta^\top$) et
# $\boldsymbol{\gamma}\mathbf{x}^\top$ (par $\theta\mathbf{x}$).


# %% tags=["solution"]
def autoencoder_gradients(x, theta, b1, b2):
    """∂ℓ/∂b₂, ∂ℓ/∂θ, ∂ℓ/∂b₁, ∂ℓ/∂x, sans autograd ; chacun a la
    forme de son tenseur."""
    y = theta @ x + b1
    x_hat = theta.T @ y + b2
    delta = 2 * (x_hat - x)  # ∂L/∂z, venu de l'aval
    gamma = theta @ delta  # ∂ℓ/∂y = θδ, transmis à f
    return {
        "b₂": delta,
        "θ": torch.outer(y, delta) + torch.outer(gamma, x),
        "b₁": gamma,
        "x": -delta + theta.T @ gamma,  # terme direct + par y
    }


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("ex-1b", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Sur des copies **détachées** des feuilles (`.detach()`), qui n'ajoutent rien au graphe :

# %%
by_hand = autoencoder_gradients(
    x.detach(), theta.detach(), b1.detach(), b2.detach()
)
print({name: tuple(g.shape) for name, g in by_hand.items()})

# %% [markdown]
# Comparons-le à **autograd** (le `.grad` des feuilles, rempli à la
# {numref}`section %s <sec-passe-arriere>`) et aux {term}`différences finies` centrées
#   $\big(L_f(\mathbf{m} + \varepsilon\,\mathbf{e}_k) - L_f(\mathbf{m} - \varepsilon\,\mathbf{e}_k)\big) / 2\varepsilon$,
# ($\mathbf{e}_k$ vaut 1 en $k$, 0 ailleurs), qui n'utilisent que des évaluations du coût.
# Dans tout le livre, $\varepsilon$ est l’**incrément** des différences finies. Le code
# décale chaque nombre de la feuille de $\pm\varepsilon$, réévalue le coût, puis remet le
# nombre en place :
#
# ```{literalinclude} ../tp2_src/finite_diff.py
# :pyobject: finite_difference_grad
# :language: python
# :caption: tp2_src/finite_diff.py
# ```

# %%
from tp2_src.finite_diff import finite_difference_grad


def loss_fn() -> torch.Tensor:
    """ℓ recalculé avec les valeurs courantes (décalées) des feuilles."""
    y_ = theta @ x + b1
    return ((x - (theta.T @ y_ + b2)) ** 2).sum()


eps = 1e-6
print(
    "tenseur | forme | max |main − autograd| | max |main − diff. fin.|"
)
for name, leaf in leaves.items():
    numeric = finite_difference_grad(loss_fn, leaf, eps=eps)
    gap_auto = (by_hand[name] - leaf.grad).abs().max().item()
    gap_num = (by_hand[name] - numeric).abs().max().item()
    shape = "×".join(map(str, leaf.shape))
    print(
        f"{name:>7} | {shape:>5} | {gap_auto:>21.2e} | {gap_num:>23.2e}"
    )
    # Tolérances : l'arrondi du float64 pour autograd ; pour les
    # différences finies, l'erreur d'arrondi en u·|ℓ|/ε (encadré).
    torch.testing.assert_close(
        by_hand[name], leaf.grad, rtol=1e-10, atol=0
    )
    torch.testing.assert_close(
        by_hand[name], numeric, rtol=1e-6, atol=1e-6
    )

# %% tags=["remove-cell"]
glue(
    "fd_evaluations",
    2 * sum(leaf.numel() for leaf in leaves.values()),
    "d",
)

# %% [markdown]
# Les trois calculs concordent, aux tolérances qu'impose `torch.testing.assert_close`
# (qui lèverait une erreur au moindre désaccord) : à l'arrondi du float64 près avec
# autograd, d'un peu plus avec les différences finies (l'encadré ci-dessous dit pourquoi).
# Celles-ci coûtent deux évaluations du coût par coordonnée, quand la rétropropagation
# donne **tous** les gradients en une passe : elles ne servent qu'à **vérifier**.
#
# ```{optional-start} Ce qui limite les différences finies
# ```
#
# Deux erreurs s'opposent. L'erreur de **troncature** de la formule centrée est en
# $\varepsilon^2 |\ell'''|/6$ : elle diminue avec $\varepsilon$. Mais chaque évaluation du
# coût est arrondie, à $u\,|\ell|$ près, où $u = 2^{-53} \approx 1{,}1\times10^{-16}$ est
# l’**unité d'arrondi** du float64 ; la différence de deux valeurs voisines, divisée par
# $2\varepsilon$, amplifie cette erreur d’**arrondi** en $u\,|\ell|/\varepsilon$, qui
# **augmente** quand $\varepsilon$ diminue. Mesurons l'écart maximal sur les
# {glue:md}`m_size` coordonnées pour plusieurs incréments, à côté des deux estimations :

# %%
eps_values = [10.0**-k for k in range(1, 11)]
unit_roundoff = torch.finfo(torch.float64).eps / 2  # u = 2⁻⁵³
fd_gaps, roundoff = [], []
for e in eps_values:
    gaps = [
        finite_difference_grad(loss_fn, leaf, eps=e) - by_hand[name]
        for name, leaf in leaves.items()
    ]
    fd_gaps.append(max(g.abs().max().item() for g in gaps))
    roundoff.append(unit_roundoff * loss.item() / e)
# La troncature, en ε², ajustée au plus grand incrément
largest = eps_values[0]
truncation = [fd_gaps[0] * (e / largest) ** 2 for e in eps_values]
print("    ε | écart mesuré | arrondi estimé | troncature estimée")
for e, gap, rounding, trunc in zip(
    eps_values, fd_gaps, roundoff, truncation, strict=True
):
    print(
        f"{e:.0e} | {gap:>12.1e} | {rounding:>14.1e} |"
        f" {trunc:>18.1e}"
    )

# %% tags=["remove-cell"]
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(7, 4.6))
ax.loglog(
    eps_values,
    truncation,
    ":",
    color="C2",
    linewidth=2.5,
    label="troncature ∝ ε² (ajustée en ε = 0,1)",
)
ax.loglog(
    eps_values,
    roundoff,
    "--",
    color="C1",
    linewidth=2,
    label="arrondi estimé u·|ℓ|/ε",
)
ax.loglog(
    eps_values,
    fd_gaps,
    "o",
    color="C0",
    markersize=8,
    label="écart mesuré (max sur les coordonnées)",
)
ax.set_ylim(min(fd_gaps) / 10, fd_gaps[0] * 10)
ax.set_xlabel("incrément ε des différences finies")
ax.set_ylabel("écart maximal")
ax.legend(loc="upper center")
french_log_axis(ax)  # graduations « 10⁻⁶ » en texte, lisibles
ax.grid(True, which="major", alpha=0.3)
fig.tight_layout()
glue_figure("fig_pas_fd", fig)
gap_at_eps = fd_gaps[eps_values.index(eps)]
glue("fd_gap", gap_at_eps, ".1e")
glue("fd_roundoff", roundoff[eps_values.index(eps)], ".1e")
glue("fd_truncation", truncation[eps_values.index(eps)], ".0e")
glue(
    "fd_best_eps",
    eps_values[best := fd_gaps.index(min(fd_gaps))],
    ".0e",
)
glue("fd_best_gap", fd_gaps[best], ".1e")
# Ce que dit la prose : à ε = 1e-6, l'arrondi domine la troncature, et l'écart mesuré est
# de l'ordre de l'arrondi estimé ; le meilleur incrément est intermédiaire.
assert (
    truncation[eps_values.index(eps)]
    < roundoff[eps_values.index(eps)] / 100
)
assert 0.05 < gap_at_eps / roundoff[eps_values.index(eps)] < 20
assert 0 < best < len(eps_values) - 1

# %% [markdown]
# ```{glue:figure} fig_pas_fd
# :alt: Courbe en V, en échelles logarithmiques : l'écart mesuré est le plus grand pour le plus grand incrément ε, descend jusqu'à un minimum pour un incrément intermédiaire, puis remonte à mesure que ε devient minuscule. Une droite tiretée de pente −1, l'arrondi estimé u·|ℓ|/ε, suit la branche de gauche ; une droite pointillée de pente 2, la troncature, suit la branche de droite.
# :name: fig-pas-fd
#
# Écart maximal entre différences finies centrées et gradient exact, en fonction de
# l'incrément $\varepsilon$ (échelles logarithmiques). À droite, l'erreur de troncature
# décroît comme $\varepsilon^2$ ; à gauche, l'erreur d'arrondi croît comme
# $u\,|\ell|/\varepsilon$.
# ```
#
# La {numref}`fig-pas-fd` montre les deux branches. Avec $\varepsilon = 10^{-6}$,
# l'incrément utilisé plus haut, l'écart mesuré vaut
# {glue:md}`fd_gap` : c'est l'ordre de l'arrondi estimé $u\,|\ell|/\varepsilon$
# ({glue:md}`fd_roundoff`), alors que la troncature n'y est plus que de l'ordre de
# {glue:md}`fd_truncation`. **C'est donc l'arrondi, et non $\varepsilon^2$, qui borne
# l'accord** à cet incrément. Le meilleur incrément mesuré, $\varepsilon =$
# {glue:md}`fd_best_eps` (écart {glue:md}`fd_best_gap`), équilibre les deux erreurs.
#
# En simple précision (`float32`), l'unité d'arrondi passe à $u = 2^{-24} \approx
# 6\times10^{-8}$ : refaisons le même balayage sur des copies en float32 des feuilles.

# %%
leaves32 = {
    name: leaf.detach().float() for name, leaf in leaves.items()
}


def loss_fn32() -> torch.Tensor:
    """Le même coût, calculé en float32."""
    b2_, th_, b1_, x_ = leaves32.values()
    return ((x_ - (th_.T @ (th_ @ x_ + b1_) + b2_)) ** 2).sum()


fd_gaps32 = []
for e in eps_values[:6]:
    gaps = [
        finite_difference_grad(loss_fn32, leaf, eps=e).double()
        - by_hand[name]
        for name, leaf in leaves32.items()
    ]
    fd_gaps32.append(max(g.abs().max().item() for g in gaps))
    print(f"float32, ε = {e:.0e} : écart max {fd_gaps32[-1]:.1e}")

# %% tags=["remove-cell"]
glue("fd_best_gap32", min(fd_gaps32), ".1e")
glue(
    "fd_best_eps32",
    eps_values[fd_gaps32.index(min(fd_gaps32))],
    ".0e",
)
assert min(fd_gaps32) > 1e4 * min(fd_gaps)

# %% [markdown]
# En float32, le meilleur écart mesuré atteint encore {glue:md}`fd_best_gap32` (pour
# $\varepsilon =$ {glue:md}`fd_best_eps32`), contre {glue:md}`fd_best_gap` en float64.
# D'où deux règles pratiques : vérifier un gradient en float64, et ne jamais attendre des
# différences finies plus d'une dizaine de chiffres exacts.
#
# ```{optional-end}
# ```
#
# ## Résumé
#
# - Un calcul PyTorch est un graphe orienté acyclique : feuilles, opérations, coût.
#   Chaque résultat a un `grad_fn`, dont `next_functions` pointe vers les parents ; chaque
#   feuille a son nœud `AccumulateGrad`.
# - La passe arrière part du gradient initial 1 ; chaque nœud s'exécute une fois, quand
#   tous ses messages sont arrivés et additionnés, et envoie à chaque parent gradient reçu
#   × dérivée locale.
# - La règle de chaîne de l'énoncé découle du rappel à deux arguments : le premier donne
#   le terme direct, le second la composée $g \circ f$. En vert, les messages ; en rouge,
#   les dérivées propres à chaque fonction.
# - Le gradient écrit à la main coïncide avec celui d'autograd et avec les différences
#   finies, qui servent à vérifier.
#
# Le {ref}`chapitre suivant <chap-autograd>` regarde autograd de près : `requires_grad`,
# `backward`, `.grad`, l'accumulation des gradients, `torch.no_grad()` et les sorties non
# scalaires.
#
# ## Questions
#
# ```{exercise} Exercice 1.c — un paramètre utilisé deux fois
# :label: ex-1c
# :nonumber:
# Pourquoi $\partial\ell/\partial\theta$ est-il une somme de deux termes ? Que
# vaudrait-il si le décodeur avait sa propre matrice $\theta'$ au lieu de $\theta^\top$ ?
# ```
#
# ```{solution} ex-1c
# :class: dropdown
# $\theta$ atteint le coût par deux chemins du graphe ({numref}`fig-autoencodeur`) : par
# $\theta\mathbf{x}$ et par $\theta^\top$ ; la règle de chaîne additionne leurs
# contributions (étape 11 de la passe arrière). Avec un décodeur $\theta'$ indépendant,
# chaque matrice n'aurait qu'un chemin :
# $\partial\ell/\partial\theta = (\theta'^\top\boldsymbol{\delta})\,\mathbf{x}^\top$ et
# $\partial\ell/\partial\theta' = \boldsymbol{\delta}\,\mathbf{y}^\top$.
# ```
#
# ```{exercise} Exercice 1.d — le terme direct
# :label: ex-1d
# :nonumber:
# Dans la première équation, quel est le terme $\partial L/\partial \mathbf{m}_k$ pour
# l'auto-encodeur, et pour quelle feuille est-il non nul ?
# ```
#
# ```{solution} ex-1d
# :class: dropdown
# $L(\mathbf{m}, \mathbf{z}) = \lVert \mathbf{x} - \mathbf{z} \rVert^2$ ne dépend directement
# que de $\mathbf{x}$ parmi les feuilles : le terme direct vaut
# $2(\mathbf{x} - \mathbf{z}) = -\boldsymbol{\delta}$ pour $\mathbf{x}$ et $0$ pour
# $\theta$, $b_1$ et $b_2$. Sur la {numref}`fig-autoencodeur`, c'est la flèche qui va de
# `x` directement à `SubBackward0`.
# ```
#
# ```{exercise} Exercice 1.e — coût des différences finies
# :label: ex-1e
# :nonumber:
# Combien d'évaluations du coût demandent les différences finies centrées pour les quatre
# feuilles de ce chapitre ? Et pour un réseau d'un million de paramètres ?
# ```
#
# ```{solution} ex-1e
# :class: dropdown
# Deux par coordonnée : $2\,(d + d_y d + d_y + d)$, soit {glue:md}`fd_evaluations`
# évaluations ici, deux millions pour un million de paramètres. La rétropropagation coûte
# une passe avant et une passe arrière, du même ordre qu'une seule évaluation : c'est
# pourquoi on ne se sert des différences finies que pour **vérifier** un gradient.
# ```

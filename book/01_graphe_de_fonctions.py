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
# # 1. Graphe de fonctions et règle de dérivation en chaîne
#
# ```{admonition} Objectifs
# :class: tip
# À la fin de ce chapitre, vous saurez :
# - décrire un calcul comme un **graphe de calcul** orienté et acyclique : racines,
#   opérations, nœud terminal ;
# - lire le graphe que PyTorch enregistre réellement (`grad_fn`, `next_functions`) ;
# - isoler une fonction $g$ au milieu du graphe et écrire la **règle de dérivation en
#   chaîne** qui propage le gradient de la sortie vers les entrées ;
# - calculer ce gradient à la main, puis le confronter à autograd et aux différences finies.
# ```
#
# Tout le chapitre s'exécute : chaque figure est tracée à partir du calcul réel, chaque
# égalité annoncée est vérifiée numériquement.

# %%
import matplotlib.pyplot as plt
import networkx as nx
import torch

from tp2_src.gradcheck import finite_difference_grad
from tp2_src.graph import autograd_graph, draw_graph

# %% [markdown]
# ## 1.1 Un calcul est un graphe
#
# Quand PyTorch calcule une valeur à partir de tenseurs, il peut garder la trace de
# **toutes** les opérations effectuées. Cette trace forme un {term}`graphe de calcul` :
#
# - les **racines** sont les tenseurs de départ : les données d'entrée et les paramètres ;
# - les **nœuds internes** sont les opérations (produit matrice-vecteur, addition,
#   transposition, carré…) ;
# - le **nœud terminal** est le résultat, ici un coût scalaire.
#
# Le graphe est *orienté* (une opération consomme des entrées et produit une sortie) et
# *acyclique* : une valeur ne peut pas servir à son propre calcul. C'est ce qui permet de
# le parcourir à rebours, du résultat vers les racines, pour obtenir les dérivées
# partielles — c'est exactement le travail de la {term}`rétropropagation`.
#
# Dans tout ce TP, un réseau de neurones est vu comme une **composition de fonctions de
# base** : des transformations (linéaire…), des activations (sigmoïde, tangente
# hyperbolique, softmax…) et une fonction d'erreur (erreur quadratique…).
#
# ### L'auto-encodeur du TP
#
# L'exemple suivi est un petit auto-encodeur linéaire. Une entrée $\mathbf{x}\in\mathbb{R}^d$
# est compressée en $\mathbf{y}\in\mathbb{R}^h$ ($h<d$) puis reconstruite en
# $\hat{\mathbf{x}}\in\mathbb{R}^d$ avec la **même** matrice $\theta\in\mathbb{R}^{h\times d}$,
# transposée au retour :
#
# $$
# \mathbf{y} = \theta\,\mathbf{x} + b_1, \qquad
# \hat{\mathbf{x}} = \theta^{\top}\mathbf{y} + b_2, \qquad
# \ell = \Delta(\mathbf{x}, \hat{\mathbf{x}}) = \lVert \mathbf{x} - \hat{\mathbf{x}} \rVert^2 .
# $$
#
# Le coût $\ell\in\mathbb{R}$ est donc une fonction $L(\mathbf{x}, b_1, \theta, b_2)$ de
# quatre tenseurs. Apprendre, c'est faire baisser $\ell$ en modifiant les paramètres
# $\theta$, $b_1$ et $b_2$ : il nous faut leur gradient. On demande aussi le gradient par
# rapport à $\mathbf{x}$ (`requires_grad=True`), pour que les quatre racines apparaissent
# dans le graphe et pour suivre la formule générale jusqu'au bout. On calcule en `float64`
# pour que la comparaison avec les différences finies soit nette.

# %%
torch.manual_seed(0)  # graine fixe : les mêmes nombres à chaque exécution
d, h = 4, 2  # dimension de l'entrée, dimension du code
x = torch.randn(d, dtype=torch.float64, requires_grad=True)
theta = torch.randn(h, d, dtype=torch.float64, requires_grad=True)
b1 = torch.randn(h, dtype=torch.float64, requires_grad=True)
b2 = torch.randn(d, dtype=torch.float64, requires_grad=True)

y = theta @ x + b1  # code, forme (h,)
x_hat = theta.T @ y + b2  # reconstruction, forme (d,)
loss = ((x - x_hat) ** 2).sum()  # Δ(x, x̂)
print(f"y = {y.detach().numpy().round(4)}")
print(f"x̂ = {x_hat.detach().numpy().round(4)}")
print(f"ℓ = {loss.item():.6f}")

# %% [markdown]
# ### Figure 1 — le graphe qu'autograd a enregistré
#
# Le résultat `loss` connaît l'opération qui l'a produit : `loss.grad_fn`. Chaque nœud
# d'opération connaît à son tour ses parents par `next_functions`. Les racines qui
# recevront un gradient sont des nœuds `AccumulateGrad`, qui pointent vers le tenseur
# feuille (`.variable`). La fonction `autograd_graph` de `tp2_src.graph` parcourt ces
# liens, et `draw_graph` les dessine, racines à gauche et résultat à droite.
#
# Les noms des nœuds sont ceux des classes de PyTorch : `MvBackward0` est la passe
# arrière d'un produit matrice-vecteur, `PermuteBackward0` celle de la transposition
# `theta.T`, `PowBackward0` celle du carré. Les deux nœuds encadrés de rouge forment la
# fonction linéaire $\hat{\mathbf{x}} = \theta^\top\mathbf{y} + b_2$ que la suite du
# chapitre isole : le produit $\theta^\top\mathbf{y}$ (`MvBackward0`) puis l'ajout de
# $b_2$ (`AddBackward0`).

# %%
leaves = {"x": x, "θ": theta, "b₁": b1, "b₂": b2}
graph = autograd_graph(loss, leaves=leaves, intermediates={"y": y, "x̂": x_hat})
add_node = next(n for n, data in graph.nodes(data=True) if data["label"].endswith("→ x̂"))
product_node = next(n for n in graph.predecessors(add_node) if graph.nodes[n].get("op") == "MvBackward0")
fig1, ax = plt.subplots(figsize=(14, 5.5))
draw_graph(graph, ax=ax, highlight=[product_node, add_node],
           title="Figure 1 — graphe de calcul de l'auto-encodeur (enregistré par autograd)")
fig1.tight_layout()

# %% [markdown]
# On lit sur la figure ce que le calcul a réellement fait :

# %%
ops = [data["op"] for _, data in graph.nodes(data=True) if data["kind"] == "op"]
roots = [n for n in graph if graph.in_degree(n) == 0]
print("racines :", roots)
print("opérations :", sorted(ops))
print("nœud terminal :", [n for n in graph if graph.out_degree(n) == 0])
print("θ est utilisé par", graph.out_degree("θ"), "opérations ; x par", graph.out_degree("x"))
assert set(roots) == set(leaves), "les racines du graphe doivent être les quatre feuilles"

# %% [markdown]
# Deux détails comptent pour la suite :
#
# - $\theta$ sert **deux fois** (dans $\mathbf{y}$ et, transposée, dans $\hat{\mathbf{x}}$) :
#   son gradient sera la **somme** des contributions des deux chemins ;
# - $\mathbf{x}$ sert aussi deux fois : comme entrée de l'encodeur et directement dans le
#   coût $\Delta(\mathbf{x}, \hat{\mathbf{x}})$. Ce second chemin ne passe par aucune
#   fonction intermédiaire : c'est le « terme direct » de la formule ci-dessous.
#
# ## 1.2 Isoler une fonction du graphe : $f$, $g$ et $L$
#
# Pour raisonner sur n'importe quel nœud sans dépendre du reste du réseau, on coupe le
# graphe en trois morceaux autour d'une fonction $g$ (ici la fonction linéaire encadrée) :
#
# - $\mathbf{m}$ rassemble **toutes les racines** : $(b_2, \theta, b_1, \mathbf{x})$ ;
# - $f$ regroupe tout ce qui se passe **avant** $g$ et fabrique ses entrées
#   $\mathbf{n} = f(\mathbf{m}) = (b_2, \theta^\top, \mathbf{y})$ ;
# - $g$ est la fonction étudiée : $\mathbf{z} = g(\mathbf{n}) = \theta^\top\mathbf{y} + b_2
#   = \hat{\mathbf{x}}$ ;
# - $L$ regroupe tout ce qui se passe **après** $g$ : le coût
#   $\ell = L(\mathbf{m}, \mathbf{z})$. Il dépend de $\mathbf{z}$, mais aussi directement de
#   $\mathbf{m}$ (ici par $\mathbf{x}$).
#
# On note $L_{\mathbf{m}}(\mathbf{z}) = L(\mathbf{m}, \mathbf{z})$ le coût vu comme une
# fonction de $\mathbf{z}$ seul, et $L_f(\mathbf{m}) = L(\mathbf{m}, g(f(\mathbf{m})))$ le
# coût vu comme une fonction des racines seules.
#
# ### Figure 2 — une fonction $g$ au milieu du graphe

# %%
schema = nx.DiGraph()
schema.add_node("m", kind="leaf", label="m\n(b₂, θ, b₁, x)")
schema.add_node("f", kind="op", label="f\n(tout l'amont)")
schema.add_node("n", kind="value", label="n = f(m)\n(b₂, θᵀ, y)")
schema.add_node("g", kind="op", label="g\n(linéaire)")
schema.add_node("z", kind="value", label="z = g(n)\n= x̂")
schema.add_node("L", kind="op", label="L\n(coût)")
schema.add_node("ℓ", kind="output", label="ℓ = L(m, z)")
schema.add_edges_from([("m", "f"), ("f", "n"), ("n", "g"), ("g", "z"), ("z", "L"),
                       ("m", "L"), ("L", "ℓ")])
fig2, ax = plt.subplots(figsize=(12, 3.5))
draw_graph(schema, ax=ax, highlight=["g"],
           title="Figure 2 — la fonction g entre son amont f et son aval L")
fig2.tight_layout()

# %% [markdown]
# ## 1.3 La règle de dérivation en chaîne
#
# Rappel : si $L(\mathbf{u}, \mathbf{v})$ est évaluée en $\mathbf{u} = g(\mathbf{t})$ et
# $\mathbf{v} = h(\mathbf{t})$, chaque coordonnée $\mathbf{t}_k$ influence le résultat par
# les deux arguments, et les contributions s'additionnent :
#
# $$
# \frac{\partial}{\partial \mathbf{t}_k} L\big(g(\mathbf{t}), h(\mathbf{t})\big)
# = \sum_i \frac{\partial L}{\partial \mathbf{u}_i} \, \frac{\partial g_i}{\partial \mathbf{t}_k}(\mathbf{t})
# + \sum_j \frac{\partial L}{\partial \mathbf{v}_j} \, \frac{\partial h_j}{\partial \mathbf{t}_k}(\mathbf{t}).
# $$
#
# ($\partial L / \partial \mathbf{u}_i$ désigne la dérivée partielle par rapport à la
# $i$-ième coordonnée du premier argument.) Appliquée au découpage de la figure 2, elle
# donne deux équations :
#
# $$
# \begin{aligned}
# \frac{\partial L_f}{\partial \mathbf{m}_k}(\mathbf{m})
#   &= \frac{\partial L}{\partial \mathbf{m}_k}(\mathbf{m}, \mathbf{z})
#    + \sum_i \frac{\partial (L_{\mathbf{m}} \circ g)}{\partial \mathbf{n}_i}(\mathbf{n})
#      \, \frac{\partial f_i}{\partial \mathbf{m}_k}(\mathbf{m}), \\
# \frac{\partial (L_{\mathbf{m}} \circ g)}{\partial \mathbf{n}_k}(\mathbf{n})
#   &= \sum_i \frac{\partial L}{\partial \mathbf{z}_i}(\mathbf{m}, \mathbf{z})
#      \, \frac{\partial g_i}{\partial \mathbf{n}_k}(\mathbf{n}).
# \end{aligned}
# $$
#
# La seconde équation dit ce que $g$ doit savoir faire : recevoir de l'aval le gradient
# $\partial L / \partial \mathbf{z}$ et le multiplier par ses **propres** dérivées
# partielles $\partial g_i / \partial \mathbf{n}_k$, qu'on connaît analytiquement. Le
# résultat, $\partial (L_{\mathbf{m}}\circ g) / \partial \mathbf{n}$, est transmis à
# l'amont $f$, qui fait de même avec ses dérivées. La première équation ajoute le terme
# direct, quand $L$ dépend aussi de $\mathbf{m}$ sans passer par $g$.
#
# Aucun nœud n'a besoin de connaître le graphe entier : chacun reçoit un gradient de ses
# enfants, le combine avec sa dérivée locale et le renvoie à ses parents. C'est la
# **rétropropagation**, et c'est ce qu'autograd automatise en mémorisant, pour chaque
# résultat, la fonction qui l'a produit.
#
# ## 1.4 Le gradient calculé à la main
#
# Appliquons les deux équations à l'auto-encodeur, avec de la simple algèbre de tenseurs
# (aucun appel à autograd : on travaille sur des copies détachées du graphe).
#
# **Aval ($L$).** $\Delta(\mathbf{x}, \mathbf{z}) = \lVert \mathbf{x} - \mathbf{z} \rVert^2$,
# donc $\boldsymbol{\delta} := \partial L / \partial \mathbf{z} = 2(\mathbf{z} - \mathbf{x})$.
#
# **La fonction $g$.** $\mathbf{z} = M\mathbf{y} + b_2$ avec $M = \theta^\top$. Ses dérivées
# locales donnent, avec la seconde équation,
# $\partial (L_{\mathbf{m}}\circ g)/\partial M = \boldsymbol{\delta}\,\mathbf{y}^\top$,
# $\partial (L_{\mathbf{m}}\circ g)/\partial \mathbf{y} = M^\top\boldsymbol{\delta}
# = \theta\,\boldsymbol{\delta}$ et
# $\partial (L_{\mathbf{m}}\circ g)/\partial b_2 = \boldsymbol{\delta}$.
#
# **L'amont ($f$).** $f$ transpose $\theta$ et calcule $\mathbf{y} = \theta\mathbf{x} + b_1$ :
#
# $$
# \frac{\partial \ell}{\partial \theta}
#   = \underbrace{\mathbf{y}\,\boldsymbol{\delta}^\top}_{\text{par } \theta^\top}
#   + \underbrace{(\theta\boldsymbol{\delta})\,\mathbf{x}^\top}_{\text{par } \mathbf{y}}, \qquad
# \frac{\partial \ell}{\partial b_1} = \theta\boldsymbol{\delta}, \qquad
# \frac{\partial \ell}{\partial b_2} = \boldsymbol{\delta}, \qquad
# \frac{\partial \ell}{\partial \mathbf{x}}
#   = \underbrace{-\boldsymbol{\delta}}_{\text{terme direct}}
#   + \theta^\top(\theta\boldsymbol{\delta}).
# $$

# %%
with torch.no_grad():
    xd, th, yd, zd = x.detach(), theta.detach(), y.detach(), x_hat.detach()
    delta = 2 * (zd - xd)  # ∂L/∂z, venu de l'aval
    grad_M = torch.outer(delta, yd)  # ∂(L_m∘g)/∂θᵀ
    grad_y = th @ delta  # ∂(L_m∘g)/∂y, transmis à f
    by_hand = {
        "x": -delta + th.T @ grad_y,  # terme direct + chemin par y
        "θ": grad_M.T + torch.outer(grad_y, xd),  # chemin par θᵀ + chemin par y
        "b₁": grad_y,
        "b₂": delta,
    }

# %% [markdown]
# ## 1.5 Trois calculs du même gradient
#
# Comparons la dérivation à la main avec :
#
# - **autograd** : un seul appel à `loss.backward()` remplit `.grad` des quatre feuilles ;
# - les {term}`différences finies` centrées
#   $\big(\ell(\theta + \varepsilon e_k) - \ell(\theta - \varepsilon e_k)\big) / 2\varepsilon$,
#   une coordonnée à la fois (`tp2_src.gradcheck.finite_difference_grad`), qui n'utilisent
#   que des évaluations de $\ell$ et aucune dérivée.

# %%
loss.backward()


def loss_fn() -> torch.Tensor:
    """Recalcule ℓ avec les valeurs courantes des feuilles (perturbées par les différences finies)."""
    y_ = theta @ x + b1
    return ((x - (theta.T @ y_ + b2)) ** 2).sum()


print(f"{'tenseur':>8} | {'forme':>6} | {'max |main − autograd|':>22} | {'max |main − diff. finies|':>26}")
print("-" * 72)
for name, leaf in leaves.items():
    numeric = finite_difference_grad(loss_fn, leaf, eps=1e-6)
    gap_auto = (by_hand[name] - leaf.grad).abs().max().item()
    gap_num = (by_hand[name] - numeric).abs().max().item()
    print(f"{name:>8} | {'×'.join(map(str, leaf.shape)):>6} | {gap_auto:>22.2e} | {gap_num:>26.2e}")
    # Tolérances : arrondi float64 pour autograd, erreur O(eps²) des différences finies.
    torch.testing.assert_close(by_hand[name], leaf.grad, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(by_hand[name], numeric, rtol=1e-6, atol=1e-6)
print("\n∂ℓ/∂θ (à la main) =\n", by_hand["θ"].numpy().round(4))
print("∂ℓ/∂θ (autograd)   =\n", theta.grad.numpy().round(4))

# %% [markdown]
# Les trois calculs concordent : l'écart avec autograd ne dépasse pas l'arrondi des
# flottants double précision, et l'écart avec les différences finies reste de l'ordre de
# $\varepsilon^2$ et de l'arrondi, bien sous la tolérance de $10^{-6}$ que vérifie la
# cellule (elle échouerait, et le livre avec elle, au moindre désaccord). Les différences
# finies coûtent deux évaluations de $\ell$ par coordonnée ; la rétropropagation donne
# **tous** les gradients en une seule passe arrière, quel que soit le nombre de paramètres.
#
# ## Résumé
#
# - Un calcul PyTorch est un graphe orienté acyclique : racines (entrées et paramètres),
#   opérations, nœud terminal (le coût). autograd l'enregistre au fil du calcul dans
#   `grad_fn` et `next_functions`.
# - Pour dériver, chaque fonction $g$ n'a besoin que du gradient venu de l'aval et de ses
#   propres dérivées partielles ; les contributions des différents chemins s'additionnent
#   (ici $\theta$ et $\mathbf{x}$, utilisés deux fois).
# - Le gradient calculé à la main à partir de ces deux équations coïncide avec celui
#   d'autograd (à l'arrondi près) et avec les différences finies.
#
# Le {ref}`chapitre suivant <chap-autograd>` regarde autograd de près : `requires_grad`,
# `backward`, `.grad`, l'accumulation des gradients et `torch.no_grad()`.
#
# ## Questions
#
# ```{exercise} Question 1.a — un paramètre utilisé deux fois
# :label: ex-1a
# :nonumber:
# Pourquoi $\partial\ell/\partial\theta$ est-il une somme de deux termes ? Que
# vaudrait-il si le décodeur avait sa propre matrice $\theta'$ au lieu de $\theta^\top$ ?
# ```
#
# ```{solution} ex-1a
# :class: dropdown
# $\theta$ atteint le coût par deux chemins du graphe (figure 1) : par $\mathbf{y}$ et par
# $\theta^\top$. La règle de chaîne additionne les contributions des chemins. Avec un
# décodeur $\theta'$ indépendant, chaque matrice n'aurait qu'un chemin :
# $\partial\ell/\partial\theta = (\theta'^\top\boldsymbol{\delta})\,\mathbf{x}^\top$ et
# $\partial\ell/\partial\theta' = \boldsymbol{\delta}\,\mathbf{y}^\top$.
# ```
#
# ```{exercise} Question 1.b — le terme direct
# :label: ex-1b
# :nonumber:
# Dans la première équation, quel est le terme $\partial L/\partial \mathbf{m}_k$ pour
# l'auto-encodeur, et pour quelle racine est-il non nul ?
# ```
#
# ```{solution} ex-1b
# :class: dropdown
# $L(\mathbf{m}, \mathbf{z}) = \lVert \mathbf{x} - \mathbf{z} \rVert^2$ ne dépend directement
# que de $\mathbf{x}$ parmi les racines : le terme direct vaut
# $2(\mathbf{x} - \mathbf{z}) = -\boldsymbol{\delta}$ pour $\mathbf{x}$ et $0$ pour
# $\theta$, $b_1$ et $b_2$. Sur la figure 1, c'est l'arête qui va de `x` directement à
# `SubBackward0`.
# ```
#
# ```{exercise} Question 1.c — coût des différences finies
# :label: ex-1c
# :nonumber:
# Combien d'évaluations de $\ell$ demandent les différences finies centrées pour les
# quatre tenseurs de ce chapitre ? Et pour un réseau d'un million de paramètres ?
# ```
#
# ```{solution} ex-1c
# :class: dropdown
# Deux par coordonnée : $2\,(d + hd + h + d) = 2\,(4 + 8 + 2 + 4) = 36$ évaluations ici,
# deux millions pour un million de paramètres. La rétropropagation coûte une passe avant et
# une passe arrière, du même ordre qu'une seule évaluation : c'est pourquoi on ne se sert
# des différences finies que pour **vérifier** un gradient.
# ```

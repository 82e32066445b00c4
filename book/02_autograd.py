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
# (chap-autograd)=
# # Différentiation automatique : autograd
#
# ```{admonition} Objectifs
# :class: tip
# **Durée** : {reading-time}`lecture` de lecture, sans les encadrés facultatifs ; plus les
# exercices. **Énoncé** : la partie 2 (« Différenciation automatique : autograd ») et son
# exemple de code.
#
# À la fin de ce chapitre, vous saurez :
# - dire quels tenseurs enregistrent un graphe, et quand il est construit ;
# - lancer la rétropropagation (`backward`) et lire les gradients (`.grad`, `retain_grad`) ;
# - éviter le piège de **l'accumulation** des gradients, et calculer sans graphe
#   (`torch.no_grad()`) ;
# - écrire une opération différentiable avec `torch.autograd.Function` et la vérifier avec
#   `gradcheck` ;
# - rétropropager depuis une sortie **non scalaire** (`backward(gradient=v)`).
# ```

# %%
import warnings

import torch
from torch.autograd.functional import jacobian

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures, valeurs collées.
from tp2_src.glue import glue, glue_figure
from tp2_src.graph import autograd_graph, record_backward
from tp2_src.graph_drawing import graph_figure
from tp2_src.style import setup_chapter

setup_chapter()  # figures, et l'environnement que cite la note de fin de page

# %%
# Affichent le message d'une erreur ou d'un avertissement de PyTorch,
# sans la pile d'appels (C++ compris) qui l'accompagne.
from tp2_src.display import error_summary, warning_summary

# %% [markdown]
# (sec-requires-grad)=
# ## Qui enregistre un graphe ? `requires_grad` et `grad_fn`
#
# Garder le graphe coûte de la mémoire : PyTorch ne le fait que si on le demande. Il
# suffit de marquer les {term}`feuilles <feuille>` avec `requires_grad=True` ; tout
# résultat calculé à partir d'elles hérite de l'indicateur et reçoit un `grad_fn`, le nœud
# de l'opération qui l'a produit. Reprenons l'exemple de l'énoncé.

# %%
torch.manual_seed(
    0
)  # graine fixe : les mêmes nombres à chaque exécution
a = torch.rand((1, 10), requires_grad=True)
b = torch.rand((1, 10), requires_grad=True)
c = a.mm(b.t())  # produit scalaire, forme (1, 1)
d = 2 * c
for name, t in {"a": a, "b": b, "c": c, "d": d}.items():
    grad_fn = (
        type(t.grad_fn).__name__ if t.grad_fn is not None else None
    )
    print(
        f"{name} : requires_grad={t.requires_grad!s:5}  "
        f"feuille={t.is_leaf!s:5}  grad_fn={grad_fn}"
    )

# %% [markdown]
# `a` et `b` sont des feuilles (créées par l'utilisateur, sans `grad_fn`) ; `c` et `d`
# sont produits par des nœuds internes. Comme au chapitre 1, on remonte le graphe depuis
# `d` : `TBackward0` est le nœud de la transposition `b.t()`, `AccumulateGrad` celui qui
# déposera le gradient dans `a.grad`, et `None` tient la place de la constante 2, qui ne
# demande pas de gradient ({numref}`fig-enonce-2`).


# %%
def parent_classes(t: torch.Tensor) -> list[str | None]:
    """Classes des parents du grad_fn de t (None : pas de gradient)."""
    return [
        type(fn).__name__ if fn is not None else None
        for fn, _ in t.grad_fn.next_functions
    ]


print("d :", type(d.grad_fn).__name__, "→", parent_classes(d))
print("c :", type(c.grad_fn).__name__, "→", parent_classes(c))

# %% [markdown]
# (sec-a-la-volee)=
# ### Un graphe construit à la volée
#
# Le graphe n'est pas déclaré à l'avance : il est **enregistré pendant le calcul**, à
# chaque exécution (*define-by-run*, « à la volée » dans l'énoncé). Une fonction Python
# ordinaire, avec ses `if` et ses boucles, produit donc un graphe qui dépend des valeurs
# qu'elle traite. Ici, on double `x` tant que sa somme reste sous 10 :


# %%
def grow(x: torch.Tensor) -> torch.Tensor:
    """Double x tant que sa somme est sous 10, puis rend la somme."""
    while (
        x.sum() < 10
    ):  # une condition Python, évaluée à chaque tour
        x = 2 * x
    return x.sum()


doublings = {}
for start in (3.0, 0.5):
    x0 = torch.tensor([start], requires_grad=True)
    out = grow(x0)
    node, doublings[start] = out.grad_fn.next_functions[0][0], 0
    while type(node).__name__ == "MulBackward0":  # un doublement
        doublings[start] += 1
        node = node.next_functions[0][0]  # son entrée x
    out.backward()
    print(
        f"x = {start} : {doublings[start]} nœud(s) MulBackward0,"
        f" ∂sortie/∂x = {x0.grad.item():g}"
    )

# %% tags=["remove-cell"]
assert doublings == {
    3.0: 2,
    0.5: 5,
}  # les nombres que cite la prose
glue("doublings_3", doublings[3.0], "d")
glue("doublings_05", doublings[0.5], "d")

# %% [markdown]
# Deux appels de la même fonction, deux graphes : {glue:md}`doublings_3` doublements pour
# $x = 3$, {glue:md}`doublings_05` pour $x = 0{,}5$, et autant de facteurs 2 dans le
# gradient. Chaque appel construit son graphe, que la passe arrière suit, puis libère.
#
# (sec-backward-grad)=
# ## `backward` et `.grad`
#
# `d.backward()` rétropropage depuis `d` jusqu'aux feuilles et **ajoute** le gradient dans
# l'attribut `.grad` de chaque feuille. Les gradients des tenseurs intermédiaires sont
# jetés dès qu'ils ont servi, pour économiser la mémoire — sauf si l'on a appelé
# `retain_grad()` sur ce tenseur avant la passe arrière.

# %%
c.retain_grad()  # on veut garder ∂d/∂c
d.backward()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(
        "d.grad =", d.grad
    )  # nœud intermédiaire sans retain_grad : rien
print(
    warning_summary(caught[0])
)  # le message reçu, sans sa source C++
print(
    "c.grad =", c.grad
)  # conservé grâce à retain_grad : ∂(2c)/∂c = 2
print("a.grad =", a.grad)
print("b.grad =", b.grad)

# %% tags=["remove-cell"]
# La figure : le graphe de l'énoncé, refait sur des copies et relevé pendant sa passe
# arrière (tp2_src.graph) ; mêmes nombres.
a_c, b_c = (t.detach().clone().requires_grad_() for t in (a, b))
c_c = a_c.mm(b_c.t())
d_c = 2 * c_c
snippet = autograd_graph(
    d_c,
    leaves={"a": a_c, "b": b_c},
    intermediates={"c": c_c},
    output_name="d",
)
with record_backward(snippet) as snippet_steps:
    d_c.backward()
assert torch.equal(a_c.grad, a.grad) and torch.equal(
    b_c.grad, b.grad
)
glue_figure(
    "fig_enonce_2",
    graph_figure(
        snippet,
        steps=snippet_steps,
        current=False,
        title="c = a·bᵀ, d = 2c : valeurs et gradients",
    ),
)

# %% [markdown]
# PyTorch ne se contente pas de renvoyer `None` pour `d.grad` : il émet un `UserWarning`
# qui explique que l'on lit le `.grad` d'un tenseur qui n'est pas une feuille, et suggère
# `retain_grad()`. Les valeurs sont celles qu'on attend : $d = 2\,a\,b^\top$ donne
# $\partial d/\partial a = 2b$ et $\partial d/\partial b = 2a$ (vérifié ci-dessous).
#
# ```{glue:figure} fig_enonce_2
# :alt: Graphe vertical de l'exemple de l'énoncé. En haut, les feuilles a et b (1×10) ; b entre dans TBackward0 (la transposée) ; a et bᵀ entrent dans MmBackward0 (c = a·bᵀ, de forme 1×1) ; c entre dans MulBackward0 (d = 2c), en bas. Chaque case porte en rouge son gradient : 1 pour d, 2 pour c, et les premières coordonnées de 2b et 2a pour les feuilles.
# :name: fig-enonce-2
#
# Le graphe de l'exemple de code de l'énoncé (partie 2), enregistré par autograd : les
# feuilles `a` et `b`, la transposée, le produit `c`, puis `d = 2 * c`. Les gradients
# reçus pendant `d.backward()`, en rouge, sont ceux qu'affiche la cellule : `c.grad`,
# gardé par `retain_grad()`, vaut 2.
# ```

# %%
torch.testing.assert_close(c.grad, torch.tensor([[2.0]]))
torch.testing.assert_close(a.grad, 2 * b.detach())
torch.testing.assert_close(b.grad, 2 * a.detach())
print("∂d/∂a = 2b et ∂d/∂b = 2a : vérifié")

# %% [markdown]
# Une passe arrière libère aussi les valeurs intermédiaires que le graphe gardait pour
# elle : appeler `backward` une deuxième fois sur le **même** graphe échoue. C'est pourquoi
# l'énoncé recalcule `d` avant chaque `backward` (ou l'on passe `retain_graph=True` à la
# première passe) :

# %%
try:
    d.backward()
except RuntimeError as err:
    print(error_summary(err))

# %% [markdown]
# (sec-accumulation)=
# ## Les gradients s'accumulent
#
# `backward` **ajoute** au contenu de `.grad` au lieu de le remplacer : c'est ce qui somme
# les contributions de plusieurs chemins (chapitre 1). Mais si l'on oublie de remettre
# `.grad` à zéro entre deux calculs indépendants, on additionne des gradients qui n'ont
# rien à voir.

# %%
first_a_grad = a.grad.clone()
d = 2 * a.mm(b.t())  # nouveau graphe, même valeur
d.backward()
print("a.grad après un deuxième backward :\n", a.grad)
torch.testing.assert_close(a.grad, 2 * first_a_grad)
print("a.grad vaut bien 2 fois le gradient précédent.")

# %% [markdown]
# On remet donc le gradient à zéro avant un nouveau calcul. L'énoncé écrit
# `a.grad.data.zero_()` ; `.data` contourne le suivi d'autograd et n'est plus conseillé :
# `a.grad.zero_()` suffit (ou `a.grad = None`, ce que fait `optimizer.zero_grad()`, voir le
# {ref}`chapitre 4 <chap-optim>`).

# %%
a.grad.zero_()
d = 2 * a.mm(b.t())
d.backward()
print("a.grad =", a.grad)
torch.testing.assert_close(a.grad, first_a_grad)
ratio = b.grad / (2 * a.detach())
print("b.grad / (2a) =", ratio.round(decimals=4).unique())
torch.testing.assert_close(b.grad, 3 * (2 * a.detach()))

# %% [markdown]
# `a.grad` est redevenu $2b$. Mais l'énoncé n'a remis à zéro que `a` : le gradient de `b`
# a continué d'accumuler et vaut **trois** fois $2a$. Il faut remettre à zéro *tous* les
# paramètres : c'est le rôle de `zero_grad()` des optimiseurs.
#
# (sec-no-grad)=
# ## Calculer sans graphe : `torch.no_grad()`
#
# Dans un bloc `with torch.no_grad():`, PyTorch n'enregistre aucun graphe : les résultats
# n'ont ni `grad_fn` ni `requires_grad`. C'est ce qu'on veut pour évaluer un modèle ou
# mettre à jour des paramètres à la main ({ref}`chapitre 3 <chap-regression>`).
# Rétropropager depuis un tel résultat n'a pas de sens, et PyTorch le refuse :

# %%
with torch.no_grad():
    c = a.mm(b.t())  # calcul sans graphe
print(
    f"c.requires_grad = {c.requires_grad}, c.grad_fn = {c.grad_fn}"
)
try:
    c.backward()
except RuntimeError as err:
    message = str(err)
    print(error_summary(err))

# %% tags=["remove-cell"]
assert "does not require grad" in message

# %% [markdown]
# Le message dit ce qui manque : le tenseur n° 0 de la liste à rétropropager (le seul,
# `c`) n'exige pas de gradient et n'a pas de `grad_fn`. Autre façon de sortir du graphe :
# `t.detach()` (déjà croisé au chapitre 1) partage la mémoire de `t` sans son historique.

# %% [markdown]
# (sec-function)=
# ## Une opération = une passe avant + une passe arrière
#
# Au chapitre 1, chaque opération du graphe était un **nœud d'autograd** capable de faire
# sa part de la passe arrière (`MvBackward0`, `AddBackward0`…) ; pour les opérations de
# PyTorch, ce sont des classes écrites en C++. Pour définir **sa propre** opération
# différentiable, on écrit en Python une sous-classe de `torch.autograd.Function`
# (l'énoncé écrit `torch.nn.Function`, qui n'existe pas), avec deux méthodes statiques :
#
# - `forward(ctx, *entrées)` calcule le résultat et range dans le **contexte** `ctx` ce
#   que la passe arrière devra relire (`ctx.save_for_backward(...)`) ;
# - `backward(ctx, *gradients)` reçoit un gradient par **sortie** de `forward` (la dérivée
#   du coût par rapport à cette sortie, venue de l'aval) et renvoie un gradient par
#   **entrée**, ou `None` pour une entrée qui n'en demande pas : la seconde équation du
#   chapitre 1, message reçu combiné aux dérivées locales.
#
# Chaque appel `LinearFunction.apply(...)` ajoute au graphe un nœud
# `LinearFunctionBackward`, qui appellera notre `backward` : c'est l'approche du TME 1.
# Voici la fonction linéaire $\hat{Y} = XW + b$ et l'erreur quadratique moyenne
# $\frac{1}{np}\sum_{ij} (\hat{Y}_{ij} - Y_{ij})^2$ de `tp2_src.functions`. (Le coût du
# chapitre 1 était une **somme** d'écarts au carré ; à partir d'ici, c'est leur
# **moyenne**, comme dans `nn.MSELoss` : il ne grandit pas avec le nombre d'exemples.)
#
# ```{literalinclude} ../tp2_src/functions.py
# :pyobject: LinearFunction
# :language: python
# :caption: tp2_src/functions.py
# ```
#
# ```{literalinclude} ../tp2_src/functions.py
# :pyobject: MSEFunction
# :language: python
# :caption: tp2_src/functions.py
# ```
#
# `ctx.saved_tensors` rend ce que `forward` a rangé ; `ctx.needs_input_grad` dit, entrée
# par entrée, si un gradient est demandé, pour ne calculer que les gradients utiles.
#
# **D'où viennent ces formules.** Ici, chaque exemple est une **ligne** de $X$ (au
# chapitre 1, les vecteurs étaient des colonnes, d'où $\theta\mathbf{x}$) :
# $\hat{Y}_{ij} = \sum_k X_{ik} W_{kj} + b_j$, pour l'exemple $i$ et la sortie $j$. Soit
# $G = \partial\ell/\partial\hat{Y}$, de forme $n\times p$, le gradient reçu. La règle de
# chaîne somme sur toutes les sorties $(i, j)$ :
#
# - $\partial\hat{Y}_{ij}/\partial W_{kj} = X_{ik}$, donc
#   $\partial\ell/\partial W_{kj} = \sum_i G_{ij} X_{ik} = (X^\top G)_{kj}$ ;
# - $\partial\hat{Y}_{ij}/\partial X_{ik} = W_{kj}$, donc
#   $\partial\ell/\partial X_{ik} = \sum_j G_{ij} W_{kj} = (G\,W^\top)_{ik}$ ;
# - $b_j$ est **diffusé** à toutes les lignes : il entre dans $\hat{Y}_{ij}$ pour chaque
#   exemple $i$, avec une dérivée 1, d'où $\partial\ell/\partial b_j = \sum_i G_{ij}$, la
#   somme des lignes de $G$ (`grad_output.sum(dim=0)`).
#
# Pour la MSE, $\partial\ell/\partial\hat{Y} = \frac{2}{np}(\hat{Y} - Y)$ et
# $\partial\ell/\partial Y$ est son opposé. Deux fonctions de `tp2_src.functions`
# vérifient les formes avant d'appeler `apply`, pour qu'une erreur de forme donne un
# message clair plutôt qu'un calcul faux :
#
# ```{literalinclude} ../tp2_src/functions.py
# :pyobject: linear
# :language: python
# :caption: tp2_src/functions.py
# ```
#
# ```{literalinclude} ../tp2_src/functions.py
# :pyobject: mse
# :language: python
# :caption: tp2_src/functions.py
# ```
#
# ### Vérifier une passe arrière : `gradcheck`
#
# La {term}`jacobienne <jacobienne>` d'une fonction $F$ range toutes ses dérivées
# partielles, $J_{ik} = \partial F_i/\partial t_k$ : une ligne par sortie, une colonne par
# entrée. `torch.autograd.gradcheck` compare la jacobienne que donne `backward` à celle des
# différences finies, en float64 (en float32, l'arrondi dépasse ses tolérances : encadré
# ci-dessous). On vérifie aussi que le `grad_fn` d'un résultat de `linear` est bien notre
# nœud, qui a gardé ce que `forward` a rangé.

# %%
from tp2_src.functions import linear, mse

torch.manual_seed(0)  # repartir de la même graine pour ces tirages
n, dim_in, dim_out = 6, 3, 2
X = torch.randn(n, dim_in, dtype=torch.float64, requires_grad=True)
W = torch.randn(
    dim_in, dim_out, dtype=torch.float64, requires_grad=True
)
bias = torch.randn(dim_out, dtype=torch.float64, requires_grad=True)
Y = torch.randn(n, dim_out, dtype=torch.float64, requires_grad=True)

print(
    "gradcheck(linear) :",
    torch.autograd.gradcheck(linear, (X, W, bias)),
)
print(
    "gradcheck(mse)    :",
    torch.autograd.gradcheck(mse, (X @ W + bias, Y)),
)
ours = linear(X, W, bias).grad_fn
print(
    "grad_fn :",
    type(ours).__name__,
    "; contexte rangé :",
    [tuple(t.shape) for t in ours.saved_tensors],
    "(X et W)",
)
Node, Function = torch.autograd.graph.Node, torch.autograd.Function
for label, node in (
    ("linear(X, W, b)", ours),
    ("X @ W", (X @ W).grad_fn),
):
    print(
        f"grad_fn de {label} : un Node d'autograd : "
        f"{isinstance(node, Node)} ; une Function : "
        f"{issubclass(type(node), Function)}"
    )

# %% [markdown]
# Les deux passes arrière sont justes. Les deux `grad_fn` sont des nœuds d'autograd
# (`Node`), mais aucun n'est une `Function` : la `Function` est la classe que l'on écrit,
# le nœud ce que chacun de ses appels ajoute au graphe.
#
# Chaque appel reçoit donc **son** contexte. L'énoncé dit que « le calcul se fait sur les
# valeurs du dernier appel de forward » : ce n'est pas le cas. Deux appels de `linear`
# créent deux nœuds, et la passe arrière de chacun utilise ce que **son** `forward` a
# rangé :

# %%
first = linear(X, W, bias)  # premier appel : son contexte range X
second = linear(2 * X, W, bias)  # second appel : il range 2X
print("deux nœuds distincts :", first.grad_fn is not second.grad_fn)
grad_W = torch.autograd.grad(first.sum(), W)[0]  # par le 1er nœud
ones = torch.ones_like(first)
print(
    "∂(Σ premier)/∂W = Xᵀ1, et non (2X)ᵀ1 :",
    torch.allclose(grad_W, X.detach().T @ ones),
)

# %% [markdown]
# (`torch.autograd.grad(sortie, entrées)` fait la même passe arrière que `backward()`,
# mais **rend** les gradients demandés au lieu de les ajouter à `.grad`.) Et une erreur de
# forme, ici $W$ transposée par mégarde, est signalée avant qu'aucun nœud soit ajouté au
# graphe :

# %%
try:
    linear(X, W.T, bias)
except ValueError as err:
    print(error_summary(err))

# %% [markdown]
# ```{optional-start} gradcheck en simple précision
# ```
#
# La même passe arrière, pourtant juste, échoue-t-elle en float32 ?
# `t.detach().float().requires_grad_()` fait de chaque entrée une copie en float32, feuille
# qui demande un gradient (le `_` final signale, dans PyTorch, une méthode qui modifie le
# tenseur sur place).

# %%
X32, W32, bias32 = (
    t.detach().float().requires_grad_() for t in (X, W, bias)
)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ok32 = torch.autograd.gradcheck(
        linear, (X32, W32, bias32), raise_exception=False
    )
print("gradcheck(linear) en float32 :", ok32)
print(warning_summary(caught[0], width=66))  # encadré : plus étroit

# %% tags=["remove-cell"]
assert not ok32

# %% [markdown]
# Elle échoue, et `gradcheck` prévient qu'il attend du float64. Refaisons ce qu'il
# compare, pour l'entrée $W$ : la jacobienne de notre `backward` (`jacobian(F, x)`, de
# `torch.autograd.functional`, la calcule par des passes arrière) et celle des différences
# finies, d'incrément $\varepsilon = 10^{-6}$ (celui de `gradcheck`), colonne par
# colonne. `gradcheck` les compare par `torch.allclose(analytique, numérique)` : un
# coefficient passe si
# $|J^{\text{arrière}}_{ik} - J^{\text{num}}_{ik}| \le 10^{-5} + 10^{-3}\,|J^{\text{num}}_{ik}|$,
# une tolérance qui grandit avec la valeur **numérique**.

# %%
eps = 1e-6  # l'incrément des différences finies de gradcheck
W_flat = W32.detach().reshape(-1)


def output(w_flat: torch.Tensor) -> torch.Tensor:
    """La sortie de linear, aplatie, selon W aplatie (float32)."""
    return linear(
        X32.detach(), w_flat.reshape(W32.shape), bias32.detach()
    ).reshape(-1)


J_backward = jacobian(output, W_flat)  # par notre backward
columns = []
for k in range(W_flat.numel()):
    e_k = torch.zeros_like(W_flat)
    e_k[k] = eps
    up, down = output(W_flat + e_k), output(W_flat - e_k)
    columns.append((up - down) / (2 * eps))
J_numeric = torch.stack(columns, dim=1)
gap = (J_backward - J_numeric).abs()
tolerance = 1e-5 + 1e-3 * J_numeric.abs()  # celle de torch.allclose
outside = (gap > tolerance).sum()
print(
    "jacobiennes :",
    tuple(J_backward.shape),
    "(sorties × coordonnées de W)",
)
print(f"écart max : {gap.max():.1e}")
print(f"coefficients hors tolérance : {outside} sur {gap.numel()}")
nonzero = J_backward != 0
print(
    "hors tolérance = non nuls de J :",
    torch.equal(gap > tolerance, nonzero),
)

# %% tags=["remove-cell"]
assert (gap > tolerance).any() and gap.max() > 10 * tolerance.max()
assert torch.equal(gap > tolerance, nonzero)
assert (
    torch.allclose(J_backward, J_numeric, rtol=1e-3, atol=1e-5)
    is False
)
glue("fp32_gap", gap.max().item(), ".1e")

# %% [markdown]
# L'écart maximal, {glue:md}`fp32_gap`, dépasse de loin la tolérance, et les coefficients
# hors tolérance sont exactement les non nuls de $J$ (les autres sont des zéros exacts :
# la colonne $j$ de la sortie ne dépend que de la colonne $j$ de $W$). En float32, une
# sortie de quelques unités est arrondie à quelques $10^{-7}$ près, et la division par
# $2\varepsilon$ amplifie cette erreur jusqu'à ce niveau (chapitre 1, encadré « Ce qui
# limite les différences finies »). La faute n'est pas dans `backward`, mais dans la
# référence.
#
# ```{optional-end}
# ```
#
# `gradcheck` attrape bien les erreurs : voici une MSE dont la passe arrière a « oublié »
# le facteur 2. On lui demande de répondre `False` plutôt que de lever une exception.


# %%
class ForgetfulMSE(torch.autograd.Function):
    """MSE volontairement fausse : le facteur 2 manque dans backward."""

    @staticmethod
    def forward(
        ctx, yhat: torch.Tensor, y: torch.Tensor
    ) -> torch.Tensor:
        ctx.save_for_backward(yhat - y)
        return ((yhat - y) ** 2).mean()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (diff,) = ctx.saved_tensors
        grad = (
            grad_output * diff / diff.numel()
        )  # erreur : 2 * diff
        return grad, -grad


ok = torch.autograd.gradcheck(
    ForgetfulMSE.apply, (X @ W + bias, Y), raise_exception=False
)
print("gradcheck(ForgetfulMSE) :", ok)

# %% tags=["remove-cell"]
assert not ok

# %% [markdown]
# ### Votre tour : tanh
#
# ````{exercise}
# :label: ex-2a
# :nonumber:
# Écrivez la tangente hyperbolique comme une `torch.autograd.Function` : `forward` calcule
# $y = \tanh(x)$ et range ce dont `backward` aura besoin ; `backward` multiplie le
# gradient reçu par la dérivée locale $1 - \tanh^2(x) = 1 - y^2$. Vérifiez-la avec
# `gradcheck`.
#
# ```python
# class Tanh(torch.autograd.Function):
#     """tanh, coordonnée par coordonnée, et sa passe arrière."""
#
#     @staticmethod
#     def forward(ctx, x):
#         ...  # À vous : y = torch.tanh(x), rangé dans ctx
#
#     @staticmethod
#     def backward(ctx, grad_output):
#         ...  # À vous : le gradient reçu × la dérivée locale 1 − y²
# ```
# ````
#
# ```{solution-start} ex-2a
# :class: dropdown
# ```
#
# Ranger la sortie $y$ plutôt que l'entrée évite de recalculer $\tanh$ dans `backward` :
# la dérivée s'écrit avec $y$ seul.


# %% tags=["solution"]
class Tanh(torch.autograd.Function):
    """tanh, coordonnée par coordonnée, et sa passe arrière."""

    @staticmethod
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - y**2)


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("ex-2a", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# `gradcheck` confirme la passe arrière, et les gradients sont ceux de `torch.tanh` :

# %%
x = torch.randn(5, dtype=torch.float64, requires_grad=True)
print(
    "gradcheck(Tanh) :", torch.autograd.gradcheck(Tanh.apply, (x,))
)
ours = torch.autograd.grad(Tanh.apply(x).sum(), x)[0]
native = torch.autograd.grad(torch.tanh(x).sum(), x)[0]
print(
    f"écart max avec torch.tanh : {(ours - native).abs().max():.1e}"
)

# %% [markdown]
# Enfin, le même coût calculé avec nos fonctions puis avec les opérations de PyTorch donne
# les mêmes gradients pour $X$, $W$ et $b$ (`torch.autograd.grad` les rend sans toucher à
# `.grad` : les deux calculs ne se mélangent pas) :

# %%
loss_ours = mse(linear(X, W, bias), Y)
grads_ours = torch.autograd.grad(loss_ours, (X, W, bias))
loss_torch = ((X @ W + bias - Y) ** 2).mean()
grads_torch = torch.autograd.grad(loss_torch, (X, W, bias))
for name, g1, g2 in zip(
    "XWb", grads_ours, grads_torch, strict=True
):
    print(
        f"∂ℓ/∂{name} : écart max {(g1 - g2).abs().max().item():.1e}"
    )
    torch.testing.assert_close(g1, g2, rtol=1e-12, atol=1e-12)

# %% [markdown]
# En pratique, on n'écrit presque jamais ces classes : chaque opération sur un tenseur
# crée son nœud d'autograd. On n'écrit une `Function` que pour une opération absente de
# PyTorch, ou une passe arrière plus économe.
#
# (sec-vjp)=
# ## Sorties non scalaires : le produit vecteur–jacobienne
#
# Jusqu'ici, on a rétropropagé depuis un coût scalaire. Et depuis une sortie vectorielle,
# comme $\hat{Y}$, de forme $n \times p$ ?

# %%
X.grad = W.grad = bias.grad = None  # on repart de gradients vides
Y_hat = linear(X, W, bias)
print("forme de la sortie :", tuple(Y_hat.shape))
try:
    Y_hat.backward()
except RuntimeError as err:
    print(error_summary(err))

# %% [markdown]
# PyTorch refuse : la dérivée de $n p$ nombres par rapport à $W$ est toute une jacobienne,
# et `backward()` ne sait pas laquelle de ses combinaisons on veut. Il faut lui donner un
# vecteur $V$ de la forme de la sortie : `backward(gradient=V)` calcule alors le gradient
# du scalaire $\sum_{ij} V_{ij} \hat{Y}_{ij}$, c'est-à-dire le
# {term}`produit vecteur–jacobienne` $\mathbf{v}^\top J$ ($\mathbf{v}$ et $J$ aplatis).
# C'est ce que fait chaque nœud pendant la passe arrière : $V$ joue le rôle du gradient
# reçu de l'aval. Vérifions-le avec la jacobienne complète, que `jacobian` calcule (une
# ligne par coordonnée de sortie, une passe arrière par ligne) :

# %%
V = torch.randn_like(
    Y_hat
)  # « gradient reçu de l'aval », forme de Y_hat
Y_hat.backward(gradient=V)

J = jacobian(
    lambda W_: linear(X.detach(), W_, bias.detach()), W.detach()
)
print(
    "J, jacobienne de W ↦ XW + b :",
    tuple(J.shape),
    "= forme de la sortie + forme de W",
)
J_flat = J.reshape(Y_hat.numel(), W.numel())
vJ = (V.reshape(-1) @ J_flat).reshape(W.shape)
XtV = X.detach().T @ V  # la formule de LinearFunction.backward
print(f"écart max |vᵀJ − W.grad| : {(vJ - W.grad).abs().max():.1e}")
print(
    f"écart max |XᵀV − W.grad| : {(XtV - W.grad).abs().max():.1e}"
)
torch.testing.assert_close(vJ, W.grad, rtol=1e-12, atol=1e-12)
torch.testing.assert_close(XtV, W.grad, rtol=1e-12, atol=1e-12)

# %% tags=["remove-cell"]
glue("jac_entries", J.numel(), "d")
glue("w_entries", W.numel(), "d")

# %% [markdown]
# `backward(gradient=V)` a déposé dans `W.grad` exactement $\mathbf{v}^\top J$, sans
# construire $J$ : notre `backward` calcule directement $X^\top V$. Ici, $J$ a
# {glue:md}`jac_entries` coefficients pour {glue:md}`w_entries` coordonnées de gradient ;
# pour un million de paramètres et mille exemples, elle en aurait des milliards. C'est
# pourquoi autograd ne manipule que des produits vecteur–jacobienne.
#
# **Et `d`, de forme $(1, 1)$ ?** Dans l'exemple de l'énoncé, `d.backward()` a marché sans
# argument : PyTorch regarde le **nombre d'éléments**, pas la dimension. Pour une sortie
# d'un seul élément, il prend `gradient=torch.ones_like(d)`, le gradient initial 1 du
# chapitre 1 :

# %%
torch.manual_seed(
    0
)  # graine fixe : les mêmes nombres à chaque exécution
a = torch.rand((1, 10), requires_grad=True)
b = torch.rand((1, 10), requires_grad=True)
d = 2 * a.mm(b.t())
print(
    "forme de d :",
    tuple(d.shape),
    "— nombre d'éléments :",
    d.numel(),
)
d.backward()  # permis : un seul élément
grad_implicit = a.grad.clone()
a.grad = None
d = 2 * a.mm(b.t())
d.backward(
    gradient=torch.ones_like(d)
)  # la même chose, explicitement
print(
    "même gradient qu'avec gradient=torch.ones_like(d) :",
    torch.equal(grad_implicit, a.grad),
)

# %% tags=["remove-cell"]
assert torch.equal(grad_implicit, a.grad)

# %% [markdown]
# ## Résumé
#
# - Hors de `torch.no_grad()`, un tenseur enregistre son histoire (`grad_fn`) dès qu'une
#   de ses feuilles a `requires_grad=True` ; le graphe est construit à chaque exécution,
#   par le code Python lui-même. Seules les feuilles qui demandent un gradient reçoivent
#   `.grad`, et les tenseurs intermédiaires marqués par `retain_grad()`.
# - `backward()` **accumule** dans `.grad` et libère le graphe : on recalcule le coût à
#   chaque pas et l'on remet **tous** les gradients à zéro.
# - `torch.no_grad()` calcule sans graphe : pour évaluer ou mettre à jour des paramètres.
# - Une `torch.autograd.Function` a un `forward`, qui calcule et range dans son contexte,
#   et un `backward`, qui transforme le gradient reçu en un gradient par entrée ;
#   `gradcheck` (en float64) la vérifie.
# - Pour une sortie non scalaire, `backward(gradient=v)` calcule le produit
#   vecteur–jacobienne $\mathbf{v}^\top J$ sans construire $J$.
#
# Le {ref}`chapitre 3 <chap-regression>` met tout cela au service d'une descente de
# gradient.
#
# ## Questions
#
# ```{exercise} Exercice 2.b — quels gradients ?
# :label: ex-2b
# :nonumber:
# Après `e = (a * b).sum(); e.backward()`, avec `a` feuille (`requires_grad=True`) et
# `b` feuille sans `requires_grad`, que valent `a.grad` et `b.grad` ?
# ```
#
# ```{solution} ex-2b
# :class: dropdown
# `a.grad` vaut `b` (la dérivée de $\sum_i a_i b_i$ par rapport à $a_i$ est $b_i$) ;
# `b.grad` vaut `None` : `b` n'a pas demandé de gradient, autograd ne le calcule pas
# (comme notre `backward`, qui renvoie `None` quand `ctx.needs_input_grad` est faux).
# ```
#
# ```{exercise} Exercice 2.c — accumulation voulue
# :label: ex-2c
# :nonumber:
# Citez un cas où l'accumulation des gradients est **souhaitée**.
# ```
#
# ```{solution} ex-2c
# :class: dropdown
# Un paramètre partagé par plusieurs chemins du graphe (le $\theta$ de l'auto-encodeur) ;
# ou l'accumulation sur plusieurs mini-batchs avant un seul `step()`, quand un grand
# mini-batch ne tient pas en mémoire (voir le {ref}`chapitre 4 <chap-optim>`).
# ```
#
# ````{exercise}
# :label: ex-2d
# :nonumber:
# Soit $\mathbf{x} \in \mathbb{R}^n$ et $\mathbf{y} = \sin(\mathbf{x})$, appliqué
# coordonnée par coordonnée. Quelle est la jacobienne de $\mathbf{x} \mapsto \mathbf{y}$ ?
# Déduisez-en quel vecteur passer à `y.backward(gradient=...)` pour que `x.grad` contienne
# la dérivée $\cos(x_i)$ de chaque coordonnée, et vérifiez-le avec `jacobian`.
# Complétez `sin_derivatives` :
#
# ```python
# def sin_derivatives(x):
#     """x (n,), feuille qui demande un gradient ; rend (x.grad,
#     obtenu par torch.sin(x).backward(gradient=…), et J (n, n),
#     la jacobienne de torch.sin au point x)."""
#     y = torch.sin(x)
#     ...  # À vous : y.backward(gradient=...), puis
#     J = ...  # jacobian(torch.sin, x.detach())
#     return x.grad, J
# ```
# ````
#
# ```{solution-start} ex-2d
# :class: dropdown
# ```
#
# $y_i$ ne dépend que de $x_i$ : la jacobienne est diagonale,
# $J = \operatorname{diag}(\cos x_1, \dots, \cos x_n)$. Avec
# $\mathbf{v} = (1, \dots, 1)$, $\mathbf{v}^\top J$ est la ligne
# $(\cos x_1, \dots, \cos x_n)$ : `y.backward(gradient=torch.ones_like(y))`.


# %% tags=["solution"]
def sin_derivatives(x):
    """x (n,), feuille qui demande un gradient ; rend (x.grad,
    obtenu par torch.sin(x).backward(gradient=…), et J (n, n),
    la jacobienne de torch.sin au point x)."""
    y = torch.sin(x)
    y.backward(gradient=torch.ones_like(y))
    J = jacobian(torch.sin, x.detach())
    return x.grad, J


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("ex-2d", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Sur cinq points de $[0, 3]$ :

# %%
x = torch.linspace(0, 3, 5, dtype=torch.float64, requires_grad=True)
grad, J = sin_derivatives(x)
print(
    "jacobienne diagonale :",
    torch.equal(J, torch.diag(torch.diagonal(J))),
)
print("x.grad      =", grad.numpy().round(4))
print("cos(x)      =", torch.cos(x.detach()).numpy().round(4))
ones = torch.ones(5, dtype=torch.float64)
print("x.grad = 1ᵀJ :", torch.allclose(grad, ones @ J))

# %% [markdown]
# Ce raccourci ne vaut que parce que la jacobienne est diagonale : si $y_i$ dépendait de
# plusieurs $x_j$, `x.grad` contiendrait $\mathbf{1}^\top J$, la somme des lignes de $J$,
# et non des dérivées coordonnée par coordonnée.

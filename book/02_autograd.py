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
# - dire quels tenseurs enregistrent un graphe (`requires_grad`, `grad_fn`, {term}`feuilles <feuille>`) ;
# - lancer la rétropropagation (`backward`) et lire les gradients (`.grad`), y compris
#   ceux des nœuds intermédiaires (`retain_grad`) ;
# - éviter le piège de **l'accumulation** des gradients, et couper le graphe avec
#   `torch.no_grad()` ;
# - écrire une fonction différentiable à la main avec `torch.autograd.Function`, un
#   contexte et `save_for_backward`, et la vérifier avec `gradcheck` ;
# - rétropropager depuis une sortie **non scalaire** avec `backward(gradient=v)`, et
#   relier ce calcul au produit vecteur–jacobienne $\mathbf{v}^\top J$.
# ```
#
# Le {ref}`chapitre 1 <chap-graphe>` a montré *ce que* calcule la rétropropagation. Ici, on
# voit *comment* PyTorch l'organise, et l'on exécute chaque comportement annoncé.

# %%
import warnings

import torch
from torch.autograd.function import FunctionCtx
from torch.autograd.functional import jacobian

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages).
from tp2_src.glue import glue, glue_environment
from tp2_src.style import use_book_style

use_book_style()
glue_environment()  # citée par la note « Exécution de ce chapitre », en fin de page

# %%
# Affichent le message d'une erreur ou d'un avertissement de PyTorch,
# sans la pile d'appels (C++ compris) qui l'accompagne.
from tp2_src.display import error_summary, warning_summary

# %% [markdown]
# ## Qui enregistre un graphe ? `requires_grad` et `grad_fn`
#
# Garder le graphe coûte de la mémoire : PyTorch ne le fait que si on le demande. Il
# suffit de marquer les **racines** avec `requires_grad=True` ; tout résultat calculé à
# partir d'elles hérite de l'indicateur et reçoit un `grad_fn`, la passe arrière de
# l'opération qui l'a produit. Reprenons l'exemple de l'énoncé.

# %%
torch.manual_seed(0)  # graine fixe : les mêmes nombres à chaque exécution
a = torch.rand((1, 10), requires_grad=True)
b = torch.rand((1, 10), requires_grad=True)
c = a.mm(b.t())  # produit scalaire, forme (1, 1)
d = 2 * c
for name, t in {"a": a, "b": b, "c": c, "d": d}.items():
    grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    print(f"{name} : requires_grad={t.requires_grad!s:5}  "
          f"feuille={t.is_leaf!s:5}  grad_fn={grad_fn}")

# %% [markdown]
# `a` et `b` sont des **feuilles** (créées par l'utilisateur, sans `grad_fn`) ; `c` et `d`
# sont des résultats intermédiaires, produits par des nœuds internes du graphe. Comme au
# chapitre 1, on peut remonter le graphe depuis `d` : `AccumulateGrad` est le nœud qui
# déposera le gradient dans `a.grad`, `TBackward0` celui de la transposition `b.t()` (au
# chapitre 1, `theta.T` donnait `PermuteBackward0` : deux écritures de la transposition,
# deux classes de nœud), et `None` tient la place de la constante 2, qui ne demande pas de
# gradient :

# %%
def parent_classes(t: torch.Tensor) -> list[str | None]:
    """Classes des parents du grad_fn de t (None : pas de gradient)."""
    return [type(fn).__name__ if fn is not None else None
            for fn, _ in t.grad_fn.next_functions]


print("d :", type(d.grad_fn).__name__, "→", parent_classes(d))
print("c :", type(c.grad_fn).__name__, "→", parent_classes(c))

# %% [markdown]
# ## `backward` et `.grad`
#
# `d.backward()` rétropropage depuis `d` jusqu'aux feuilles et **ajoute** le gradient dans
# l'attribut `.grad` de chaque feuille. Les gradients des tenseurs intermédiaires sont
# jetés dès qu'ils ont servi, pour économiser la mémoire — sauf si on a appelé
# `retain_grad()` sur ce tenseur avant la passe arrière.

# %%
c.retain_grad()  # on veut garder ∂d/∂c
d.backward()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("d.grad =", d.grad)  # nœud intermédiaire sans retain_grad : rien
print(warning_summary(caught[0]))  # le message reçu, sans sa source C++
print("c.grad =", c.grad)  # conservé grâce à retain_grad : ∂(2c)/∂c = 2
print("a.grad =", a.grad)
print("b.grad =", b.grad)

# %% [markdown]
# PyTorch ne se contente pas de renvoyer `None` pour `d.grad` : il émet un
# `UserWarning` qui explique que l'on lit le `.grad` d'un tenseur qui n'est pas une
# feuille, et suggère `retain_grad()`. Les valeurs sont celles qu'on attend :
# $d = 2\,a\,b^\top$ donne $\partial d/\partial a = 2b$ et $\partial d/\partial b = 2a$.

# %%
torch.testing.assert_close(c.grad, torch.tensor([[2.0]]))
torch.testing.assert_close(a.grad, 2 * b.detach())
torch.testing.assert_close(b.grad, 2 * a.detach())
print("∂d/∂a = 2b et ∂d/∂b = 2a : vérifié")

# %% [markdown]
# Une passe arrière libère aussi les valeurs intermédiaires que le graphe gardait pour
# elle. Appeler `backward` une deuxième fois sur le **même** graphe échoue donc — c'est
# pourquoi l'énoncé recalcule `d` avant chaque `backward`. Voici le message réel :

# %%
try:
    d.backward()
except RuntimeError as err:
    print(error_summary(err))

# %% [markdown]
# (Si l'on a vraiment besoin de deux passes arrière sur le même graphe, on passe
# `retain_graph=True` à la première.)
#
# ## Les gradients s'accumulent
#
# `backward` **ajoute** au contenu de `.grad` au lieu de le remplacer : c'est ce qui permet
# de sommer les contributions de plusieurs chemins (chapitre 1) ou de plusieurs coûts.
# Mais si l'on oublie de remettre `.grad` à zéro entre deux calculs indépendants, on
# additionne des gradients qui n'ont rien à voir.

# %%
first_a_grad = a.grad.clone()
d = 2 * a.mm(b.t())  # nouveau graphe, même valeur
d.backward()
print("a.grad après un deuxième backward :\n", a.grad)
torch.testing.assert_close(a.grad, 2 * first_a_grad)
print("a.grad vaut bien 2 fois le gradient précédent.")

# %% [markdown]
# On remet le gradient à zéro avant un nouveau calcul. L'énoncé écrit
# `a.grad.data.zero_()` ; `.data` contourne le suivi d'autograd et n'est plus conseillé :
# `a.grad.zero_()` suffit (ou `a.grad = None`, ce que fait `optimizer.zero_grad()` par
# défaut, voir le {ref}`chapitre 4 <chap-optim>`).

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
# `a.grad` est redevenu $2b$. En revanche, l'énoncé n'a remis à zéro que `a` : le
# gradient de `b` a continué d'accumuler et vaut maintenant **trois** fois $2a$. Il faut
# remettre à zéro *tous* les paramètres — c'est le rôle de `zero_grad()` des optimiseurs.
#
# ## Couper le graphe : `torch.no_grad()`
#
# Dans un bloc `with torch.no_grad():`, PyTorch n'enregistre aucun graphe : les résultats
# n'ont ni `grad_fn` ni `requires_grad`. C'est ce qu'on veut pour évaluer un modèle ou
# mettre à jour des paramètres « à la main » ({ref}`chapitre 3 <chap-regression>`).
# Rétropropager depuis un tel résultat n'a pas de sens, et PyTorch le refuse :

# %%
with torch.no_grad():
    c = a.mm(b.t())  # calcul sans graphe
print(f"c.requires_grad = {c.requires_grad}, c.grad_fn = {c.grad_fn}")
try:
    c.backward()
except RuntimeError as err:
    message = str(err)
    print(error_summary(err))

# %% tags=["remove-cell"]
assert "does not require grad" in message

# %% [markdown]
# Le message dit précisément ce qui manque : le tenseur n° 0 de la liste à rétropropager
# (le seul, `c`) n'exige pas de gradient et n'a pas de `grad_fn`. Une autre manière de sortir un tenseur du
# graphe est `t.detach()` (déjà croisé au chapitre 1), qui partage la mémoire de `t` sans
# son historique : un calcul fait à partir de `t.detach()` n'est pas enregistré.

# %% [markdown]
# ## Une opération = une passe avant + une passe arrière
#
# Au chapitre 1, chaque opération du graphe était un **nœud d'autograd** capable de faire
# sa part de la passe arrière : `MvBackward0`, `AddBackward0`… Pour les opérations de
# PyTorch, ces nœuds sont des objets de classes écrites en C++, toutes enregistrées comme
# sous-classes de `torch.autograd.graph.Node` (`isinstance(noeud, Node)` vaut `True`, vérifié
# plus bas). Pour définir **sa propre** opération différentiable, on écrit en Python une
# sous-classe de `torch.autograd.Function` (l'énoncé écrit
# `torch.nn.Function`, qui n'existe pas), avec deux méthodes statiques :
#
# - `forward(ctx, *entrées)` calcule le résultat et range dans le **contexte** `ctx` ce
#   que la passe arrière devra relire (`ctx.save_for_backward(...)`) ;
# - `backward(ctx, *gradients)` reçoit un gradient par **sortie** de `forward` — la dérivée
#   du coût par rapport à cette sortie, venue de l'aval — et renvoie un gradient par
#   **entrée** de `forward`, ou `None` pour une entrée qui n'en demande pas. C'est
#   exactement la seconde équation du chapitre 1 : gradient reçu combiné aux dérivées
#   locales, un produit vecteur–jacobienne.
#
# Chaque appel `LinearFunction.apply(...)` ajoute au graphe un nœud de classe
# `LinearFunctionBackward`, qui appellera notre `backward`. C'est l'approche du TME 1, le
# TP précédent, où l'on écrivait chaque passe arrière à la main. Voici les deux fonctions
# du module `tp2_src.functions` : la fonction linéaire $\hat{Y} = XW + b$ et l'erreur
# quadratique moyenne $\frac{1}{N}\sum (\hat{Y} - Y)^2$ (sur tous les éléments). Le coût
# de l'auto-encodeur du chapitre 1 était une **somme** d'écarts au carré ; à partir d'ici,
# une perte est une **moyenne**, comme celle de `nn.MSELoss` : elle ne grandit pas avec le
# nombre d'exemples. Le même
# paquet fournit `linear(X, W, b)` et `mse(Y_hat, Y)`, qui vérifient les formes (avec un
# message d'erreur clair) puis appellent `LinearFunction.apply` et `MSEFunction.apply`.

# %%
from tp2_src.functions import LinearFunction, MSEFunction, linear, mse


# %% [markdown]
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

# %% [markdown]
# Deux détails de ce code :
#
# - `ctx` (annoté `FunctionCtx`) est l'objet où `forward` dépose ce qu'il faut garder
#   (`save_for_backward`), que `backward` relit dans `ctx.saved_tensors`. PyTorch passe comme
#   contexte le nœud `LinearFunctionBackward` lui-même, dont la classe hérite de
#   `FunctionCtx` : le contexte devient le `grad_fn` du résultat (vérifié plus bas : le
#   `grad_fn` est un `FunctionCtx` et porte les tenseurs que `forward` a rangés) ;
# - `ctx.needs_input_grad` est un tuple de booléens, un par entrée de `forward` : vrai si
#   cette entrée demande un gradient. `backward` s'en sert pour ne calculer que les
#   gradients utiles et renvoyer `None` pour les autres.
#
# Les formules de `backward` viennent de la règle de chaîne. Si $G = \partial \ell /
# \partial \hat{Y}$ (forme $n\times p$) est le gradient reçu, alors pour
# $\hat{Y} = XW + b$ (même raisonnement qu'au chapitre 1 pour $\theta^\top\mathbf{y}$,
# avec une ligne par exemple) :
#
# $$
# \frac{\partial \ell}{\partial X} = G\,W^\top, \qquad
# \frac{\partial \ell}{\partial W} = X^\top G, \qquad
# \frac{\partial \ell}{\partial b} = \sum_{i=1}^{n} G_{i,:},
# $$
#
# et pour la MSE, où $N$ est le nombre d'éléments de $\hat{Y}$ (ici $n \times p$),
# $\partial \ell/\partial \hat{Y} = \frac{2}{N}(\hat{Y} - Y)$ et
# $\partial \ell/\partial Y = -\frac{2}{N}(\hat{Y} - Y)$. (Au chapitre 1, les vecteurs
# étaient des colonnes et l'on écrivait $\theta^\top\mathbf{y}$ ; ici chaque exemple est
# une **ligne** de $X$, d'où $XW$ et des gradients écrits dans l'autre sens, $X^\top G$.)
#
# ### Vérifier une passe arrière : `gradcheck`
#
# `torch.autograd.gradcheck` compare la matrice jacobienne (chapitre 1, {numref}`section %s <sec-regle-chaine>`) que
# donne `backward` à celle des différences finies, en double précision : en simple
# précision, l'erreur d'arrondi des différences finies dépasse ses tolérances (chapitre 1,
# {numref}`section %s <sec-trois-calculs>` ; essayé plus bas). On vérifie aussi que le `grad_fn` d'un résultat de
# `linear` est bien un nœud `LinearFunctionBackward`, qui a gardé ce que `forward` a
# rangé dans le contexte.

# %%
torch.manual_seed(0)  # repartir de la même graine pour ces tirages
n, dim_in, dim_out = 6, 3, 2
X = torch.randn(n, dim_in, dtype=torch.float64, requires_grad=True)
W = torch.randn(dim_in, dim_out, dtype=torch.float64, requires_grad=True)
bias = torch.randn(dim_out, dtype=torch.float64, requires_grad=True)
Y = torch.randn(n, dim_out, dtype=torch.float64, requires_grad=True)

print("gradcheck(linear) :",
      torch.autograd.gradcheck(linear, (X, W, bias)))
print("gradcheck(mse)    :",
      torch.autograd.gradcheck(mse, (X @ W + bias, Y)))
ours = linear(X, W, bias).grad_fn
print("contexte rangé par forward :",
      [tuple(t.shape) for t in ours.saved_tensors], "(X et W)")
print("le grad_fn est un FunctionCtx :",
      isinstance(ours, FunctionCtx))
Node, Function = torch.autograd.graph.Node, torch.autograd.Function
for label, node in (("linear(X, W, b)", ours), ("X @ W", (X @ W).grad_fn)):
    print(f"grad_fn de {label} : {type(node).__name__}")
    print(f"  un Node d'autograd : {isinstance(node, Node)} ;",
          f"sous-classe de Function : {issubclass(type(node), Function)}")

# %% [markdown]
# Les deux passes arrière sont justes. Les deux `grad_fn` sont des nœuds d'autograd
# (`Node`), mais aucun n'est une `Function` : la `Function` est la classe que l'on écrit ;
# le nœud est ce que chacun de ses appels ajoute au graphe.
#
# Chaque appel reçoit donc **son** contexte. L'énoncé dit que « le calcul se fait sur les
# valeurs du dernier appel de forward » : ce n'est pas le cas. Deux appels de `linear`
# créent deux nœuds, chacun avec ce que **son** `forward` a rangé, et la passe arrière de
# chacun utilise ses propres valeurs :

# %%
first = linear(X, W, bias)  # premier appel : son contexte range X
second = linear(2 * X, W, bias)  # second appel : il range 2X
print("deux nœuds distincts :", first.grad_fn is not second.grad_fn)
grad_W = torch.autograd.grad(first.sum(), W)[0]  # par le 1er nœud
ones = torch.ones_like(first)
print("∂(Σ premier)/∂W = Xᵀ1, et non (2X)ᵀ1 :",
      torch.allclose(grad_W, X.detach().T @ ones))

# %% [markdown]
#
# `linear` vérifie les formes avant d'appeler `LinearFunction.apply` : une erreur de forme
# est signalée par un message qui donne les trois formes, avant que le moindre nœud soit
# ajouté au graphe. Par exemple avec $W$ transposée par mégarde :

# %%
try:
    linear(X, W.T, bias)
except ValueError as err:
    print(error_summary(err))

# %% [markdown]
# ```{optional-start} gradcheck en simple précision
# ```
#
# Et en simple précision ? `t.detach().float().requires_grad_()` fait de chaque entrée une
# copie en float32, feuille qui demande un gradient ; le `_` final signale, dans PyTorch,
# une méthode qui modifie le tenseur sur place (ici, son drapeau `requires_grad`).

# %%
X32, W32, bias32 = (t.detach().float().requires_grad_()
                    for t in (X, W, bias))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    ok32 = torch.autograd.gradcheck(linear, (X32, W32, bias32),
                                    raise_exception=False)
print("gradcheck(linear) en float32 :", ok32)
print(warning_summary(caught[0]))

# %% tags=["remove-cell"]
assert not ok32

# %% [markdown]
# La même passe arrière, pourtant juste, échoue en float32, et `gradcheck` prévient qu'il
# attend du float64. Pour voir pourquoi, refaisons ce qu'il compare, pour l'entrée $W$ :
# la jacobienne que donne notre `backward` et celle des différences finies, de pas
# $\varepsilon = 10^{-6}$ (le pas de `gradcheck`), colonne par colonne ($\mathbf{e}_k$
# vaut 1 en $k$, 0 ailleurs). `gradcheck` accepte un coefficient si l'écart est au plus
# $10^{-5} + 10^{-3} \times |J_{ik}|$. La première jacobienne vient de
# `jacobian(F, x)` (importée de `torch.autograd.functional` en tête du chapitre) : elle
# calcule la jacobienne de `F` en `x` par des passes arrière, donc ici avec **notre**
# `backward` ; la {numref}`section %s <sec-vjp>` y revient.

# %%
eps = 1e-6  # le pas de différences finies de gradcheck
W_flat = W32.detach().reshape(-1)


def output(w_flat: torch.Tensor) -> torch.Tensor:
    """La sortie de linear, aplatie, en fonction de W aplatie (float32)."""
    return linear(X32.detach(), w_flat.reshape(W32.shape),
                  bias32.detach()).reshape(-1)


J_backward = jacobian(output, W_flat)  # par notre backward
columns = []
for k in range(W_flat.numel()):
    e_k = torch.zeros_like(W_flat)
    e_k[k] = eps
    up, down = output(W_flat + e_k), output(W_flat - e_k)
    columns.append((up - down) / (2 * eps))
J_numeric = torch.stack(columns, dim=1)
gap = (J_numeric - J_backward).abs()
tolerance = 1e-5 + 1e-3 * J_backward.abs()
outside = (gap > tolerance).sum()
print("jacobiennes :", tuple(J_backward.shape),
      "(sorties × coordonnées de W)")
print(f"écart max : {gap.max():.1e}")
print(f"coefficients hors tolérance : {outside} sur {gap.numel()}")
nonzero = J_backward != 0
print("hors tolérance = non nuls de J :",
      torch.equal(gap > tolerance, nonzero))

# %% tags=["remove-cell"]
assert (gap > tolerance).any() and gap.max() > 10 * tolerance.max()
assert torch.equal(gap > tolerance, nonzero)
glue("fp32_gap", gap.max().item(), ".1e")

# %% [markdown]
# L'écart maximal, {glue:md}`fp32_gap`, dépasse de loin la tolérance, et les coefficients
# hors tolérance sont exactement les coefficients non nuls de $J$ (les autres sont des
# zéros exacts : la colonne $j$ de la sortie ne dépend que de la colonne $j$ de $W$). En
# float32, une sortie de quelques unités est arrondie à quelques $10^{-7}$ près, et la
# division par $2\varepsilon$ amplifie cette erreur d'arrondi jusqu'à ce niveau
# (chapitre 1, {numref}`section %s <sec-trois-calculs>`). La faute n'est pas dans `backward`, mais dans la référence.
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
    def forward(ctx, yhat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(yhat - y)
        return ((yhat - y) ** 2).mean()

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (diff,) = ctx.saved_tensors
        grad = grad_output * diff / diff.numel()  # erreur : 2 * diff
        return grad, -grad


ok = torch.autograd.gradcheck(ForgetfulMSE.apply, (X @ W + bias, Y),
                              raise_exception=False)
print("gradcheck(ForgetfulMSE) :", ok)

# %% tags=["remove-cell"]
assert not ok

# %% [markdown]
# ### Votre tour : tanh
#
# ````{exercise} Exercice 2.a — tanh, avec sa passe arrière
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
from tp2_src.checks import check_tanh_function

check_tanh_function(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# `gradcheck` confirme la passe arrière, et les gradients sont ceux de `torch.tanh` :

# %%
x = torch.randn(5, dtype=torch.float64, requires_grad=True)
print("gradcheck(Tanh) :", torch.autograd.gradcheck(Tanh.apply, (x,)))
ours = torch.autograd.grad(Tanh.apply(x).sum(), x)[0]
native = torch.autograd.grad(torch.tanh(x).sum(), x)[0]
print(f"écart max avec torch.tanh : {(ours - native).abs().max():.1e}")

# %% [markdown]
# ### Les mêmes gradients qu'autograd
#
# On calcule le même coût deux fois, avec nos fonctions puis avec les opérations de
# PyTorch, et on compare les gradients obtenus pour $X$, $W$ et $b$. On les obtient avec
# `torch.autograd.grad(sortie, entrées)`, qui fait la même passe arrière que `backward()`
# mais **renvoie** les gradients demandés au lieu de les ajouter à `.grad` : les deux
# calculs ne se mélangent pas.

# %%
loss_ours = mse(linear(X, W, bias), Y)
grads_ours = torch.autograd.grad(loss_ours, (X, W, bias))
loss_torch = ((X @ W + bias - Y) ** 2).mean()
grads_torch = torch.autograd.grad(loss_torch, (X, W, bias))
for name, g1, g2 in zip("XWb", grads_ours, grads_torch, strict=True):
    print(f"∂ℓ/∂{name} : écart max {(g1 - g2).abs().max().item():.1e}")
    torch.testing.assert_close(g1, g2, rtol=1e-12, atol=1e-12)
print(f"coût : {loss_ours.item():.6f} (nos fonctions), "
      f"{loss_torch.item():.6f} (PyTorch)")

# %% [markdown]
# En pratique, on n'écrit presque jamais ces classes : chaque opération sur un tenseur
# crée le nœud d'autograd (écrit en C++) qui lui correspond et l'accroche au graphe du
# résultat. On n'écrit une `Function` que pour une opération absente de PyTorch ou une
# passe arrière plus économe.
#
# (sec-vjp)=
# ## Sorties non scalaires : le produit vecteur–jacobienne
#
# Jusqu'ici, on a toujours rétropropagé depuis un coût scalaire. Que calcule `backward()`
# quand la sortie est un vecteur ou une matrice ? Essayons sur la fonction linéaire, dont la
# sortie $\hat{Y}$ a la forme $n \times p$ :

# %%
X.grad = W.grad = bias.grad = None  # on repart de gradients vides
Y_hat = linear(X, W, bias)
print("forme de la sortie :", tuple(Y_hat.shape))
try:
    Y_hat.backward()
except RuntimeError as err:
    print(error_summary(err))

# %% [markdown]
# PyTorch refuse : la dérivée d'une sortie de $n p$ nombres par rapport à $W$ est toute une
# jacobienne, et `backward()` ne sait pas laquelle de ses combinaisons on veut. Il faut lui
# donner un vecteur $V$ de la forme de la sortie : `backward(gradient=V)` calcule alors le
# gradient du scalaire $\sum_{ij} V_{ij} \hat{Y}_{ij}$, c'est-à-dire le **produit
# vecteur–jacobienne** $\mathbf{v}^\top J$ (avec $\mathbf{v}$ et $J$ aplatis). C'est
# exactement ce que fait chaque nœud pendant la passe arrière : $V$ joue le rôle du
# gradient reçu de l'aval.
#
# Vérifions-le avec la jacobienne complète, que `torch.autograd.functional.jacobian`
# calcule (une ligne par coordonnée de sortie, au prix d'une passe arrière par ligne) :

# %%
V = torch.randn_like(Y_hat)  # « gradient reçu de l'aval », forme de Y_hat
Y_hat.backward(gradient=V)

J = jacobian(lambda W_: linear(X.detach(), W_, bias.detach()), W.detach())
print("J, jacobienne de W ↦ XW + b :", tuple(J.shape),
      "= forme de la sortie + forme de W")
J_flat = J.reshape(Y_hat.numel(), W.numel())
print("J aplatie :", tuple(J_flat.shape), "; V aplati :", (V.numel(),))
vJ = (V.reshape(-1) @ J_flat).reshape(W.shape)
print("vᵀJ remis à la forme de W :", tuple(vJ.shape))
XtV = X.detach().T @ V  # la formule de LinearFunction.backward
print(f"écart max |vᵀJ − W.grad| : {(vJ - W.grad).abs().max():.1e}")
print(f"écart max |XᵀV − W.grad| : {(XtV - W.grad).abs().max():.1e}")
torch.testing.assert_close(vJ, W.grad, rtol=1e-12, atol=1e-12)
torch.testing.assert_close(XtV, W.grad, rtol=1e-12, atol=1e-12)

# %% [markdown]
# `backward(gradient=V)` a déposé dans `W.grad` exactement $\mathbf{v}^\top J$, sans
# jamais construire $J$ : notre `backward` calcule directement $X^\top V$. La jacobienne
# a ici {glue:md}`jac_entries` coefficients pour {glue:md}`w_entries` coordonnées de
# gradient ; pour un réseau d'un million de paramètres et un lot de mille exemples, elle
# en aurait des milliards. C'est pourquoi autograd ne manipule que des produits
# vecteur–jacobienne.
#
# **Et les sorties « scalaires » de forme $(1, 1)$ ?** Dans l'exemple de l'énoncé,
# `d = 2 * a.mm(b.t())` a la forme $(1, 1)$, et `d.backward()` a pourtant marché sans
# argument. PyTorch ne regarde pas la dimension mais le **nombre d'éléments** : pour une
# sortie d'un seul élément, il prend implicitement `gradient=torch.ones_like(d)`, la graine
# $\partial d / \partial d = 1$ du chapitre 1.

# %% tags=["remove-cell"]
glue("jac_entries", J.numel(), "d")
glue("w_entries", W.numel(), "d")

# %%
torch.manual_seed(0)  # graine fixe : les mêmes nombres à chaque exécution
a = torch.rand((1, 10), requires_grad=True)
b = torch.rand((1, 10), requires_grad=True)
d = 2 * a.mm(b.t())
print("forme de d :", tuple(d.shape), "— nombre d'éléments :", d.numel())
d.backward()  # permis : un seul élément
grad_implicit = a.grad.clone()
a.grad = None
d = 2 * a.mm(b.t())
d.backward(gradient=torch.ones_like(d))  # la même chose, explicitement
print("même gradient qu'avec gradient=torch.ones_like(d) :",
      torch.equal(grad_implicit, a.grad))

# %% tags=["remove-cell"]
assert torch.equal(grad_implicit, a.grad)

# %% [markdown]
# ## Résumé
#
# - Chaque opération est un nœud d'autograd qui sait faire sa passe arrière ; pour écrire
#   la sienne, on dérive `torch.autograd.Function` : `forward` calcule et range dans le
#   contexte, `backward` transforme le gradient reçu en un gradient par entrée.
#   `gradcheck` (en float64) vérifie une passe arrière écrite à la main.
# - Hors de `torch.no_grad()`, un tenseur enregistre son histoire (`grad_fn`) dès qu'une
#   de ses racines a `requires_grad=True`. Seules les feuilles qui demandent un gradient
#   reçoivent `.grad`, et les résultats intermédiaires sur lesquels on a appelé
#   `retain_grad()`.
# - `backward()` **accumule** dans `.grad` et libère le graphe : on recalcule le coût à
#   chaque itération et l'on remet les gradients à zéro.
# - `torch.no_grad()` calcule sans graphe : pour évaluer ou mettre à jour des paramètres.
# - Pour une sortie non scalaire, `backward(gradient=v)` calcule le produit
#   vecteur–jacobienne $\mathbf{v}^\top J$ sans construire $J$ ; une sortie d'un seul
#   élément prend implicitement $\mathbf{v} = 1$.
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
# ou l'accumulation sur plusieurs mini-lots avant un seul `step()`, quand un grand lot ne
# tient pas en mémoire (voir le {ref}`chapitre 4 <chap-optim>`).
# ```
#
# ````{exercise} Exercice 2.d — dériver coordonnée par coordonnée
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
from tp2_src.checks import check_sin_derivatives

check_sin_derivatives(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Sur cinq points de $[0, 3]$ :

# %%
x = torch.linspace(0, 3, 5, dtype=torch.float64, requires_grad=True)
grad, J = sin_derivatives(x)
print("jacobienne diagonale :",
      torch.equal(J, torch.diag(torch.diagonal(J))))
print("x.grad      =", grad.numpy().round(4))
print("cos(x)      =", torch.cos(x.detach()).numpy().round(4))
ones = torch.ones(5, dtype=torch.float64)
print("x.grad = 1ᵀJ :", torch.allclose(grad, ones @ J))

# %% [markdown]
# Ce raccourci ne vaut que parce que la jacobienne est diagonale : si $y_i$ dépendait de
# plusieurs $x_j$, `x.grad` contiendrait $\mathbf{1}^\top J$, la somme des lignes de $J$
# (chaque coordonnée $j$ est la somme de la colonne $j$), et non des dérivées coordonnée
# par coordonnée.

# %% [markdown]
# ```{admonition} Exécution de ce chapitre
# :class: note
# Les sorties de ce chapitre ont été calculées avec {glue:md}`environnement`. Livre construit
# à partir du dernier commit, daté du {{ date_construction }}.
# ```

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
# (chap-optim)=
# # Optimiseurs : `torch.optim`
#
# ```{admonition} Objectifs
# :class: tip
# À la fin de ce chapitre, vous saurez :
# - confier la mise à jour des paramètres à un optimiseur : ce que font exactement
#   `zero_grad()` et `step()` ;
# - repérer et corriger les deux erreurs de la boucle d'exemple de l'énoncé, et voir ce que
#   deviendrait cette boucle sans remise à zéro des gradients ;
# - accumuler volontairement les gradients de plusieurs mini-lots avant un pas ;
# - comparer SGD, SGD avec moment, RMSprop et Adam à réglages comparables, et lire leurs
#   hyper-paramètres, dont la pénalité `weight_decay` ;
# - dire quand `zero_grad()` doit remettre les gradients à `None` plutôt qu'à zéro.
# ```
#
# Au {ref}`chapitre 3 <chap-regression>`, la mise à jour et la remise à zéro des gradients
# étaient écrites à la main. `torch.optim` les fait pour nous, quel que soit l'algorithme
# de descente choisi.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Les outils du livre (tp2_src), présentés au chapitre 3 :
from tp2_src.data import boston_split  # Boston, découpé et standardisé
from tp2_src.device import get_device, make_deterministic

make_deterministic(seed=0)  # torch.manual_seed(0), calculs déterministes
device = get_device()  # CUDA s'il y en a une, sinon le processeur
# Le découpage standardisé du chapitre 3 (même graine).
X_train, y_train, X_test, y_test = boston_split(device=device).tensors()
print(f"{len(X_train)} quartiers d'apprentissage, {len(X_test)} de test")
print(f"prix moyen (MEDV, apprentissage) : {y_train.mean():.2f}")

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs collées,
# vérification de ce qu'annonce la prose.
from tp2_src.glue import glue, glue_environment, glue_figure
from tp2_src.style import use_book_style

use_book_style()
glue_environment()  # citée par la note « Exécution de ce chapitre », en fin de page

# %% [markdown]
# ## `zero_grad()` et `step()`
#
# Un {term}`optimiseur` reçoit à sa création la liste des paramètres à optimiser. Ensuite :
#
# - `optimizer.zero_grad()` efface le gradient de chacun de ces paramètres. Par défaut
#   (`set_to_none=True`), il remet `.grad` à `None` plutôt que de le remplir de zéros :
#   la prochaine passe arrière écrira le gradient au lieu de l'ajouter, et l'on économise
#   une écriture mémoire ;
# - `optimizer.step()` applique la règle de mise à jour de l'algorithme avec les `.grad`
#   courants ; pour {term}`SGD`, $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$,
#   où $\eta$ est le taux d'apprentissage (`lr`).
#
# Les paramètres sont des `nn.Parameter` : des tenseurs qui demandent un gradient par
# défaut et que les modules reconnaissent comme paramètres (chapitre 5).

# %%
w = nn.Parameter(torch.zeros(13, device=device))
b = nn.Parameter(torch.zeros((), device=device))
print("requires_grad :", w.requires_grad, "; feuille :", w.is_leaf)
lr = 0.05
optimizer = torch.optim.SGD([w, b], lr=lr)

loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
expected_w = (w - lr * w.grad).detach()  # ce que step() doit calculer
optimizer.step()
print("step() a fait w ← w − lr · w.grad :", torch.allclose(w, expected_w))
print("avant zero_grad : w.grad =", w.grad[:3].cpu().numpy().round(3), "…")
optimizer.zero_grad()
print("après zero_grad : w.grad =", w.grad)

# %% [markdown]
# (sec-boucle-enonce)=
# ## La boucle de l'énoncé
#
# L'énoncé propose une boucle qui ne met à jour les paramètres qu'une fois toutes les 100
# itérations (« mini-batch de 100 »). Elle ne s'exécute pas telle quelle :
# `if i % 100 = 0` est une **affectation** là où il faut une comparaison (`==`), et
# Python refuse de compiler le fichier.

# %%
statement_snippet = """
for i in range(NB_EPOCH):
    loss = MSE(f(x, w, b), y)
    loss.backward()
    if i % 100 = 0:
        optim.step()
"""
try:
    compile(statement_snippet, "<énoncé>", "exec")
except SyntaxError as err:
    print(f"SyntaxError, ligne {err.lineno} :")
    print("   ", err.msg)
    print("   ", err.text.strip())

# %% [markdown]
# Où remettre les gradients à zéro ? Dans le texte de l'énoncé dont nous disposons, l'appel
# `optim.zero_grad()` figure juste avant la boucle, et une seconde fois, seul sur sa ligne,
# plus haut, sous la liste de ce que permet `torch.optim` ; le commentaire
# « Reinitialisation du gradient » apparaît une fois avant la boucle et une fois après : la
# mise en page a sans doute déplacé ces lignes, et la boucle voulue remet à zéro après chaque
# `step()`, dans le `if`. Comparons les deux versions, la condition corrigée (`==`) : avec
# `zero_grad()` après chaque `step()`, et avec un seul `zero_grad()` avant la boucle.
# Comme `backward()` accumule (chapitre 2), `.grad` contient, après $i$ itérations sans
# remise à zéro, la **somme** des $i$ gradients calculés depuis le début. On note, à
# chaque itération sur 1000, la norme de `w.grad` et celle du vrai gradient du coût
# courant (calculé à part avec `torch.autograd.grad`, qui n'accumule rien).


# %%
def statement_loop(zero_grad_after_step: bool, num_iters: int = 1000):
    """La boucle de l'énoncé, avec ou sans zero_grad() après step()."""
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(13).to(device))
    b = nn.Parameter(torch.randn(1).to(device))
    optim = torch.optim.SGD(params=[w, b], lr=1e-3)
    optim.zero_grad()
    acc_norms, true_norms, losses = [], [], []
    for i in range(num_iters):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        (true_grad,) = torch.autograd.grad(loss, w, retain_graph=True)
        loss.backward()
        acc_norms.append(w.grad.norm().item())
        true_norms.append(true_grad.norm().item())
        losses.append(loss.item())
        if i % 100 == 0:
            optim.step()
            if zero_grad_after_step:
                optim.zero_grad()
    return acc_norms, true_norms, losses


buggy_acc, buggy_true, buggy_loss = statement_loop(False)  # sans remise
fixed_acc, _, fixed_loss = statement_loop(True)  # zero_grad() après step()
print("itération | vrai gradient | w.grad sans remise | w.grad remis à 0")
for i in (0, 1, 99, 100, 101, 500, 999):
    print(f"{i:>9} | {buggy_true[i]:>13.1f} | {buggy_acc[i]:>18.1f} | "
          f"{fixed_acc[i]:>16.1f}")
print(f"coût final : {buggy_loss[-1]:.1f} (sans remise), "
      f"{fixed_loss[-1]:.1f} (remis à 0)")
print("à la dernière itération, sans remise, w.grad vaut "
      f"{buggy_acc[-1] / buggy_true[-1]:.0f} fois le vrai gradient")

# %% tags=["remove-cell"]
glue("grad_ratio", buggy_acc[-1] / buggy_true[-1], ".0f")
assert buggy_acc[-1] > 100 * buggy_true[-1]
assert fixed_acc[101] < 2 * buggy_true[101] < buggy_acc[101]
assert fixed_loss[-1] < buggy_loss[-1]

# %% [markdown]
# Avec la remise à zéro après chaque `step()`, `w.grad` additionne les gradients des 100
# itérations qui séparent deux pas (à l'itération 99, une centaine de fois le vrai
# gradient) puis repart de zéro : c'est le « mini-batch de 100 » voulu par l'énoncé. Sans
# remise à zéro, `w.grad` additionne les gradients de toutes les itérations depuis le
# début : à la dernière, il est {glue:md}`grad_ratio` fois plus grand que le vrai
# gradient. Chaque `step()` utilise cette somme périmée, et le coût baisse bien moins.
#
# Faire un pas toutes les 100 itérations sur le **même** lot complet n'a d'ailleurs pas
# d'intérêt : la somme de 100 gradients presque égaux donne un déplacement 100 fois plus
# grand, pour 100 fois plus de calcul. La boucle utile fait un pas par itération, et remet
# les gradients à zéro avant chaque passe arrière.
#
# ````{exercise} Exercice 4.a — la boucle corrigée, section 3 de l'énoncé
# :label: ex-4a
# :nonumber:
# Réécrivez la boucle de l'énoncé pour qu'elle fasse une descente batch correcte sur
# Boston Housing : paramètres `w` et `b` en `nn.Parameter` initialisés à zéro, un
# optimiseur SGD de taux `lr` créé une fois, un pas par itération, et la remise à zéro
# des gradients au bon endroit. Complétez `sgd_descent` :
#
# ```python
# def sgd_descent(X_train, y_train, lr, num_epochs):
#     """Descente batch avec torch.optim.SGD ; rend (w, b)."""
#     w = nn.Parameter(torch.zeros(X_train.shape[1],
#                                  device=X_train.device))
#     b = nn.Parameter(torch.zeros((), device=X_train.device))
#     optimizer = ...  # À vous : SGD sur [w, b], de taux lr
#     for _ in range(num_epochs):
#         ...  # À vous : zero_grad(), passe avant, backward(), step()
#     return w, b
# ```
# ````
#
# ```{solution-start} ex-4a
# :class: dropdown
# ```
#
# `zero_grad()`, passe avant, `backward()`, `step()`, à chaque itération :

# %% tags=["solution"]
def sgd_descent(X_train, y_train, lr, num_epochs):
    """Descente batch avec torch.optim.SGD ; rend (w, b)."""
    w = nn.Parameter(torch.zeros(X_train.shape[1],
                                 device=X_train.device))
    b = nn.Parameter(torch.zeros((), device=X_train.device))
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for _ in range(num_epochs):
        optimizer.zero_grad()  # 1. effacer les gradients précédents
        # 2. passe avant
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()  # 3. passe arrière : remplit .grad
        optimizer.step()  # 4. mise à jour des paramètres
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check_sgd_descent

check_sgd_descent(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# C'est exactement la descente batch du chapitre 3 (même taux, mêmes 100 itérations) :
# `step()` fait la mise à jour sous `torch.no_grad()`, et `zero_grad()` la remise à zéro,
# en deux lignes de moins. `fit_linear_regression`, qui écrit ces deux lignes à la main,
# arrive aux mêmes paramètres :

# %%
# La descente du chapitre 3, mise à jour et remise à zéro à la main :
from tp2_src.linreg import (
    fit_linear_regression,
    linear_mse,  # ((X @ w + b - y) ** 2).mean()
)

w, b = sgd_descent(X_train, y_train, lr=0.1, num_epochs=100)
w_ch3, b_ch3, _ = fit_linear_regression(X_train, y_train, X_test, y_test,
                                        method="batch", lr=0.1,
                                        num_epochs=100)
print(f"MSE d'apprentissage : {linear_mse(X_train, y_train, w, b):.3f}")
print("mêmes paramètres qu'au chapitre 3 (à 10⁻⁶ près) :",
      torch.allclose(w.detach(), w_ch3, atol=1e-6),
      torch.allclose(b.detach(), b_ch3, atol=1e-6))

# %% [markdown]
# ### Accumuler des gradients, volontairement
#
# Faire un pas tous les $K$ mini-lots, comme le fait la boucle de l'énoncé, a un usage
# réel : simuler un grand lot qui ne tient pas en mémoire. On appelle `backward()` sur $K$ mini-lots, puis
# **un** `step()` et **un** `zero_grad()`. Pour que le gradient accumulé soit celui de la
# moyenne sur l'union des lots, on divise chaque coût par $K$ : avec des lots de même
# taille $B$,
#
# $$
# \frac{1}{K}\sum_{j=1}^{K} \nabla \frac{1}{B}\sum_{i \in \text{lot}_j} \ell_i
# = \nabla \frac{1}{KB} \sum_{i \in \bigcup_j \text{lot}_j} \ell_i .
# $$

# %%
K, batch_size = 4, 32  # K mini-lots de 32
g = torch.Generator().manual_seed(0)
perm = torch.randperm(len(X_train), generator=g)
idx = perm[: K * batch_size].to(device)
w = nn.Parameter(torch.randn(13, generator=g).to(device))
b = nn.Parameter(torch.zeros((), device=device))
optimizer = torch.optim.SGD([w, b], lr=0.01)


def mse_on(rows: torch.Tensor) -> torch.Tensor:
    """La MSE du modèle X w + b sur les exemples d'indices rows."""
    return ((X_train[rows] @ w + b - y_train[rows]) ** 2).mean()


optimizer.zero_grad()
for chunk in idx.split(batch_size):  # K mini-lots, un backward chacun
    (mse_on(chunk) / K).backward()
accumulated = [w.grad.clone(), b.grad.clone()]

optimizer.zero_grad()
mse_on(idx).backward()  # un seul lot : l'union des K mini-lots
union = [w.grad.clone(), b.grad.clone()]

for name, g_acc, g_union in zip("wb", accumulated, union):
    print(f"{name} : écart max accumulé / union = "
          f"{(g_acc - g_union).abs().max():.1e}")
    torch.testing.assert_close(g_acc, g_union, rtol=1e-5, atol=1e-5)

# %% [markdown]
# Les deux gradients coïncident à l'arrondi du float32 près (tolérance vérifiée :
# $10^{-5}$).
#
# (sec-algorithmes)=
# ## SGD, moment, RMSprop, Adam
#
# Changer d'algorithme ne change qu'une ligne : la création de l'optimiseur. Voici les
# quatre règles de mise à jour, pour un gradient de mini-lot $\mathbf{g}_t$ au pas $t$
# (les opérations sur des vecteurs se font coordonnée par coordonnée), avec leurs
# hyper-paramètres et les valeurs par défaut de PyTorch (affichées par la cellule qui
# suit la liste) :
#
# - **SGD** : $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}_t$ (seul réglage : $\eta$) ;
# - **SGD avec {term}`moment`** (`momentum` $= \mu$, ici 0,9) : une vitesse
#   $\mathbf{v} \leftarrow \mu\mathbf{v} + \mathbf{g}_t$ (au premier pas,
#   $\mathbf{v} = \mathbf{g}_1$), puis $\mathbf{w} \leftarrow \mathbf{w} - \eta\mathbf{v}$.
#   PyTorch **accumule** les gradients, il n'en fait pas une moyenne : si le gradient
#   reste égal à $\mathbf{g}$, la vitesse vaut $\frac{1-\mu^t}{1-\mu}\,\mathbf{g}$ après
#   $t$ pas et tend vers $\mathbf{g}/(1-\mu)$, {glue:md}`momentum_limit` fois le gradient
#   pour $\mu = 0{,}9$. Elle n'y arrive pas tout de suite : {glue:md}`velocity_10`
#   $\mathbf{g}$ après 10 pas, et il faut {glue:md}`steps_to_90` pas pour atteindre
#   {glue:md}`velocity_90` $\mathbf{g}$ (mesuré plus bas). Une fois lancé, le moment fait
#   donc, au même $\eta$, des déplacements environ {glue:md}`momentum_limit` fois plus
#   grands que SGD (l'option `dampening` $= \mu$ en ferait une moyenne : la vitesse
#   resterait $\mathbf{g}$) ;
# - **RMSprop** (`alpha` $= 0{,}99$) : une moyenne glissante des carrés des gradients,
#   $\mathbf{s} \leftarrow \alpha\mathbf{s} + (1-\alpha)\,\mathbf{g}_t^2$, partie de zéro,
#   puis $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}_t/(\sqrt{\mathbf{s}} + c)$,
#   où la petite constante $c$ = `eps` $= 10^{-8}$ évite de diviser par zéro : le
#   déplacement ne dépend pas de l'échelle du gradient (multiplier le coût par 100 ne
#   le change pas) ; plus grand que $\eta$ aux premiers pas, quand la moyenne partie de
#   zéro est encore trop petite, il se rapproche ensuite de $\eta$ ;
# - **Adam** (`betas` $= (\beta_1, \beta_2) = (0{,}9 ; 0{,}999)$, même `eps`) : une moyenne
#   glissante des gradients et une de leurs carrés, toutes deux parties de zéro,
#
#   $$
#   \mathbf{m} \leftarrow \beta_1\mathbf{m} + (1-\beta_1)\,\mathbf{g}_t, \qquad
#   \mathbf{s} \leftarrow \beta_2\mathbf{s} + (1-\beta_2)\,\mathbf{g}_t^2,
#   $$
#
#   puis
#
#   $$
#   \mathbf{w} \leftarrow \mathbf{w} - \eta\,
#     \frac{\mathbf{m}/(1-\beta_1^t)}{\sqrt{\mathbf{s}/(1-\beta_2^t)} + c} .
#   $$
#
#   Les divisions par $1 - \beta_1^t$ et $1 - \beta_2^t$ sont la **correction de biais** :
#   parties de zéro, les deux moyennes sont trop petites aux premiers pas (biaisées vers
#   zéro), et la correction compense. (Ce « biais » est celui des moyennes, sans rapport
#   avec le biais $b$ du modèle ; de même, $\beta_1$ et $\beta_2$, les noms que leur
#   donnent PyTorch et l'article d'Adam, n'ont rien à voir avec le vecteur
#   $\boldsymbol{\beta} = (\mathbf{w}, b)$ du chapitre 3.)
#
# Tous acceptent aussi une {term}`pénalité` sur les poids, `weight_decay`
# $= \lambda_{\text{wd}}$ (0 par défaut, *weight decay* en anglais ; l'indice le distingue
# des valeurs propres $\lambda_i$ du chapitre 3) : avant d'appliquer sa règle,
# l'optimiseur remplace le gradient $\mathbf{g}_t$ par
# $\mathbf{g}_t + \lambda_{\text{wd}}\mathbf{w}$, qui est le gradient du coût pénalisé
# $\ell + \frac{\lambda_{\text{wd}}}{2}\lVert\mathbf{w}\rVert^2$. La pénalité tire donc
# chaque paramètre vers 0, d'autant plus fort qu'il est grand. Ce chapitre ne
# s'en sert que dans la {numref}`section %s <sec-zero-grad-none>`.

# %%
# Les réglages par défaut, lus dans les optimiseurs eux-mêmes :
params = [nn.Parameter(torch.zeros(1))]
shown = {torch.optim.SGD: ("momentum", "dampening", "weight_decay"),
         torch.optim.RMSprop: ("alpha", "eps", "weight_decay"),
         torch.optim.Adam: ("betas", "eps", "weight_decay")}
for optim_class, keys in shown.items():
    defaults = optim_class(params).defaults
    print(f"{optim_class.__name__:<7}", {k: defaults[k] for k in keys})

# %% [markdown]
# Mesurons la vitesse du moment. Le coût $\ell(p) = p$ a un gradient constant,
# $g = 1$ ; avec $\eta = 1$, chaque pas déplace $p$ de la vitesse $v$ elle-même :

# %%
def unit_gradient_moves(make_optimizer, num_steps: int) -> list[float]:
    """Déplacement de p à chaque pas, pour le coût ℓ(p) = p (g = 1)."""
    p = nn.Parameter(torch.zeros((), dtype=torch.float64))
    opt = make_optimizer([p])
    moves = []
    for _ in range(num_steps):
        opt.zero_grad()
        before = p.item()
        p.sum().backward()  # le coût ℓ(p) = p : gradient 1
        opt.step()
        moves.append(before - p.item())
    return moves


mu = 0.9
velocity = unit_gradient_moves(  # lr = 1 : le déplacement est la vitesse
    lambda p: torch.optim.SGD(p, lr=1.0, momentum=mu), 50)
damped = unit_gradient_moves(
    lambda p: torch.optim.SGD(p, lr=1.0, momentum=mu, dampening=mu), 50)
limit = 1 / (1 - mu)  # la limite g/(1 − μ), en unités de g
steps_to_90 = next(t for t, v in enumerate(velocity, 1)
                   if v >= 0.9 * limit)  # premier pas à 90 % de la limite
print("pas t | vitesse v | (1 − μᵗ)/(1 − μ) | avec dampening = μ")
for t in (1, 2, 5, 10, steps_to_90 - 1, steps_to_90, 50):
    formula = (1 - mu**t) / (1 - mu)
    print(f"{t:>5} | {velocity[t - 1]:>9.3f} | {formula:>16.3f} | "
          f"{damped[t - 1]:>18.3f}")
print(f"limite : {limit:.0f} g ; 90 % atteints au pas {steps_to_90}")

# %% tags=["remove-cell"]
glue("momentum_limit", limit, ".0f")
glue("velocity_10", velocity[9], ".1f")
glue("velocity_90", 0.9 * limit, ".0f")
glue("steps_to_90", steps_to_90, "d")
assert velocity[steps_to_90 - 2] < 0.9 * limit <= velocity[steps_to_90 - 1]
assert all(abs(v - (1 - mu**t) / (1 - mu)) < 1e-9
           for t, v in enumerate(velocity, 1))
assert all(abs(v - 1) < 1e-12 for v in damped)

# %% [markdown]
# La règle du moment tient en deux lignes : l'écrire soi-même est la meilleure façon de
# voir ce que `step()` garde d'un pas à l'autre.
#
# ````{exercise} Exercice 4.b — le moment, à la main
# :label: ex-4b
# :nonumber:
# Écrivez la descente batch avec moment sans `torch.optim`. Chaque paramètre a sa
# vitesse, un tenseur de sa forme qui part de zéro (au premier pas, $\mathbf{v} =
# \mathbf{g}_1$, comme dans PyTorch). À chaque pas, sous `torch.no_grad()` : d'abord
# $\mathbf{v} \leftarrow \mu\mathbf{v} + \mathbf{g}_t$, puis
# $\mathbf{p} \leftarrow \mathbf{p} - \eta\mathbf{v}$. Les gradients sont remis à zéro
# à chaque pas : c'est la vitesse, pas `.grad`, qui garde la mémoire des pas passés.
# Complétez `momentum_descent` :
#
# ```python
# def momentum_descent(X_train, y_train, lr, mu, num_epochs):
#     """Descente batch avec moment, à la main ; rend (w, b)."""
#     w = torch.zeros(X_train.shape[1], device=X_train.device,
#                     requires_grad=True)
#     b = torch.zeros((), device=X_train.device, requires_grad=True)
#     v_w, v_b = torch.zeros_like(w), torch.zeros_like(b)  # vitesses
#     for _ in range(num_epochs):
#         loss = ((X_train @ w + b - y_train) ** 2).mean()
#         loss.backward()
#         with torch.no_grad():
#             ...  # À vous : les vitesses, puis les paramètres
#         ...  # À vous : remettre les gradients à zéro
#     return w, b
# ```
# ````
#
# ```{solution-start} ex-4b
# :class: dropdown
# ```
#
# La vitesse d'abord, le pas ensuite, puis la remise à zéro :

# %% tags=["solution"]
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    """Descente batch avec moment, à la main ; rend (w, b)."""
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    v_w, v_b = torch.zeros_like(w), torch.zeros_like(b)  # vitesses
    for _ in range(num_epochs):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            v_w = mu * v_w + w.grad  # v ← μ·v + g
            v_b = mu * v_b + b.grad
            w -= lr * v_w  # p ← p − η·v
            b -= lr * v_b
        w.grad.zero_()
        b.grad.zero_()
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check_momentum_descent

check_momentum_descent(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Comparons avec `torch.optim.SGD(momentum=0.9)` sur Boston, au même $\eta = 0{,}01$,
# pendant 100 itérations, et avec la descente sans moment de l'exercice 4.a :

# %%
from tp2_src.linreg import least_squares  # l'optimum exact (w*, b*)

w_mom, b_mom = momentum_descent(X_train, y_train, lr=0.01, mu=0.9,
                                num_epochs=100)
w_opt = nn.Parameter(torch.zeros(13, device=device))
b_opt = nn.Parameter(torch.zeros((), device=device))
optimizer = torch.optim.SGD([w_opt, b_opt], lr=0.01, momentum=0.9)
for _ in range(100):
    optimizer.zero_grad()
    ((X_train @ w_opt + b_opt - y_train) ** 2).mean().backward()
    optimizer.step()
w_sgd, b_sgd = sgd_descent(X_train, y_train, lr=0.01, num_epochs=100)

gap = max((w_mom - w_opt).abs().max().item(), (b_mom - b_opt).abs().item())
print(f"plus grand écart à torch.optim.SGD(momentum=0.9) : {gap:.1e}")
w_star, b_star = least_squares(X_train, y_train)
optimum = linear_mse(X_train, y_train, w_star, b_star)
print(f"MSE d'apprentissage, optimum des moindres carrés : {optimum:.2f}")
for name, (w_, b_) in {"moment, à la main": (w_mom, b_mom),
                        "sans moment (4.a)": (w_sgd, b_sgd)}.items():
    mse = linear_mse(X_train, y_train, w_, b_)
    print(f"{name:<18} après 100 pas : {mse:.2f} "
          f"(excès sur l'optimum : {mse - optimum:.2f})")

# %% tags=["remove-cell"]
mse_momentum = linear_mse(X_train, y_train, w_mom, b_mom)
mse_plain = linear_mse(X_train, y_train, w_sgd, b_sgd)
glue("momentum_gap", gap, ".0e")
glue("mse_momentum_100", mse_momentum, ".2f")
glue("mse_plain_100", mse_plain, ".2f")
glue("excess_momentum", mse_momentum - optimum, ".2f")
glue("excess_plain", mse_plain - optimum, ".2f")
assert gap < 1e-3
assert (mse_momentum - optimum) < (mse_plain - optimum) / 10

# %% [markdown]
# Les deux versions du moment coïncident, aux arrondis du calcul en `float32` près
# (écart {glue:md}`momentum_gap`). Au même $\eta$, le moment arrive bien plus près de
# l'optimum en 100 pas : MSE {glue:md}`mse_momentum_100`, à {glue:md}`excess_momentum`
# au-dessus de l'optimum, contre {glue:md}`mse_plain_100` sans moment, à
# {glue:md}`excess_plain` au-dessus. Il se déplace en effet jusqu'à
# {glue:md}`momentum_limit` fois plus loin à chaque pas, une fois sa vitesse lancée.

# %% [markdown]
# Ces règles ne donnent pas le même sens à $\eta$. Pour Adam, il se mesure **en unités
# des paramètres** : chaque pas déplace une coordonnée d'environ $\eta$ (mesuré plus bas).
# Or le biais du modèle doit aller de 0 à environ {glue:md}`y_mean` (le prix moyen des
# quartiers d'apprentissage, affiché en tête de chapitre), ce qui demande au moins
# {glue:md}`y_mean` / $\eta$ pas. On donne $\eta = 0{,}1$ à Adam et à RMSprop, et
# $0{,}01$ à SGD. Pour SGD avec moment, deux réglages : le même $\eta = 0{,}01$, et
# $\eta = 0{,}001$, qui donne le même taux effectif $\eta/(1-\mu) = 0{,}01$ que SGD.
#
# La comparaison se fait sur la régression linéaire de Boston, écrite avec un
# `nn.Linear(13, 1)` : il calcule $X W^\top + b$ avec un poids $W$ de forme $(1, 13)$ et un
# biais $b$, les mêmes paramètres que nos `w` et `b` (le chapitre 5 présente les modules).
# Tous partent de la même initialisation (même graine), voient les mêmes mini-lots de 32,
# pendant 50 époques. La boucle est celle de l'exercice 4.a, en mini-lots tirés d'un
# `DataLoader` comme au chapitre 3, et journalisée dans TensorBoard : `fit` (de
# `tp2_src.training`) l'écrit une fois pour toutes, et mesure à chaque époque la MSE
# d'apprentissage et de test.

# %%
from tp2_src.logs import (
    logged_run,  # un SummaryWriter neuf, puis fermé
    read_scalars,  # relit les courbes d'un journal
)
from tp2_src.training import fit  # boucle de l'exercice 4.a, en mini-lots

optimizers = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.01),
    "moment, même η": lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9),
    "moment, taux effectif égal": lambda p: torch.optim.SGD(p, lr=1e-3,
                                                             momentum=0.9),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.1),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.1),
}
run_names = {"SGD": "optim-sgd", "moment, même η": "optim-moment",
             "moment, taux effectif égal": "optim-moment-taux-egal",
             "RMSprop": "optim-rmsprop", "Adam": "optim-adam"}
histories, runs = {}, {}
for name, make_optimizer in optimizers.items():
    torch.manual_seed(0)  # même initialisation pour tous
    model = nn.Linear(13, 1).to(device)
    with logged_run(run_names[name]) as writer:
        histories[name] = fit(
            model, make_optimizer(model.parameters()), X_train, y_train,
            evals={"test": (X_test, y_test)}, num_epochs=50, batch_size=32,
            seed=0, writer=writer)
    runs[name] = read_scalars(writer.log_dir)

# %% [markdown]
# Le tableau donne la MSE d'apprentissage après 1, 2, 3, 5, 20 et 50 époques (une
# colonne par époque), puis la MSE de test à la fin ; la ligne qui le suit, la
# référence : l'optimum exact des moindres carrés (chapitre 3), qu'aucune descente ne
# peut battre sur l'apprentissage.

# %%
from tp2_src.display import show_table  # un tableau Markdown
from tp2_src.french import french_number as fr  # 19.46 → « 19,46 »

epochs = (1, 2, 3, 5, 20, 50)
show_table(["optimiseur", *(f"époque {e}" for e in epochs),
            "test, à la fin"],
           [[name, *(fr(h.train_mse[e], ".2f") for e in epochs),
             fr(h.test_mse[-1], ".2f")] for name, h in histories.items()])
print("moindres carrés (l'optimum) : MSE d'apprentissage",
      fr(linear_mse(X_train, y_train, w_star, b_star), ".2f"),
      "; de test", fr(linear_mse(X_test, y_test, w_star, b_star), ".2f"))

# %% tags=["hide-input", "remove-output"]
from tp2_src.plots import (
    legend_below,  # une légende sous la figure
    plot_losses,  # courbes d'un journal, axe log
)

fig, axes = plt.subplots(1, 2, figsize=(7, 4.2), sharey=True)
plot_losses(axes[0], runs, tags=("loss/train",))
plot_losses(axes[1], runs, tags=("loss/test",))
axes[0].set_title("apprentissage")
axes[1].set_title("test")
for line, name in zip(axes[0].get_lines(), runs):
    line.set_label(name)  # le titre du panneau dit quelle MSE
legend_below(fig, axes[0])


# %% tags=["remove-cell"]
glue_figure("fig_optimiseurs", fig)

# %% [markdown]
# ```{glue:figure} fig_optimiseurs
# :alt: Deux graphiques côte à côte, une courbe par réglage : tous descendent vers le même plancher en 50 époques. Le moment au même taux plonge dès la première époque puis remonte brièvement à la deuxième ; Adam est le plus lent au départ ; le moment au même taux effectif suit presque SGD.
# :name: fig-optimiseurs
#
# Cinq réglages d'optimiseur sur la régression linéaire de Boston, même initialisation,
# mêmes mini-lots : MSE d'apprentissage (à gauche) et de test (à droite) par époque, en
# échelle logarithmique, courbes relues dans TensorBoard.
# ```

# %% tags=["remove-cell"]
first = {name: h.train_mse[1] for name, h in histories.items()}
fifth = {name: h.train_mse[5] for name, h in histories.items()}
momentum = histories["moment, même η"]
lstsq_train = linear_mse(X_train, y_train, w_star, b_star)
glue("y_mean", y_train.mean().item(), ".1f")
glue("momentum_e1", momentum.train_mse[1], ".1f")
glue("momentum_e2", momentum.train_mse[2], ".1f")
glue("sgd_e1", histories["SGD"].train_mse[1], ".0f")
equal = histories["moment, taux effectif égal"]
glue("equal_step_e1", equal.train_mse[1], ".0f")
glue("equal_step_e5", equal.train_mse[5], ".1f")
glue("sgd_e5", histories["SGD"].train_mse[5], ".1f")
glue("momentum_e3", momentum.train_mse[3], ".1f")
glue("momentum_e50", momentum.train_mse[50], ".2f")
glue("sgd_e50", histories["SGD"].train_mse[50], ".2f")
glue("lstsq_train", lstsq_train, ".2f")
glue("worst_e50", max(h.train_mse[50] for h in histories.values()), ".2f")
assert abs(b_star.item() - y_train.mean().item()) < 1e-3  # variables centrées
assert min(first, key=first.get) == "moment, même η"
assert momentum.train_mse[2] > momentum.train_mse[1]  # le pic de l'époque 2
for epoch in (1, 2, 3, 5, 20):  # Adam, le plus lent au départ
    assert max(histories, key=lambda n: histories[n].train_mse[epoch]) == "Adam"
assert abs(equal.train_mse[5] / histories["SGD"].train_mse[5] - 1) < 0.1
assert equal.train_mse[1] > histories["SGD"].train_mse[1]  # départ plus lent
assert momentum.train_mse[3] < momentum.train_mse[2]
assert all(h.train_mse[-1] < 1.02 * lstsq_train for h in histories.values())
for lines in (fig.axes[0].get_lines(), fig.axes[1].get_lines()):
    assert len(lines) == len(runs)
assert [t.get_text() for t in fig.legends[0].get_texts()] == list(runs)

# %% [markdown]
# Sur ce problème convexe et bien conditionné (variables standardisées), tous finissent
# près de l'optimum ({numref}`fig-optimiseurs`) : après 50 époques, leur MSE
# d'apprentissage ne dépasse pas {glue:md}`worst_e50`, pour {glue:md}`lstsq_train` à
# l'optimum. Au même $\eta$, le moment va le plus vite au début ({glue:md}`momentum_e1`
# après une époque, contre {glue:md}`sgd_e1` pour SGD), puis son coût **remonte** à
# l'époque 2 ({glue:md}`momentum_e2`). À taux effectif égal, ce pic disparaît et le moment
# suit presque SGD ({glue:md}`equal_step_e5` contre {glue:md}`sgd_e5` après 5 époques) :
# l'avance du premier réglage venait de ses déplacements environ
# {glue:md}`momentum_limit` fois plus grands. (Ce second réglage part même un peu plus
# lentement que SGD, {glue:md}`equal_step_e1` après une époque : sa vitesse, partie de
# $\mathbf{g}_1$, met {glue:md}`steps_to_90` pas à atteindre 90 % de $\mathbf{g}/(1-\mu)$,
# plus qu'une époque de {glue:md}`steps_per_epoch` pas.) D'où vient le pic ? Suivons le
# biais, pas par pas, sur les trois premières époques.
#
# La boucle est écrite en clair. Le coût y est calculé par
# `nn.functional.mse_loss(prédiction, cible)`, la MSE toute faite de PyTorch : la même
# valeur que `((prédiction - cible) ** 2).mean()`, sous forme de fonction (le chapitre 5
# présente sa forme module, `nn.MSELoss`). `model(X)` rend une colonne $(n, 1)$, que
# `squeeze(1)` aplatit en $(n,)$, la forme de la cible :

# %%
model = nn.Linear(13, 1).to(device)
with torch.no_grad():
    pred = model(X_train).squeeze(1)  # (n, 1) → (n,)
    by_hand = ((pred - y_train) ** 2).mean()
    print("mse_loss =", nn.functional.mse_loss(pred, y_train).item(),
          "; à la main =", by_hand.item())

# %%
trajectories = {}
for name in ("SGD", "moment, même η", "moment, taux effectif égal"):
    torch.manual_seed(0)
    model = nn.Linear(13, 1).to(device)
    optimizer = optimizers[name](model.parameters())
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32,
                        shuffle=True, generator=g)
    trajectories[name] = [model.bias.item()]
    for _ in range(3):
        for X, y in loader:
            optimizer.zero_grad()
            nn.functional.mse_loss(model(X).squeeze(1), y).backward()
            optimizer.step()
            trajectories[name].append(model.bias.item())
    print(f"{name:<26} : biais maximal {max(trajectories[name]):5.1f} "
          f"(optimum b* = {b_star:.1f})")
print(len(loader), "pas par époque ;",
      len(trajectories["SGD"]) - 1, "pas en trois époques")

# %% tags=["remove-cell", "setup"]
fig, ax = plt.subplots(figsize=(7, 3.4))
for name, values in trajectories.items():
    ax.plot(values, label=name)
ax.axhline(b_star, color="black", linestyle=":", linewidth=1, label="biais optimal")
ax.set_xlabel("pas de gradient")
ax.set_ylabel("biais")
ax.legend()
ax.grid(True, alpha=0.3)
fig.tight_layout()
glue_figure("fig_moment_biais", fig)

# %% [markdown]
# ```{glue:figure} fig_moment_biais
# :alt: Trois courbes du biais en fonction du pas, sur 39 pas : SGD et le moment à taux effectif égal montent lentement vers 11 ou 12 ; le moment au même taux monte vite, dépasse le biais optimal (environ 22,6, ligne pointillée) au début de la deuxième époque, culmine près de 30 au milieu de celle-ci, puis redescend.
# :name: fig-moment-biais
#
# Le biais du modèle linéaire, pas à pas, pendant les trois premières époques (13 pas par
# époque), pour SGD et pour SGD avec moment aux deux réglages ; la ligne pointillée est le
# biais optimal des moindres carrés.
# ```

# %% tags=["remove-cell"]
fast = trajectories["moment, même η"]
steps_per_epoch = len(loader)
peak_step = max(range(len(fast)), key=fast.__getitem__)
cross_step = next(t for t, value in enumerate(fast) if value > b_star)
glue("bias_peak", max(fast), ".1f")
glue("bias_star", b_star, ".1f")
glue("steps_per_epoch", steps_per_epoch, "d")
assert max(fast) > b_star + 3
assert max(trajectories["SGD"]) < b_star
# Ce que disent la légende et le texte alternatif de la figure.
assert steps_per_epoch == 13 and all(len(v) == 40 for v in trajectories.values())
assert 22 < b_star < 23 and 28 < max(fast) < 31
for name in ("SGD", "moment, taux effectif égal"):
    assert 10.5 < trajectories[name][-1] < 12.5
assert steps_per_epoch <= cross_step < steps_per_epoch + 3  # début de l'époque 2
assert steps_per_epoch + 4 <= peak_step <= 2 * steps_per_epoch - 4  # son milieu
assert fast[-1] < max(fast) - 3  # puis redescend
# Le pic du coût : époque 2, la seule qui remonte.
assert momentum.train_mse[2] == max(momentum.train_mse[1:])

# %% [markdown]
# Au même $\eta$, la vitesse du moment grandit tant que les gradients poussent le biais
# dans le même sens : il dépasse l'optimum ({glue:md}`bias_star`) et monte jusqu'à
# {glue:md}`bias_peak` avant que les gradients, inversés, ne freinent la vitesse
# ({numref}`fig-moment-biais`). Ce dépassement, au milieu de l'époque 2, est le pic du
# coût. Dès l'époque 3, le coût redescend ({glue:md}`momentum_e3`), et après 50 époques
# le moment est aussi près de l'optimum que SGD ({glue:md}`momentum_e50` contre
# {glue:md}`sgd_e50`), avec l'agitation des mini-lots vue au chapitre 3.
#
# Adam est le plus lent au départ : ses déplacements, d'environ $\eta$ par coordonnée,
# doivent amener le biais de 0 jusqu'à {glue:md}`bias_star`. RMSprop a le même $\eta$
# mais pas de correction de biais : sa moyenne des carrés part de zéro, et avec
# $\alpha = 0{,}99$ son premier déplacement vaut $\eta/\sqrt{1-\alpha} = 10\,\eta$.
# Sous un gradient constant (le coût $\ell(p) = p$ de tout à l'heure), ses
# déplacements valent $\eta/\sqrt{1-\alpha^t}$ : ils ne se rapprochent de $\eta$ qu'après
# quelques centaines de pas, alors que ceux d'Adam valent $\eta$ dès le premier :

# %%
print("déplacement / η, au pas t :")
for name in ("RMSprop", "Adam"):
    moves = unit_gradient_moves(optimizers[name], 500)  # η = 0,1
    print(f"{name:>7} :", " ; ".join(
        f"t = {t} : {moves[t - 1] / 0.1:.2f}" for t in (1, 10, 100, 500)))

# %% tags=["remove-cell"]
adam_moves = unit_gradient_moves(optimizers["Adam"], 500)
for t, v in enumerate(adam_moves, 1):  # Adam : η à chaque pas
    assert abs(v - 0.1) < 1e-6, (t, v)
rms_moves = unit_gradient_moves(optimizers["RMSprop"], 500)
for t, v in enumerate(rms_moves, 1):  # RMSprop : η/√(1 − αᵗ)
    assert abs(v - 0.1 / (1 - 0.99**t) ** 0.5) < 1e-6, (t, v)
assert rms_moves[99] > 1.2 * 0.1 and rms_moves[499] < 1.01 * 0.1

# %% [markdown]
# Sur Boston, mesurons le premier déplacement de chacun sur le biais, avec le coût tel
# quel puis multiplié par 100 :

# %%
first_steps = {}
for name in ("RMSprop", "Adam"):
    for scale in (1, 100):
        torch.manual_seed(0)
        model = nn.Linear(13, 1).to(device)
        optimizer = optimizers[name](model.parameters())
        before = model.bias.item()
        loss = nn.functional.mse_loss(model(X_train).squeeze(1), y_train)
        (scale * loss).backward()
        optimizer.step()
        first_steps[name, scale] = abs(model.bias.item() - before)
        print(f"{name:>7}, coût × {scale:<3} : le biais bouge de "
              f"{first_steps[name, scale]:.3f}")

# %% tags=["remove-cell"]
rms_ratio = first_steps["RMSprop", 1] / first_steps["Adam", 1]
glue("rms_adam_ratio", rms_ratio, ".0f")
assert round(rms_ratio) == 10
for name in ("RMSprop", "Adam"):
    assert abs(first_steps[name, 100] / first_steps[name, 1] - 1) < 1e-3
ranked = sorted(first, key=first.get)
assert ranked[:2] == ["moment, même η", "RMSprop"]

# %% [markdown]
# Le premier déplacement de RMSprop est {glue:md}`rms_adam_ratio` fois celui d'Adam, et
# ne change pas quand le coût est multiplié par 100 : l'absence de correction donne à
# RMSprop un départ rapide (sa MSE après une époque est la plus basse après celle du
# moment), qu'Adam n'a pas.
#
# (sec-zero-grad-none)=
# ## `zero_grad()` : remettre à `None` ou à zéro ?
#
# Pour la passe arrière suivante, `zero_grad(set_to_none=True)` (le défaut) et
# `zero_grad(set_to_none=False)` reviennent au même. Pour `step()`, non : un paramètre dont
# `.grad` vaut `None` est **sauté**, alors qu'un gradient nul est traité comme un vrai
# gradient. Avec un moment ou une pénalité `weight_decay`
# ({numref}`section %s <sec-algorithmes>`), le paramètre bouge donc encore. Faisons un
# premier pas sur le coût $p^2$, depuis $p = 1$, puis effaçons le gradient et faisons un
# second `step()` sans passe arrière :

# %%
for set_to_none in (False, True):
    for options in ({"momentum": 0.9}, {"weight_decay": 0.1}):
        p = nn.Parameter(torch.tensor([1.0]))
        opt = torch.optim.SGD([p], lr=0.1, **options)
        (p**2).sum().backward()
        opt.step()  # premier pas : la vitesse du moment devient non nulle
        opt.zero_grad(set_to_none=set_to_none)
        before = p.item()
        opt.step()  # aucun backward depuis zero_grad
        option = ", ".join(f"{k}={v}" for k, v in options.items())
        print(f"set_to_none={set_to_none!s:<5} {option:<16} : .grad = "
              f"{p.grad}, p a bougé de {p.item() - before:+.3f}")

# %% [markdown]
# Avec un gradient nul, le moment continue sur sa lancée (un pas de
# $\eta\mu\mathbf{v}$), et `weight_decay` tire $p$ vers 0 (un pas de
# $\eta\lambda_{\text{wd}} p$). Ce n'est pas une erreur ; il suffit de savoir que
# `set_to_none=True` fige les paramètres qui n'ont pas reçu de gradient, par exemple
# une partie d'un réseau que l'on n'entraîne pas.
#
# ## Résumé
#
# - `optimizer.zero_grad()` efface les gradients (à `None` par défaut), `optimizer.step()`
#   met à jour les paramètres selon l'algorithme choisi ; la boucle s'écrit
#   `zero_grad` → passe avant → `backward` → `step`.
# - La boucle de l'énoncé a une erreur de syntaxe (`=` pour `==`). Il faut y remettre les
#   gradients à zéro après chaque `step()` : sans cela, ils s'accumulent depuis le début,
#   et `.grad` s'éloigne de plus en plus du vrai gradient.
# - Accumuler exprès $K$ gradients de mini-lots, chacun divisé par $K$, donne le gradient
#   de leur union : un grand lot en plusieurs morceaux.
# - Changer d'optimiseur ne change qu'une ligne, mais pas le sens de $\eta$ : le moment de
#   PyTorch multiplie les déplacements par environ $1/(1-\mu)$, une fois sa vitesse
#   lancée ; Adam fait des déplacements d'environ $\eta$ par coordonnée, RMSprop aussi
#   après quelques centaines de pas (plus grands avant). On compare des optimiseurs à
#   réglages comparables.
# - `weight_decay` ajoute $\lambda_{\text{wd}}\mathbf{w}$ au gradient : une pénalité qui
#   tire les poids vers 0. Avec elle ou avec un moment, un gradient remis à zéro fait encore bouger le
#   paramètre ; un gradient remis à `None`, non.
#
# Le {ref}`chapitre 5 <chap-modules>` range paramètres et calculs dans des modules.
#
# ## Questions
#
# ```{exercise} Exercice 4.c — remettre à None ou à zéro ?
# :label: ex-4c
# :nonumber:
# Quelle différence entre `zero_grad(set_to_none=True)` et
# `zero_grad(set_to_none=False)`, pour la passe arrière suivante et pour `step()` ?
# ```
#
# ```{solution} ex-4c
# :class: dropdown
# Pour la passe arrière, aucune : le prochain `.grad` sera le gradient de la nouvelle
# passe seule (avec `None`, `backward` l'écrit directement, sans ajouter à des zéros). Pour
# `step()`, oui : un paramètre dont `.grad` vaut `None` est sauté, alors qu'un gradient
# nul laisse encore agir le moment et `weight_decay` (mesuré à la {numref}`section %s <sec-zero-grad-none>`).
# ```
#
# ```{exercise} Exercice 4.d — accumulation et moyenne
# :label: ex-4d
# :nonumber:
# Dans l'accumulation sur $K$ mini-lots, que se passe-t-il si l'on oublie de diviser
# chaque coût par $K$ ?
# ```
#
# ```{solution} ex-4d
# :class: dropdown
# Le gradient accumulé vaut $K$ fois celui de l'union : avec SGD, c'est comme multiplier
# le taux d'apprentissage par $K$, ce qui peut faire diverger la descente (chapitre 3,
# {numref}`section %s <sec-taux>`).
# ```

# %% [markdown]
# ```{admonition} Exécution de ce chapitre
# :class: note
# Les sorties de ce chapitre ont été calculées avec {glue:md}`environnement`. Livre construit
# à partir du dernier commit, daté du {{ date_construction }}.
# ```

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
# **Durée** : {reading-time}`lecture` de lecture, sans les encadrés facultatifs ; plus les
# exercices. **Énoncé** : la partie 3 (« Optimiseur ») et sa boucle d'exemple.
#
# À la fin de ce chapitre, vous saurez :
# - confier la mise à jour des paramètres à un optimiseur : `nn.Parameter`,
#   `zero_grad()` et `step()` ;
# - corriger les deux erreurs de la boucle de l'énoncé, et accumuler exprès les gradients
#   de plusieurs mini-batchs avant un pas ;
# - lire la boucle d'apprentissage complète, `fit`, dont se sert le chapitre 5 ;
# - passer de SGD au moment, à RMSprop ou à Adam en changeant une ligne, et les comparer
#   à réglages comparables.
# ```
#
# Au {ref}`chapitre 3 <chap-regression>`, la mise à jour et la remise à zéro des gradients
# étaient écrites à la main. `torch.optim` les fait pour nous, quel que soit l'algorithme
# de descente choisi.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn

# Les outils du livre (tp2_src), présentés au chapitre 3 :
from tp2_src.data import (
    boston_split,
)  # Boston, découpé et standardisé
from tp2_src.device import get_device, make_deterministic

make_deterministic(
    seed=0
)  # torch.manual_seed(0), calculs déterministes
device = get_device()  # CUDA s'il y en a une, sinon le processeur
# Le découpage standardisé du chapitre 3 (même graine).
X_train, y_train, X_test, y_test = boston_split(
    device=device
).tensors()
print(
    f"{len(X_train)} quartiers d'apprentissage, {len(X_test)} de test"
)
print(f"prix moyen (MEDV, apprentissage) : {y_train.mean():.2f}")

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs collées,
# vérification de ce qu'annonce la prose.
from tp2_src.glue import glue, glue_figure
from tp2_src.style import setup_chapter

setup_chapter()  # figures, et l'environnement que cite la note de fin de page

# %% [markdown]
# ## `nn.Parameter`, `zero_grad()` et `step()`
#
# Un {term}`optimiseur` reçoit à sa création la liste des paramètres à optimiser. Ce sont
# des `nn.Parameter` : des tenseurs qui demandent un gradient par défaut, et que les
# modules reconnaissent comme leurs paramètres (chapitre 5). Ensuite :
#
# - `optimizer.zero_grad()` efface le gradient de chacun de ces paramètres (il remet
#   `.grad` à `None`) ;
# - `optimizer.step()` fait un pas avec les `.grad` courants ; pour {term}`SGD`,
#   $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$, où $\eta$ est le
#   taux d'apprentissage (`lr`).

# %%
w = nn.Parameter(torch.zeros(13, device=device))
b = nn.Parameter(torch.zeros((), device=device))
print("requires_grad :", w.requires_grad, "; feuille :", w.is_leaf)
lr = 0.05
optimizer = torch.optim.SGD([w, b], lr=lr)

loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
expected_w = (
    w - lr * w.grad
).detach()  # ce que step() doit calculer
optimizer.step()
print(
    "step() a fait w ← w − lr · w.grad :",
    torch.allclose(w, expected_w),
)
print(
    "avant zero_grad : w.grad =",
    w.grad[:3].cpu().numpy().round(3),
    "…",
)
optimizer.zero_grad()
print("après zero_grad : w.grad =", w.grad)

# %% [markdown]
# (sec-boucle-enonce)=
# ## La boucle de l'énoncé
#
# L'énoncé propose une boucle qui ne fait un pas qu'une fois toutes les 100 itérations
# (« mini-batch de 100 »). Elle ne s'exécute pas telle quelle : `if i % 100 = 0` est une
# **affectation** là où il faut une comparaison (`==`), et Python refuse de compiler le
# fichier.

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
# Seconde erreur : les gradients ne sont remis à zéro qu'une fois, avant la boucle. (Le
# commentaire « Reinitialisation du gradient », répété après la boucle dans le texte de
# l'énoncé, laisse penser que la mise en page a déplacé un `optim.zero_grad()` : la boucle
# voulue le rappelle après chaque `step()`.) Comme `backward()` accumule (chapitre 2),
# `.grad` contient la **somme** des gradients calculés depuis la dernière remise à zéro.
# Comparons deux exécutions de la boucle, condition corrigée, l'une sans remise à zéro,
# l'autre avec `zero_grad()` après chaque `step()`. À chaque itération, on note la norme
# de `w.grad` et celle du vrai gradient du coût courant **de la même exécution**
# (calculé à part par `torch.autograd.grad`, qui n'accumule rien).


# %%
def statement_loop(
    zero_grad_after_step: bool, num_iters: int = 1000
):
    """La boucle de l'énoncé, avec ou sans zero_grad() après step()."""
    torch.manual_seed(0)
    w = nn.Parameter(torch.randn(13).to(device))
    b = nn.Parameter(torch.randn(1).to(device))
    optim = torch.optim.SGD(params=[w, b], lr=1e-3)
    optim.zero_grad()
    grad_norms, true_norms, losses = [], [], []
    for i in range(num_iters):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        (true_grad,) = torch.autograd.grad(
            loss, w, retain_graph=True
        )
        loss.backward()
        grad_norms.append(w.grad.norm().item())
        true_norms.append(true_grad.norm().item())
        losses.append(loss.item())
        if i % 100 == 0:
            optim.step()
            if zero_grad_after_step:
                optim.zero_grad()
    return grad_norms, true_norms, losses


runs = {
    "sans remise": statement_loop(False),
    "remis à 0": statement_loop(True),
}  # zero_grad() après step()
print("          |  sans remise à zéro  | zero_grad() après step()")
print("itération | vrai grad. |  w.grad | vrai grad. |  w.grad")
for i in (0, 1, 99, 100, 101, 500, 999):
    row = [
        f"{norms[i]:>{width}.1f}"
        for grad, true, _ in runs.values()
        for norms, width in ((true, 10), (grad, 7))
    ]
    print(f"{i:>9} | " + " | ".join(row))
for name, (_, _, losses) in runs.items():
    print(f"{name} : coût final {losses[-1]:.1f}")

# %% tags=["remove-cell"]
buggy_grad, buggy_true, buggy_loss = runs["sans remise"]
fixed_grad, fixed_true, fixed_loss = runs["remis à 0"]
glue("grad_ratio", buggy_grad[-1] / buggy_true[-1], ".0f")
glue("fixed_ratio_99", fixed_grad[99] / fixed_true[99], ".0f")
glue("fixed_ratio_101", fixed_grad[101] / fixed_true[101], ".1f")
glue("buggy_final", buggy_loss[-1], ".1f")
glue("fixed_final", fixed_loss[-1], ".1f")
assert buggy_grad[-1] > 100 * buggy_true[-1]
assert (
    90 < fixed_grad[99] / fixed_true[99] < 100
)  # 99 gradients depuis le pas 0
assert (
    0.99 < fixed_grad[101] / fixed_true[101] < 1.01
)  # un seul, après le pas 100
assert fixed_loss[-1] < buggy_loss[-1]

# %% [markdown]
# Avec la remise à zéro, `w.grad` additionne les gradients des 100 itérations qui
# séparent deux pas (à l'itération 99, {glue:md}`fixed_ratio_99` fois le vrai gradient de
# cette exécution), puis repart d'un seul gradient (itération 101 :
# {glue:md}`fixed_ratio_101` fois) : c'est le « mini-batch de 100 » de l'énoncé. Sans
# remise à zéro, la somme court depuis le début : à la dernière itération, `w.grad` vaut
# {glue:md}`grad_ratio` fois le vrai gradient, chaque `step()` suit cette somme périmée,
# et le coût final est plus haut ({glue:md}`buggy_final` contre {glue:md}`fixed_final`).
#
# ### Accumuler des gradients, volontairement
#
# Entre deux pas, `w` ne bouge pas et le jeu est le même : la boucle de l'énoncé
# additionne 100 gradients **égaux**, soit un pas 100 fois plus grand pour 100 fois plus
# de calcul, sans intérêt. Un pas tous les $K$ mini-batchs **différents** a en revanche
# un usage réel : simuler un grand mini-batch qui ne tient pas en mémoire. On appelle `backward()` sur $K$ mini-batchs, puis **un**
# `step()` et **un** `zero_grad()`. Pour que le gradient accumulé soit celui de la
# moyenne sur leur union, on divise chaque coût par $K$ : avec des mini-batchs de même
# taille $B$,
#
# $$
# \frac{1}{K}\sum_{j=1}^{K} \nabla \frac{1}{B}\sum_{i \in \text{mini-batch}_j} \ell_i
# = \nabla \frac{1}{KB} \sum_{i \in \bigcup_j \text{mini-batch}_j} \ell_i .
# $$

# %%
K, batch_size = 4, 32  # K mini-batchs de 32
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
for chunk in idx.split(
    batch_size
):  # K mini-batchs, un backward chacun
    (mse_on(chunk) / K).backward()
accumulated = [w.grad.clone(), b.grad.clone()]

optimizer.zero_grad()
mse_on(idx).backward()  # un seul mini-batch : l'union des K
union = [w.grad.clone(), b.grad.clone()]

for name, g_acc, g_union in zip("wb", accumulated, union):
    print(
        f"{name} : écart max accumulé / union = "
        f"{(g_acc - g_union).abs().max():.1e}"
    )
    torch.testing.assert_close(g_acc, g_union, rtol=1e-5, atol=1e-5)

# %% [markdown]
# Les deux gradients coïncident à l'arrondi du float32 près (tolérance vérifiée :
# $10^{-5}$). La boucle utile, elle, fait un pas par itération et remet les gradients à
# zéro avant chaque passe arrière.
#
# ````{exercise}
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
    w = nn.Parameter(
        torch.zeros(X_train.shape[1], device=X_train.device)
    )
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
from tp2_src.checks import check

check("ex-4a", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# C'est la descente batch du chapitre 3, où la mise à jour sous `torch.no_grad()` et la
# remise à zéro s'écrivaient à la main : `step()` et `zero_grad()` remplacent ces quatre
# lignes, et les paramètres sont les mêmes.

# %%
from tp2_src.linreg import (
    linear_mse,
)  # ((X @ w + b - y) ** 2).mean()

w, b = sgd_descent(X_train, y_train, lr=0.1, num_epochs=100)
w3 = torch.zeros(13, device=device, requires_grad=True)
b3 = torch.zeros((), device=device, requires_grad=True)
for _ in range(100):  # la descente batch du chapitre 3, à la main
    loss = ((X_train @ w3 + b3 - y_train) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w3 -= 0.1 * w3.grad
        b3 -= 0.1 * b3.grad
    w3.grad.zero_()
    b3.grad.zero_()
print(
    f"MSE d'apprentissage : {linear_mse(X_train, y_train, w, b):.3f}"
)
print(
    "mêmes paramètres qu'à la main (à 10⁻⁶ près) :",
    torch.allclose(w, w3, atol=1e-6),
    torch.allclose(b, b3, atol=1e-6),
)

# %% [markdown]
# (sec-fit)=
# ## La boucle complète : `fit`
#
# La boucle de l'exercice 4.a fait un pas sur tout le jeu. Celle dont se servent la suite
# de ce chapitre et le chapitre 5 fait un pas par mini-batch, tirés d'un `DataLoader`
# mélangé comme au chapitre 3, mesure le modèle à chaque époque et le journalise dans
# TensorBoard. La voici, telle que le paquet du livre la range :
#
# ```{literalinclude} ../tp2_src/training.py
# :pyobject: fit
# :language: python
# :caption: tp2_src/training.py
# ```
#
# Le coût y est `nn.MSELoss()`, la MSE toute faite de PyTorch sous forme de module
# (chapitre 5) : la même valeur que `((prédiction - y) ** 2).mean()`. Le modèle est un
# `nn.Module` (chapitre 5), par exemple `nn.Linear(13, 1)`, qui calcule $XW^\top + b$ avec un poids
# $W$ de forme $(1, 13)$ et un biais $b$ : nos `w` et `b`. Il rend une colonne
# $(n, 1)$, que `predict` accorde à la cible $(n,)$. `evaluate` mesure la MSE sans
# graphe, et en mode évaluation : `model.eval()` change le comportement de couches comme
# `nn.Dropout`, que le chapitre 5 présente.
#
# ```{literalinclude} ../tp2_src/training.py
# :pyobject: predict
# :language: python
# :caption: tp2_src/training.py
# ```
#
# ```{literalinclude} ../tp2_src/training.py
# :pyobject: evaluate
# :language: python
# :caption: tp2_src/training.py
# ```
#
# ```{optional-start} ce que fit vérifie avant d'apprendre
# ```
#
# `fit` commence par deux vérifications, pour qu'une erreur d'argument donne un message
# clair au lieu d'un apprentissage faux ou d'une erreur venue du fond de PyTorch :
#
# ```{literalinclude} ../tp2_src/training.py
# :pyobject: check_fit
# :language: python
# :caption: tp2_src/training.py
# ```
#
# ```{literalinclude} ../tp2_src/training.py
# :pyobject: check_sizes
# :language: python
# :caption: tp2_src/training.py
# ```
#
# Par exemple, un optimiseur créé pour un autre modèle :

# %%
from tp2_src.display import error_summary  # « Type : message »
from tp2_src.training import fit

model, other = nn.Linear(13, 1).to(device), nn.Linear(13, 1)
try:
    fit(
        model,
        torch.optim.SGD(other.parameters(), lr=0.1),
        X_train,
        y_train,
        evals={},
        num_epochs=1,
        batch_size=32,
    )
except ValueError as err:
    print(error_summary(err, width=66))  # coupé à 66 colonnes

# %% [markdown]
# ```{optional-end}
# ```
#
# (sec-algorithmes)=
# ## SGD, moment, RMSprop, Adam
#
# Changer d'algorithme ne change qu'une ligne : la création de l'optimiseur. Voici les
# quatre règles, pour un gradient de mini-batch $\mathbf{g}_t$ au pas $t$ (coordonnée par
# coordonnée), avec les réglages par défaut de PyTorch :
#
# - **SGD** : $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}_t$ ;
# - **SGD avec {term}`moment`** (`momentum` $= \mu$, ici 0,9) : une vitesse
#   $\mathbf{v} \leftarrow \mu\mathbf{v} + \mathbf{g}_t$, partie de zéro, puis
#   $\mathbf{w} \leftarrow \mathbf{w} - \eta\mathbf{v}$. Sous un gradient constant, la
#   vitesse tend vers $\mathbf{g}/(1-\mu)$ : une fois lancé, le moment fait des
#   déplacements {glue:md}`momentum_limit` fois plus grands que SGD au même $\eta$ ;
# - **RMSprop** (`alpha` $= 0{,}99$) : une moyenne glissante des carrés des gradients,
#   $\mathbf{s} \leftarrow \alpha\mathbf{s} + (1-\alpha)\,\mathbf{g}_t^2$, puis
#   $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}_t/(\sqrt{\mathbf{s}} + c)$, où
#   $c$ = `eps` $= 10^{-8}$ évite de diviser par zéro : le déplacement ne dépend pas de
#   l'échelle du gradient ;
# - **Adam** (`betas` $= (0{,}9 ; 0{,}999)$) : une moyenne glissante $\bar{\mathbf{g}}$ des
#   gradients et une $\mathbf{s}$ de leurs carrés, corrigées de leur départ à zéro
#   ($\hat{\bar{\mathbf{g}}}$, $\hat{\mathbf{s}}$), puis
#   $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\hat{\bar{\mathbf{g}}}/(\sqrt{\hat{\mathbf{s}}} + c)$ :
#   chaque pas déplace une coordonnée d'environ $\eta$.
#
# ```{optional-start} la vitesse du moment, et les corrections de RMSprop et d'Adam
# ```
#
# **La vitesse du moment.** PyTorch **accumule** les gradients dans la vitesse, il n'en
# fait pas une moyenne : sous un gradient constant $\mathbf{g}$, elle vaut
# $\frac{1-\mu^t}{1-\mu}\,\mathbf{g}$ après $t$ pas. Mesurons-la sur le coût
# $\ell(p) = p$, de gradient constant $g = 1$ ; avec $\eta = 1$, chaque pas déplace $p$ de
# la vitesse elle-même. L'option `dampening` $= \mu$ en ferait une moyenne : la vitesse
# resterait $\mathbf{g}$.


# %%
def unit_gradient_moves(make_optimizer, num_steps):
    """Déplacement de p à chaque pas, pour ℓ(p) = p (g = 1)."""
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
# lr = 1 : le déplacement est la vitesse elle-même
velocity = unit_gradient_moves(
    lambda p: torch.optim.SGD(p, lr=1.0, momentum=mu), 50
)
damped = unit_gradient_moves(
    lambda p: torch.optim.SGD(p, lr=1.0, momentum=mu, dampening=mu),
    50,
)
limit = 1 / (1 - mu)  # la limite g/(1 − μ), en unités de g
# le premier pas où la vitesse atteint 90 % de sa limite :
steps_to_90 = next(
    t for t, v in enumerate(velocity, 1) if v >= 0.9 * limit
)
print("pas t | vitesse v | (1 − μᵗ)/(1 − μ) | avec dampening = μ")
for t in (1, 2, 5, 10, steps_to_90 - 1, steps_to_90, 50):
    formula = (1 - mu**t) / (1 - mu)
    print(
        f"{t:>5} | {velocity[t - 1]:>9.3f} | {formula:>16.3f} | "
        f"{damped[t - 1]:>18.3f}"
    )
print(f"limite : {limit:.0f} g ; 90 % au pas {steps_to_90}")

# %% tags=["remove-cell"]
glue("velocity_10", velocity[9], ".1f")
glue("velocity_90", 0.9 * limit, ".0f")
glue("steps_to_90", steps_to_90, "d")
assert (
    velocity[steps_to_90 - 2]
    < 0.9 * limit
    <= velocity[steps_to_90 - 1]
)
assert all(
    abs(v - (1 - mu**t) / (1 - mu)) < 1e-9
    for t, v in enumerate(velocity, 1)
)
assert all(abs(v - 1) < 1e-12 for v in damped)

# %% [markdown]
# La vitesse n'atteint pas sa limite tout de suite : {glue:md}`velocity_10`
# $\mathbf{g}$ après 10 pas, et il faut {glue:md}`steps_to_90` pas pour atteindre
# {glue:md}`velocity_90` $\mathbf{g}$.
#
# **Les corrections de RMSprop et d'Adam.** Adam divise ses deux moyennes par
# $1 - \beta_1^t$ et $1 - \beta_2^t$ :
#
# $$
# \hat{\bar{\mathbf{g}}} = \frac{\bar{\mathbf{g}}}{1-\beta_1^t}, \qquad
# \hat{\mathbf{s}} = \frac{\mathbf{s}}{1-\beta_2^t} .
# $$
#
# C'est la **correction de biais** : parties de zéro, les deux moyennes sont trop petites
# aux premiers pas (biaisées vers zéro), et la correction compense. (Ce « biais » est
# celui des moyennes, sans rapport avec le biais $b$ du modèle ; de même, $\beta_1$ et
# $\beta_2$ n'ont rien à voir avec le vecteur $\boldsymbol{\beta} = (\mathbf{w}, b)$ du
# chapitre 3.) RMSprop n'a pas cette correction : sous un gradient constant, ses
# déplacements valent $\eta/\sqrt{1-\alpha^t}$, soit $10\,\eta$ au premier pas pour
# $\alpha = 0{,}99$, et ne se rapprochent de $\eta$ qu'après quelques centaines de pas,
# alors que ceux d'Adam valent $\eta$ dès le premier :

# %%
adam_moves = unit_gradient_moves(
    lambda p: torch.optim.Adam(p, lr=0.1), 500
)
rms_moves = unit_gradient_moves(
    lambda p: torch.optim.RMSprop(p, lr=0.1), 500
)
print("déplacement / η, au pas t :")
print("pas t | RMSprop | Adam")
for t in (1, 10, 100, 500):
    print(
        f"{t:>5} | {rms_moves[t - 1] / 0.1:>7.2f} | "
        f"{adam_moves[t - 1] / 0.1:.2f}"
    )

# %% tags=["remove-cell"]
for t, v in enumerate(adam_moves, 1):  # Adam : η à chaque pas
    assert abs(v - 0.1) < 1e-6, (t, v)
for t, v in enumerate(rms_moves, 1):  # RMSprop : η/√(1 − αᵗ)
    assert abs(v - 0.1 / (1 - 0.99**t) ** 0.5) < 1e-6, (t, v)
assert rms_moves[99] > 1.2 * 0.1 and rms_moves[499] < 1.01 * 0.1

# %% [markdown]
# ```{optional-end}
# ```
#
# La règle du moment tient en deux lignes : l'écrire soi-même est la meilleure façon de
# voir ce que `step()` garde d'un pas à l'autre.
#
# ````{exercise}
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
    w = torch.zeros(
        X_train.shape[1], device=X_train.device, requires_grad=True
    )
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
from tp2_src.checks import check

check("ex-4b", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Comparons avec `torch.optim.SGD(momentum=0.9)` sur Boston, au même $\eta = 0{,}01$,
# pendant 100 pas, et avec la descente sans moment de l'exercice 4.a :

# %%
from tp2_src.linreg import least_squares  # l'optimum exact (w*, b*)

w_mom, b_mom = momentum_descent(
    X_train, y_train, lr=0.01, mu=0.9, num_epochs=100
)
w_opt = nn.Parameter(torch.zeros(13, device=device))
b_opt = nn.Parameter(torch.zeros((), device=device))
optimizer = torch.optim.SGD([w_opt, b_opt], lr=0.01, momentum=0.9)
for _ in range(100):
    optimizer.zero_grad()
    ((X_train @ w_opt + b_opt - y_train) ** 2).mean().backward()
    optimizer.step()
w_sgd, b_sgd = sgd_descent(
    X_train, y_train, lr=0.01, num_epochs=100
)

gap = max(
    (w_mom - w_opt).abs().max().item(), (b_mom - b_opt).abs().item()
)
print(
    f"plus grand écart à torch.optim.SGD(momentum=0.9) : {gap:.1e}"
)
w_star, b_star = least_squares(X_train, y_train)
optimum = linear_mse(X_train, y_train, w_star, b_star)
print(
    f"MSE d'apprentissage, optimum des moindres carrés : {optimum:.2f}"
)
for name, (w_, b_) in {
    "moment, à la main": (w_mom, b_mom),
    "sans moment (4.a)": (w_sgd, b_sgd),
}.items():
    mse = linear_mse(X_train, y_train, w_, b_)
    print(
        f"{name:<18} après 100 pas : {mse:.2f} "
        f"(excès sur l'optimum : {mse - optimum:.2f})"
    )

# %% tags=["remove-cell"]
mse_momentum = linear_mse(X_train, y_train, w_mom, b_mom)
mse_plain = linear_mse(X_train, y_train, w_sgd, b_sgd)
glue("momentum_limit", 1 / (1 - 0.9), ".0f")
glue("momentum_gap", gap, ".0e")
glue("excess_momentum", mse_momentum - optimum, ".2f")
glue("excess_plain", mse_plain - optimum, ".2f")
assert gap < 1e-3
assert (mse_momentum - optimum) < (mse_plain - optimum) / 10

# %% [markdown]
# Les deux versions du moment coïncident, aux arrondis du `float32` près (écart
# {glue:md}`momentum_gap`). Au même $\eta$, le moment finit bien plus près de l'optimum :
# à {glue:md}`excess_momentum` au-dessus, contre {glue:md}`excess_plain` sans moment.
#
# ### Des réglages comparables
#
# Ces règles ne donnent pas le même sens à $\eta$. Pour Adam, il se mesure en unités des
# paramètres : chaque pas déplace une coordonnée d'environ $\eta$. Or le biais d'un
# `nn.Linear(13, 1)` part d'une valeur tirée au hasard entre $\pm 1/\sqrt{13}$
# (±{glue:md}`bias_bound` ; ici {glue:md}`bias_init`) et doit arriver vers
# {glue:md}`y_mean`, le prix moyen : il faut à Adam au moins
# {glue:md}`bias_distance` / $\eta$ pas. On donne donc $\eta = 0{,}1$ à Adam et à
# RMSprop, et $0{,}01$ à SGD. Pour le moment, deux réglages : le même $\eta = 0{,}01$,
# et $\eta = 0{,}001$, qui donne le même taux effectif $\eta/(1-\mu) = 0{,}01$ que SGD.
# Tous partent de la même initialisation (même graine), voient les mêmes mini-batchs de
# 32, pendant 50 époques, dans `fit` :

# %%
from torch.utils.tensorboard import SummaryWriter
from tp2_src.logs import (
    fresh_run_dir,  # un dossier de journal vide, runs/<nom>
    read_scalars,  # relit les courbes d'un journal
)
from tp2_src.training import fit  # la boucle montrée plus haut

optimizers = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.01),
    "moment, même η": lambda p: torch.optim.SGD(
        p, lr=0.01, momentum=0.9
    ),
    "moment, taux effectif égal": lambda p: torch.optim.SGD(
        p, lr=1e-3, momentum=0.9
    ),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.1),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.1),
}
run_names = {
    "SGD": "optim-sgd",
    "moment, même η": "optim-moment",
    "moment, taux effectif égal": "optim-moment-taux-egal",
    "RMSprop": "optim-rmsprop",
    "Adam": "optim-adam",
}
histories, runs = {}, {}
for name, make_optimizer in optimizers.items():
    torch.manual_seed(0)  # même initialisation pour tous
    model = nn.Linear(13, 1).to(device)
    with SummaryWriter(fresh_run_dir(run_names[name])) as writer:
        histories[name] = fit(
            model,
            make_optimizer(model.parameters()),
            X_train,
            y_train,
            evals={"test": (X_test, y_test)},
            num_epochs=50,
            batch_size=32,
            seed=0,
            writer=writer,
        )
    runs[name] = read_scalars(writer.log_dir)

# %% [markdown]
# Le tableau donne la MSE d'apprentissage après 1, 2, 3, 5, 20 et 50 époques, puis la MSE
# de test à la fin ; la ligne qui le suit, la référence : l'optimum exact des moindres
# carrés (chapitre 3), qu'aucune descente ne peut battre sur l'apprentissage.

# %%
from tp2_src.display import show_table  # un tableau Markdown
from tp2_src.french import french_number as fr  # 19.46 → « 19,46 »

epochs = (1, 2, 3, 5, 20, 50)
show_table(
    [
        "optimiseur",
        *(f"époque {e}" for e in epochs),
        "test, à la fin",
    ],
    [
        [
            name,
            *(fr(h["train"][e], ".2f") for e in epochs),
            fr(h["test"][-1], ".2f"),
        ]
        for name, h in histories.items()
    ],
)
print(
    "moindres carrés (l'optimum) : MSE d'apprentissage",
    fr(linear_mse(X_train, y_train, w_star, b_star), ".2f"),
    "; de test",
    fr(linear_mse(X_test, y_test, w_star, b_star), ".2f"),
)

# %% tags=["hide-input", "remove-output"]
from tp2_src.plots import (
    legend_below,  # une légende sous la figure
    plot_losses,  # courbes d'un journal, axe log
)

fig, axes = plt.subplots(
    2, 1, figsize=(4.8, 6.6), sharex=True, sharey=True
)
for ax, tag, title in zip(
    axes, ("loss/train", "loss/test"), ("apprentissage", "test")
):
    plot_losses(ax, runs, tags=(tag,))
    ax.set_title(title)
    ax.tick_params(
        which="both", labelsize=10
    )  # lisible sur un téléphone
axes[0].set_xlabel("")
for line, name in zip(axes[0].get_lines(), runs):
    line.set_label(name)  # le titre du panneau dit quelle MSE
legend_below(fig, axes[0])


# %% tags=["remove-cell"]
glue_figure("fig_optimiseurs", fig)

# %% [markdown]
# ```{glue:figure} fig_optimiseurs
# :alt: Deux graphiques superposés, une courbe par réglage : tous descendent vers le même plancher en 50 époques. Le moment au même taux plonge dès la première époque puis remonte brièvement à la deuxième ; Adam est le plus lent au départ ; le moment au même taux effectif suit presque SGD.
# :name: fig-optimiseurs
#
# Cinq réglages d'optimiseur sur la régression linéaire de Boston, même initialisation,
# mêmes mini-batchs : MSE d'apprentissage (en haut) et de test (en bas) par époque, en
# échelle logarithmique, courbes relues dans TensorBoard.
# ```

# %% tags=["remove-cell"]
train_mse = {name: h["train"] for name, h in histories.items()}
first = {name: mse[1] for name, mse in train_mse.items()}
momentum, sgd = train_mse["moment, même η"], train_mse["SGD"]
equal = train_mse["moment, taux effectif égal"]
lstsq_train = linear_mse(X_train, y_train, w_star, b_star)
torch.manual_seed(0)
bias_init = nn.Linear(
    13, 1
).bias.item()  # l'initialisation des cinq
glue("bias_init", bias_init, ".2f")
glue("bias_bound", 13**-0.5, ".2f")
glue("y_mean", y_train.mean().item(), ".1f")
glue("bias_distance", y_train.mean().item() - bias_init, ".0f")
glue("momentum_e1", momentum[1], ".1f")
glue("momentum_e2", momentum[2], ".1f")
glue("sgd_e1", sgd[1], ".0f")
glue("equal_step_e5", equal[5], ".1f")
glue("sgd_e5", sgd[5], ".1f")
glue("momentum_e50", momentum[50], ".2f")
glue("sgd_e50", sgd[50], ".2f")
glue("lstsq_train", lstsq_train, ".2f")
glue("worst_e50", max(mse[50] for mse in train_mse.values()), ".2f")
assert (
    abs(b_star.item() - y_train.mean().item()) < 1e-3
)  # variables centrées
assert abs(bias_init) < 13**-0.5
ranked = sorted(
    first, key=first.get
)  # après une époque, du plus bas au plus haut
assert (
    ranked[:2] == ["moment, même η", "RMSprop"]
    and ranked[-1] == "Adam"
)
assert momentum[2] > momentum[1]  # le pic de l'époque 2
assert momentum[2] == max(momentum[1:])
assert momentum[3] < momentum[2]
for epoch in range(
    1, 21
):  # Adam, le plus haut des cinq aux époques 1 à 20
    assert (
        max(train_mse, key=lambda n: train_mse[n][epoch]) == "Adam"
    )
assert abs(equal[5] / sgd[5] - 1) < 0.1
assert all(
    a > b for a, b in zip(equal[:20], equal[1:21])
)  # pas de pic
assert all(
    mse[-1] < 1.02 * lstsq_train for mse in train_mse.values()
)
for lines in (fig.axes[0].get_lines(), fig.axes[1].get_lines()):
    assert len(lines) == len(runs)
assert [t.get_text() for t in fig.legends[0].get_texts()] == list(
    runs
)

# %% [markdown]
# Sur ce problème convexe et bien conditionné (variables standardisées), tous finissent
# près de l'optimum ({numref}`fig-optimiseurs`) : après 50 époques, leur MSE
# d'apprentissage ne dépasse pas {glue:md}`worst_e50`, pour {glue:md}`lstsq_train` à
# l'optimum. Après une époque, le moment au même $\eta$ a la MSE la plus basse des cinq
# ({glue:md}`momentum_e1`, contre {glue:md}`sgd_e1` pour SGD), RMSprop la suivante,
# Adam la plus haute. Le coût du moment **remonte** ensuite à l'époque 2
# ({glue:md}`momentum_e2`) : sa vitesse fait dépasser l'optimum au biais (encadré
# ci-dessous). À taux effectif égal, ce pic disparaît et le moment suit presque SGD
# ({glue:md}`equal_step_e5` contre {glue:md}`sgd_e5` après 5 époques) : l'avance du
# premier réglage venait de ses déplacements {glue:md}`momentum_limit` fois plus grands.
# Adam est le plus lent au départ (le plus haut des cinq aux époques 1 à 20), ses
# déplacements d'environ $\eta$ devant mener le biais jusqu'à {glue:md}`y_mean`.
#
# ```{optional-start} le pic du moment, et le premier pas de RMSprop
# ```
#
# Suivons le biais, pas par pas, sur les trois premières époques. La boucle est celle de
# `fit`, écrite en clair pour relever le biais après chaque `step()` :

# %%
from torch.utils.data import DataLoader, TensorDataset

trajectories = {}
for name in ("SGD", "moment, même η", "moment, taux effectif égal"):
    torch.manual_seed(0)
    model = nn.Linear(13, 1).to(device)
    optimizer = optimizers[name](model.parameters())
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(
        TensorDataset(X_train, y_train),
        batch_size=32,
        shuffle=True,
        generator=g,
    )
    trajectories[name] = [model.bias.item()]
    for _ in range(3):
        for X, y in loader:
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X).squeeze(1), y)
            loss.backward()
            optimizer.step()
            trajectories[name].append(model.bias.item())
    peak = max(trajectories[name])
    print(
        f"{name:<26} : biais maximal {peak:5.1f} "
        f"(optimum b* = {b_star:.1f})"
    )
print(
    len(loader),
    "pas par époque ;",
    len(trajectories["SGD"]) - 1,
    "pas en trois époques",
)

# %% tags=["remove-cell", "setup"]
fig, ax = plt.subplots(figsize=(4.8, 4.2))
for name, values in trajectories.items():
    ax.plot(values, label=name)
ax.axhline(
    b_star,
    color="black",
    linestyle=":",
    linewidth=1,
    label="biais optimal",
)
ax.set_xlabel("pas de gradient")
ax.set_ylabel("biais")
ax.tick_params(labelsize=10)  # lisible sur un téléphone
ax.grid(True, alpha=0.3)
legend_below(fig, ax)
glue_figure("fig_moment_biais", fig)

# %% [markdown]
# ```{glue:figure} fig_moment_biais
# :alt: Trois courbes du biais en fonction du pas, sur 39 pas, parties toutes de la même valeur initiale, un peu sous 0 : SGD et le moment à taux effectif égal montent lentement vers 11 ou 12 ; le moment au même taux monte vite, dépasse le biais optimal (environ 22,6, ligne pointillée) au début de la deuxième époque, culmine près de 30 au milieu de celle-ci, puis redescend.
# :name: fig-moment-biais
#
# Le biais du modèle linéaire, pas à pas, pendant les trois premières époques (13 pas par
# époque), pour SGD et pour SGD avec moment aux deux réglages, depuis la même valeur
# initiale tirée au hasard ; la ligne pointillée est le biais optimal des moindres carrés.
# ```

# %% tags=["remove-cell"]
fast = trajectories["moment, même η"]
steps_per_epoch = len(loader)
peak_step = max(range(len(fast)), key=fast.__getitem__)
cross_step = next(
    t for t, value in enumerate(fast) if value > b_star
)
glue("bias_peak", max(fast), ".1f")
glue("bias_star", b_star, ".1f")
glue("momentum_e3", momentum[3], ".1f")
assert max(fast) > b_star + 3
assert max(trajectories["SGD"]) < b_star
# Ce que disent la légende et le texte alternatif de la figure.
assert steps_per_epoch == 13 and all(
    len(v) == 40 for v in trajectories.values()
)
assert (
    all(v[0] == bias_init for v in trajectories.values())
    and -0.3 < bias_init < 0
)
assert 22 < b_star < 23 and 28 < max(fast) < 31
for name in ("SGD", "moment, taux effectif égal"):
    assert 10.5 < trajectories[name][-1] < 12.5
assert (
    steps_per_epoch <= cross_step < steps_per_epoch + 3
)  # début de l'époque 2
assert (
    steps_per_epoch + 4 <= peak_step <= 2 * steps_per_epoch - 4
)  # son milieu
assert fast[-1] < max(fast) - 3  # puis redescend

# %% [markdown]
# Au même $\eta$, la vitesse du moment grandit tant que les gradients poussent le biais
# dans le même sens : il dépasse l'optimum ({glue:md}`bias_star`) et monte jusqu'à
# {glue:md}`bias_peak` avant que les gradients, inversés, ne freinent la vitesse
# ({numref}`fig-moment-biais`). Ce dépassement, au milieu de l'époque 2, est le pic du
# coût ; dès l'époque 3, le coût redescend ({glue:md}`momentum_e3`), et après 50 époques
# le moment est aussi près de l'optimum que SGD ({glue:md}`momentum_e50` contre
# {glue:md}`sgd_e50`).
#
# RMSprop part vite, lui, faute de correction de biais : mesurons son premier
# déplacement sur le biais et celui d'Adam, avec le coût tel quel puis multiplié par 100.

# %%
first_steps = {}
for name in ("RMSprop", "Adam"):
    for scale in (1, 100):
        torch.manual_seed(0)
        model = nn.Linear(13, 1).to(device)
        optimizer = optimizers[name](model.parameters())
        before = model.bias.item()
        pred = model(X_train).squeeze(1)
        loss = nn.functional.mse_loss(pred, y_train)
        (scale * loss).backward()
        optimizer.step()
        first_steps[name, scale] = abs(model.bias.item() - before)
        print(
            f"{name:>7}, coût × {scale:<3} : le biais bouge de "
            f"{first_steps[name, scale]:.3f}"
        )

# %% tags=["remove-cell"]
rms_ratio = first_steps["RMSprop", 1] / first_steps["Adam", 1]
glue("rms_adam_ratio", rms_ratio, ".0f")
assert round(rms_ratio) == 10
for name in ("RMSprop", "Adam"):
    assert (
        abs(first_steps[name, 100] / first_steps[name, 1] - 1)
        < 1e-3
    )

# %% [markdown]
# Le premier déplacement de RMSprop est {glue:md}`rms_adam_ratio` fois celui d'Adam
# ($\eta/\sqrt{1-\alpha} = 10\,\eta$), et aucun des deux ne change quand le coût est
# multiplié par 100.
#
# ```{optional-end}
# ```
#
# ```{optional-start} zero_grad() à None ou à zéro, et la pénalité weight_decay
# ```
#
# SGD, RMSprop et Adam acceptent une {term}`pénalité` sur les poids, `weight_decay`
# $= \lambda_{\text{wd}}$ (0 par défaut) : avant d'appliquer sa règle, l'optimiseur
# remplace le gradient $\mathbf{g}_t$ par $\mathbf{g}_t + \lambda_{\text{wd}}\mathbf{w}$,
# le gradient du coût pénalisé $\ell + \frac{\lambda_{\text{wd}}}{2}\lVert\mathbf{w}\rVert^2$ :
# la pénalité tire chaque paramètre vers 0. Voici les réglages par défaut, lus dans les
# optimiseurs eux-mêmes :

# %%
params = [nn.Parameter(torch.zeros(1))]
shown = {
    torch.optim.SGD: ("momentum", "dampening", "weight_decay"),
    torch.optim.RMSprop: ("alpha", "eps", "weight_decay"),
    torch.optim.Adam: ("betas", "eps", "weight_decay"),
}
for optim_class, keys in shown.items():
    defaults = optim_class(params).defaults
    values = {k: defaults[k] for k in keys}
    print(f"{optim_class.__name__:<7}", values)

# %% [markdown]
# Par défaut (`set_to_none=True`), `zero_grad()` remet `.grad` à `None` plutôt que de le
# remplir de zéros : la passe arrière suivante écrit le gradient au lieu de l'ajouter, et
# l'on économise une écriture mémoire. Pour cette passe arrière, `set_to_none=False`
# revient au même. Pour `step()`, non : un paramètre dont `.grad` vaut `None` est
# **sauté**, alors qu'un gradient nul est traité comme un vrai gradient ; avec un moment
# ou `weight_decay`, le paramètre bouge donc encore. Faisons un premier pas sur le coût
# $p^2$, depuis $p = 1$, puis effaçons le gradient et faisons un second `step()` sans
# passe arrière :

# %%
print("set_to_none | option           | .grad        | p bouge de")
for set_to_none in (False, True):
    for options in ({"momentum": 0.9}, {"weight_decay": 0.1}):
        p = nn.Parameter(torch.tensor([1.0]))
        opt = torch.optim.SGD([p], lr=0.1, **options)
        (p**2).sum().backward()
        opt.step()  # premier pas : le moment prend une vitesse
        opt.zero_grad(set_to_none=set_to_none)
        before = p.item()
        opt.step()  # aucun backward depuis zero_grad
        option = ", ".join(f"{k}={v}" for k, v in options.items())
        moved = p.item() - before
        print(
            f"{set_to_none!s:<11} | {option:<16} | "
            f"{str(p.grad):<12} | {moved:+.3f}"
        )

# %% [markdown]
# Avec un gradient nul, le moment continue sur sa lancée (un pas de $\eta\mu\mathbf{v}$),
# et `weight_decay` tire $p$ vers 0 (un pas de $\eta\lambda_{\text{wd}} p$). Ce n'est pas
# une erreur ; il suffit de savoir que `set_to_none=True` fige les paramètres qui n'ont
# pas reçu de gradient, par exemple une partie d'un réseau que l'on n'entraîne pas.
#
# ```{optional-end}
# ```
#
# ## Résumé
#
# - Un optimiseur reçoit les paramètres (des `nn.Parameter`) ; `zero_grad()` efface
#   leurs gradients, `step()` fait un pas. La boucle s'écrit `zero_grad` → passe avant →
#   `backward` → `step` ; `fit` la répète par mini-batchs, et mesure le modèle avec
#   `evaluate` (`eval()`, `torch.no_grad()`).
# - La boucle de l'énoncé a une erreur de syntaxe (`=` pour `==`) et ne remet pas les
#   gradients à zéro après chaque `step()` : ils s'accumulent depuis le début, et `.grad`
#   s'éloigne de plus en plus du vrai gradient.
# - Accumuler exprès $K$ gradients de mini-batchs, chacun divisé par $K$, donne le
#   gradient de leur union : un grand mini-batch en plusieurs morceaux.
# - Changer d'optimiseur ne change qu'une ligne, mais pas le sens de $\eta$ : le moment
#   multiplie les déplacements par environ $1/(1-\mu)$ une fois lancé, Adam déplace chaque
#   coordonnée d'environ $\eta$. On compare des optimiseurs à réglages comparables.
#
# Le {ref}`chapitre 5 <chap-modules>` range paramètres et calculs dans des modules.
#
# ## Questions
#
# ```{exercise} Exercice 4.c — accumulation et moyenne
# :label: ex-4c
# :nonumber:
# Dans l'accumulation sur $K$ mini-batchs, que se passe-t-il si l'on oublie de diviser
# chaque coût par $K$ ?
# ```
#
# ```{solution} ex-4c
# :class: dropdown
# Le gradient accumulé vaut $K$ fois celui de l'union : avec SGD, c'est comme multiplier
# le taux d'apprentissage par $K$, ce qui peut faire diverger la descente (chapitre 3,
# {numref}`section %s <sec-taux>`).
# ```
#
# ```{exercise} Exercice 4.d — evaluate sans no_grad
# :label: ex-4d
# :nonumber:
# Que changerait, dans `fit`, une `evaluate` qui oublierait `torch.no_grad()` ? Et une
# qui oublierait `model.eval()`, pour un modèle linéaire puis pour un modèle avec
# `nn.Dropout` ?
# ```
#
# ```{solution} ex-4d
# :class: dropdown
# Sans `torch.no_grad()`, les MSE seraient les mêmes, mais chaque mesure enregistrerait
# un graphe inutile (de la mémoire et du temps) ; aucun gradient ne serait faussé, car
# `backward()` n'est jamais appelé sur ce coût. Sans `model.eval()`, rien ne change pour
# un modèle linéaire ; avec `nn.Dropout`, la mesure éteindrait au hasard une partie des
# activations : bruitée, elle ne mesurerait pas le modèle qu'on garde, celui du mode
# évaluation.
# ```

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
# # 4. Optimiseurs : `torch.optim`
#
# ```{admonition} Objectifs
# :class: tip
# À la fin de ce chapitre, vous saurez :
# - confier la mise à jour des paramètres à un optimiseur : ce que font exactement
#   `zero_grad()` et `step()` ;
# - repérer et corriger les deux erreurs de la boucle d'exemple de l'énoncé ;
# - accumuler volontairement les gradients de plusieurs mini-lots avant un pas ;
# - comparer SGD, SGD avec moment, Adam et RMSprop sur un même problème.
# ```
#
# Au {ref}`chapitre 3 <chap-regression>`, la mise à jour et la remise à zéro des gradients
# étaient écrites à la main. `torch.optim` les fait pour nous, quel que soit l'algorithme
# de descente choisi.

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import boston_split
from tp2_src.device import get_device, make_deterministic
from tp2_src.logs import fresh_run_dir, read_scalars
from tp2_src.plots import plot_losses
from tp2_src.report import show_table
from tp2_src.training import fit

make_deterministic(seed=0)  # mêmes nombres à chaque exécution
device = get_device()  # CUDA s'il y en a une, sinon le processeur
# Le découpage standardisé du chapitre 3 (même graine), sur le matériel choisi.
X_train, y_train, X_test, y_test = boston_split(device=device).tensors()

# %% tags=["remove-cell"]
# Plomberie du livre (exécutée, non affichée) : figures SVG lisibles.
from tp2_src.figures import use_book_style

use_book_style()

# %% [markdown]
# ## 4.1 `zero_grad()` et `step()`
#
# Un {term}`optimiseur` reçoit à sa création la liste des paramètres à optimiser. Ensuite :
#
# - `optimizer.zero_grad()` efface le gradient de chacun de ces paramètres. Par défaut
#   (`set_to_none=True`), il remet `.grad` à `None` plutôt que de le remplir de zéros :
#   la prochaine passe arrière écrira le gradient au lieu de l'ajouter, et l'on économise
#   une écriture mémoire ;
# - `optimizer.step()` applique la règle de mise à jour de l'algorithme avec les `.grad`
#   courants ; pour SGD, $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$, où $\eta$ est le\n#   taux d'apprentissage (`lr`).
#
# Les paramètres sont des `nn.Parameter` : des tenseurs qui demandent un gradient par
# défaut et que les modules reconnaissent comme paramètres (chapitre 5).

# %%
w = nn.Parameter(torch.zeros(13, device=device))
b = nn.Parameter(torch.zeros((), device=device))
print("requires_grad :", w.requires_grad, "| feuille :", w.is_leaf)
lr = 0.05
optimizer = torch.optim.SGD([w, b], lr=lr)

loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
expected_w = (w - lr * w.grad).detach()  # ce que step() doit calculer
optimizer.step()
torch.testing.assert_close(w.detach(), expected_w)
print("step() a fait w ← w − lr · w.grad : vérifié")
print("avant zero_grad : w.grad =", w.grad[:3].cpu().numpy().round(3), "…")
optimizer.zero_grad()
print("après zero_grad : w.grad =", w.grad)

# %% [markdown]
# ## 4.2 La boucle de l'énoncé, et ses deux erreurs
#
# L'énoncé propose une boucle qui fait un pas tous les 100 tours. Elle ne s'exécute pas
# telle quelle : `if i % 100 = 0` est une **affectation** là où il faut une comparaison
# (`==`), et Python refuse de compiler le fichier.

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
    print(f"SyntaxError, ligne {err.lineno} : {err.msg}")
    print("   ", err.text.strip())

# %% [markdown]
# La seconde erreur est plus sournoise : `zero_grad()` n'est appelé **qu'une fois**, avant
# la boucle. Comme `backward()` accumule (chapitre 2), l'attribut `.grad` contient après
# $i$ itérations la **somme** des $i$ gradients calculés depuis le début, et non le
# gradient du coût actuel. Mesurons-le en corrigeant seulement la comparaison, sur 1000
# itérations : à chaque itération, on note la norme de `w.grad` et celle du vrai gradient
# du coût courant (calculé à part avec `torch.autograd.grad`, qui n'accumule rien).


# %%
def run_statement_loop(zero_grad_after_step: bool, num_iters: int = 1000, every: int = 100):
    """La boucle de l'énoncé (sur Boston), avec ou sans zero_grad() après chaque step()."""
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
        if i % every == 0:
            optim.step()
            if zero_grad_after_step:
                optim.zero_grad()
    return acc_norms, true_norms, losses


buggy_acc, buggy_true, buggy_loss = run_statement_loop(zero_grad_after_step=False)
fixed_acc, _, fixed_loss = run_statement_loop(zero_grad_after_step=True)
print(f"{'itération':>9} | {'vrai gradient':>13} | {'w.grad (énoncé)':>15} | {'w.grad (corrigé)':>16}")
for i in (0, 1, 99, 100, 101, 500, 999):
    print(f"{i:>9} | {buggy_true[i]:>13.1f} | {buggy_acc[i]:>15.1f} | {fixed_acc[i]:>16.1f}")
print(f"coût final : {buggy_loss[-1]:.1f} (énoncé) contre {fixed_loss[-1]:.1f} (corrigé)")
assert buggy_acc[-1] > 100 * buggy_true[-1]  # « des centaines de fois »
assert fixed_acc[101] < 2 * buggy_true[101] < buggy_acc[101]
assert fixed_loss[-1] < buggy_loss[-1]

# %% [markdown]
# Dans la boucle de l'énoncé, `w.grad` ne cesse de s'éloigner du vrai gradient : à la
# dernière itération, il est des centaines de fois plus grand, car il additionne les
# gradients de toutes les itérations depuis le début. Chaque `step()` utilise cette somme
# périmée, et le coût baisse bien moins que dans la version corrigée, où `zero_grad()`
# suit chaque `step()` : `w.grad` y repart de zéro toutes les 100 itérations.
#
# Faire un pas toutes les 100 itérations sur le **même** lot complet n'a d'ailleurs pas
# d'intérêt : c'est un pas 100 fois plus grand, 100 fois plus cher. La boucle correcte,
# que l'on écrira toujours, fait un pas par itération :
#
# ```python
# for epoch in range(num_epochs):
#     optimizer.zero_grad()          # 1. effacer les gradients du pas précédent
#     loss = loss_fn(model(X), y)    # 2. passe avant
#     loss.backward()                # 3. passe arrière : remplit .grad
#     optimizer.step()               # 4. mise à jour des paramètres
# ```

# %%
w = nn.Parameter(torch.zeros(13, device=device))
b = nn.Parameter(torch.zeros((), device=device))
optimizer = torch.optim.SGD([w, b], lr=0.1)
num_epochs = 100
for _ in range(num_epochs):
    optimizer.zero_grad()
    loss = ((X_train @ w + b - y_train) ** 2).mean()
    loss.backward()
    optimizer.step()
with torch.no_grad():
    print(f"MSE d'apprentissage après {num_epochs} pas : {((X_train @ w + b - y_train) ** 2).mean():.3f}")

# %% [markdown]
# C'est exactement la descente batch du chapitre 3 (même pas, mêmes 100 itérations, même
# résultat à l'arrondi près), en deux lignes de moins.
#
# ### Accumuler des gradients, volontairement
#
# Faire un pas tous les $k$ mini-lots, comme le voulait l'énoncé, a un usage réel : simuler
# un grand lot qui ne tient pas en mémoire. On appelle `backward()` sur $k$ mini-lots, puis
# **un** `step()` et **un** `zero_grad()`. Pour que le gradient accumulé soit celui de la
# moyenne sur l'union des lots, on divise chaque coût par $k$ : avec des lots de même
# taille,
#
# $$
# \frac{1}{k}\sum_{j=1}^{k} \nabla \frac{1}{B}\sum_{i \in \text{lot}_j} \ell_i
# = \nabla \frac{1}{kB} \sum_{i \in \bigcup_j \text{lot}_j} \ell_i .
# $$

# %%
k, batch_size = 4, 32
idx = torch.randperm(len(X_train), generator=torch.Generator().manual_seed(0))[: k * batch_size].to(device)
model = nn.Linear(13, 1).to(device)
loss_fn = nn.MSELoss()

model.zero_grad()
for chunk in idx.split(batch_size):  # k mini-lots, un backward chacun
    loss = loss_fn(model(X_train[chunk]).squeeze(1), y_train[chunk]) / k
    loss.backward()
accumulated = [p.grad.clone() for p in model.parameters()]

model.zero_grad()
loss_fn(model(X_train[idx]).squeeze(1), y_train[idx]).backward()  # un seul lot, l'union
union = [p.grad.clone() for p in model.parameters()]

for (name, _), g_acc, g_union in zip(model.named_parameters(), accumulated, union, strict=True):
    print(f"{name:>6} : écart max accumulé / union = {(g_acc - g_union).abs().max():.1e}")
    torch.testing.assert_close(g_acc, g_union, rtol=1e-5, atol=1e-5)

# %% [markdown]
# Les deux gradients coïncident à l'arrondi float32 près (tolérance vérifiée : $10^{-5}$).
#
# ## 4.3 SGD, moment, Adam, RMSprop
#
# Changer d'algorithme ne change qu'une ligne : la création de l'optimiseur. Comparons
# ({numref}`fig-optimiseurs`)
# quatre optimiseurs sur la régression linéaire de Boston (un `nn.Linear(13, 1)`, détaillé
# au chapitre 5), avec la même initialisation (même graine), les mêmes mini-lots de 32 et
# 50 époques. La boucle est celle ci-dessus, avec un `DataLoader` et le journal
# TensorBoard (`tp2_src.training.fit`).
#
# - **SGD** : $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\mathbf{g}$ ;
# - **SGD avec moment** : une vitesse $\mathbf{v} \leftarrow \mu\mathbf{v} + \mathbf{g}$,
#   puis $\mathbf{w} \leftarrow \mathbf{w} - \eta\mathbf{v}$ ; les gradients qui vont
#   dans la même direction s'ajoutent, ceux qui oscillent se compensent ;
# - **RMSprop** : chaque coordonnée divise son gradient par la racine d'une moyenne
#   glissante de ses carrés : le déplacement devient à peu près $\eta$ quelle que soit
#   l'échelle du gradient ;
# - **Adam** : moment et normalisation à la RMSprop, avec une correction de biais.
#
# Pour RMSprop et Adam, le taux $\eta$ est donc mesuré **en unités des paramètres** : le biais
# doit aller de 0 à environ 22,5 (la moyenne de `MEDV`), ce qui demande au moins
# $22{,}5/\eta$ pas. On leur donne $\eta = 0{,}1$, et $0{,}01$ aux deux SGD,
# dont le déplacement est proportionnel au gradient.

# %%
optimizers = {
    "SGD": lambda params: torch.optim.SGD(params, lr=0.01),
    "SGD + moment": lambda params: torch.optim.SGD(params, lr=0.01, momentum=0.9),
    "RMSprop": lambda params: torch.optim.RMSprop(params, lr=0.1),
    "Adam": lambda params: torch.optim.Adam(params, lr=0.1),
}
histories, runs = {}, {}
for name, make_optimizer in optimizers.items():
    torch.manual_seed(0)  # même initialisation pour tous
    model = nn.Linear(13, 1).to(device)
    run = fresh_run_dir("optim-" + name.lower().replace(" + ", "-"))
    with SummaryWriter(run) as writer:
        histories[name] = fit(model, make_optimizer(model.parameters()), X_train, y_train,
                              X_test, y_test, num_epochs=50, batch_size=32, seed=0, writer=writer)
    runs[name] = read_scalars(run)

# %% mystnb={"figure": {"caption": "Quatre optimiseurs sur la régression linéaire de Boston, même initialisation, mêmes mini-lots : MSE d'apprentissage (à gauche) et de test (à droite) par époque, en échelle logarithmique, courbes relues dans TensorBoard.", "name": "fig-optimiseurs"}, "image": {"alt": "Deux graphiques côte à côte, une courbe par optimiseur (SGD, SGD avec moment, RMSprop, Adam) : toutes descendent vers le même plancher ; Adam est le plus lent au départ, SGD avec moment le plus rapide à la première époque."}}
fig, axes = plt.subplots(1, 2, figsize=(7, 3.8), sharey=True)
plot_losses(axes[0], runs, tags=("loss/train",))
plot_losses(axes[1], runs, tags=("loss/test",), legend=False)
axes[0].set_title("apprentissage")
axes[1].set_title("test")
fig.tight_layout()

# %%
show_table(
    ["optimiseur", "MSE app. époque 1", "époque 5", "époque 20", "époque 50", "MSE test finale"],
    [[name, *(f"{h.train_mse[e]:.2f}" for e in (1, 5, 20, 50)), f"{h.test_mse[-1]:.2f}"]
     for name, h in histories.items()],
)
first_epoch = {name: h.train_mse[1] for name, h in histories.items()}
assert min(first_epoch, key=first_epoch.get) == "SGD + moment"
fifth_epoch = {name: h.train_mse[5] for name, h in histories.items()}
assert max(fifth_epoch, key=fifth_epoch.get) == "Adam"
assert all(h.train_mse[-1] < 25 for h in histories.values()), "tous convergent"

# %% [markdown]
# Sur ce problème convexe et bien conditionné (variables standardisées), tous finissent
# près de l'optimum. Le moment va le plus vite au début : c'est lui qui a la plus faible
# MSE après une époque (vérifié par la cellule ci-dessus). Adam est le plus lent au
# départ (la plus forte MSE à l'époque 5, vérifié aussi) : son déplacement, d'environ
# $\eta$ par coordonnée, doit amener le biais de 0 jusqu'à 22,5. RMSprop a le même
# $\eta$ mais pas de correction de biais : sa moyenne des carrés des gradients part
# de zéro, et avec $\alpha = 0{,}99$ son premier pas vaut $\eta/\sqrt{1-\alpha}
# = 10\,\eta$. Mesurons le premier pas de chacun sur le biais :

# %%
first_steps = {}
for name in ("RMSprop", "Adam"):
    torch.manual_seed(0)
    model = nn.Linear(13, 1).to(device)
    optimizer = optimizers[name](model.parameters())
    before = model.bias.item()
    nn.functional.mse_loss(model(X_train).squeeze(1), y_train).backward()
    optimizer.step()
    first_steps[name] = abs(model.bias.item() - before)
    print(f"{name:>7} : premier pas sur le biais = {first_steps[name]:.3f} (lr = 0,1)")
assert first_steps["RMSprop"] > 5 * first_steps["Adam"]

# %% [markdown]
# Sur des réseaux profonds aux gradients d'échelles très différentes d'une couche à
# l'autre, cette normalisation devient au contraire l'atout d'Adam et de RMSprop.
#
# ## Résumé
#
# - `optimizer.zero_grad()` efface les gradients (à `None` par défaut), `optimizer.step()`
#   met à jour les paramètres selon l'algorithme choisi ; la boucle s'écrit
#   `zero_grad` → passe avant → `backward` → `step`.
# - La boucle de l'énoncé a une erreur de syntaxe (`=` pour `==`) et n'efface jamais les
#   gradients : ils s'accumulent et leur norme croît sans fin.
# - Accumuler exprès $k$ gradients de mini-lots, chacun divisé par $k$, donne le gradient
#   de leur union : un grand lot en plusieurs morceaux.
# - Changer d'optimiseur ne change qu'une ligne ; le taux $\eta$ n'a pas le même sens
#   pour SGD (proportionnel au gradient) et pour Adam ou RMSprop (normalisé).
#
# Le {ref}`chapitre 5 <chap-modules>` range paramètres et calculs dans des modules.
#
# ## Questions
#
# ```{exercise} Question 4.a — remettre à None ou à zéro ?
# :label: ex-4a
# :nonumber:
# Quelle différence, pour la passe arrière suivante, entre `zero_grad(set_to_none=True)`
# et `zero_grad(set_to_none=False)` ?
# ```
#
# ```{solution} ex-4a
# :class: dropdown
# Aucune pour la valeur : dans les deux cas, le prochain `.grad` sera le gradient de la
# nouvelle passe seule. Avec `None`, `backward` écrit le gradient directement au lieu de
# l'ajouter à un tenseur de zéros, ce qui économise mémoire et temps ; mais un code qui
# lit `p.grad` avant tout `backward` doit prévoir `None`.
# ```
#
# ```{exercise} Question 4.b — accumulation et moyenne
# :label: ex-4b
# :nonumber:
# Dans l'accumulation sur $k$ mini-lots, que se passe-t-il si l'on oublie de diviser
# chaque coût par $k$ ?
# ```
#
# ```{solution} ex-4b
# :class: dropdown
# Le gradient accumulé vaut $k$ fois celui de l'union : avec SGD, c'est comme multiplier
# le taux d'apprentissage par $k$, ce qui peut faire diverger la descente. (Adam et RMSprop, qui
# normalisent le gradient, y sont presque insensibles.)
# ```

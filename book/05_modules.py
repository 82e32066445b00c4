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
# (chap-modules)=
# # 5. Modules : `nn.Module`, `nn.Parameter` et conteneurs
#
# ```{admonition} Objectifs
# :class: tip
# À la fin de ce chapitre, vous saurez :
# - comment un `nn.Module` enregistre ses paramètres, et les lister avec `parameters()`
#   et `named_parameters()` ;
# - écrire un réseau à deux couches linéaire → tanh → linéaire, l'entraîner avec une
#   perte `nn.MSELoss` et un optimiseur (question 2) ;
# - écrire le même réseau avec `nn.Sequential`, et choisir entre `Sequential`,
#   `ModuleList` et `ModuleDict` ;
# - éviter le piège de la liste Python ordinaire, dont les paramètres sont ignorés.
# ```

# %%
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import boston_split
from tp2_src.device import get_device, make_deterministic
from tp2_src.linreg import least_squares, mse
from tp2_src.logs import fresh_run_dir, read_scalars
from tp2_src.plots import plot_losses
from tp2_src.report import glue, show_table
from tp2_src.training import evaluate, fit

make_deterministic(seed=0)  # mêmes nombres à chaque exécution
device = get_device()  # CUDA s'il y en a une, sinon le processeur
# Le découpage standardisé du chapitre 3 (même graine), sur le matériel choisi.
X_train, y_train, X_test, y_test = boston_split(device=device).tensors()

# %% tags=["remove-cell"]
# Plomberie du livre (exécutée, non affichée) : figures SVG lisibles.
from tp2_src.figures import use_book_style

use_book_style()

# %% [markdown]
# ## 5.1 Un module enregistre ses paramètres
#
# Un {term}`module` est la brique de base d'un réseau : une couche (`nn.Linear`), une activation
# (`nn.Tanh`), une perte (`nn.MSELoss`), ou un assemblage d'autres modules. Il définit
# `forward` ; la passe arrière, elle, vient d'autograd dès que `forward` n'utilise que des
# opérations de PyTorch. (Contrairement à une `torch.autograd.Function`, un `nn.Module`
# n'a d'ailleurs pas de méthode `backward` à écrire : on appelle `backward()` sur le coût,
# et autograd remonte le graphe que `forward` a enregistré.)
#
# Ce qui fait la force du module, c'est qu'il **sait quels sont ses paramètres**. Quand on
# affecte un `nn.Parameter` à un attribut (`self.w = nn.Parameter(...)`), la méthode
# `__setattr__` de `nn.Module` l'inscrit dans le dictionnaire `_parameters`. Un tenseur
# ordinaire affecté de la même façon n'est pas inscrit.

# %%
class Affine(nn.Module):
    """ŷ = X w + b, écrit à la main avec deux nn.Parameter."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.zeros(dim))  # inscrit : c'est un Parameter
        self.b = nn.Parameter(torch.zeros(()))
        self.scale = torch.ones(())  # simple tenseur : pas un paramètre

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return (X @ self.w + self.b) * self.scale


affine = Affine(13)
print("_parameters :", list(affine._parameters))
for name, p in affine.named_parameters():
    print(f"  {name:>2} : forme {tuple(p.shape)}, requires_grad={p.requires_grad}")
print("nombre de tenseurs dans parameters() :", len(list(affine.parameters())))

# %% [markdown]
# `parameters()` est ce qu'on donne à l'optimiseur ; `named_parameters()` donne en plus
# le nom de chaque paramètre, bien utile pour inspecter un modèle. `scale` n'apparaît
# nulle part : l'optimiseur ne le verrait pas.
#
# ## 5.2 Le réseau à deux couches (question 2)
#
# Le réseau demandé enchaîne une couche linéaire $\mathbb{R}^{13} \to \mathbb{R}^{h}$, une
# tangente hyperbolique et une couche linéaire $\mathbb{R}^{h} \to \mathbb{R}$, avec
# $h = 32$ neurones cachés :
#
# $$
# \hat{y} = W_2 \tanh(W_1 \mathbf{x} + \mathbf{b}_1) + b_2 .
# $$
#
# Chaque couche est un module, affecté à un attribut : elle s'inscrit comme **sous-module**
# (dans `_modules`), et ses paramètres deviennent ceux du réseau.
#
# ```{exercise} Question 2 — un réseau à deux couches avec des modules
# :label: q2
# :nonumber:
# Avec les modules `torch.nn.Linear`, `torch.nn.Tanh` et `torch.nn.MSELoss`, écrivez le
# réseau linéaire → tanh → linéaire, avec une perte quadratique, puis la boucle de
# descente de gradient qui l'entraîne sur Boston Housing à l'aide d'un optimiseur.
# ```
#
# ```{solution-start} q2
# :class: dropdown
# ```

# %%
hidden = 32


class TwoLayerNet(nn.Module):
    """Linéaire → tanh → linéaire ; X (n, 13) → (n, 1)."""

    def __init__(self, dim_in: int, hidden: int) -> None:
        super().__init__()
        self.linear1 = nn.Linear(dim_in, hidden)
        self.activation = nn.Tanh()
        self.linear2 = nn.Linear(hidden, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.activation(self.linear1(X)))


torch.manual_seed(0)
net = TwoLayerNet(13, hidden).to(device)
print(net)
for name, p in net.named_parameters():
    print(f"  {name:<15} {tuple(p.shape)}")
print("paramètres au total :", sum(p.numel() for p in net.parameters()))

# %% [markdown]
# La boucle de descente de gradient avec l'optimiseur (Adam, taux d'apprentissage $\eta = 10^{-2}$,
# mini-lots de 32 mélangés par un générateur de graine fixe) et la perte `nn.MSELoss`.
# La sortie du réseau est de forme $(n, 1)$ et la cible de forme $(n,)$ : on retire la
# dimension en trop avec `squeeze(1)`, sinon `MSELoss` diffuserait les deux formes en
# une matrice $(n, n)$ et calculerait une perte fausse (avec un avertissement).

# %%
def train(net: nn.Module, num_epochs: int = 100, batch_size: int = 32, lr: float = 1e-2) -> list[float]:
    """Entraîne net sur Boston ; renvoie la MSE d'apprentissage de chaque mini-lot."""
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(0))
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    losses = []
    for _ in range(num_epochs):
        for X, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(net(X).squeeze(1), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


losses_net = train(net)
print(f"{len(losses_net)} pas ; MSE du dernier mini-lot : {losses_net[-1]:.3f}")
print(f"MSE apprentissage {evaluate(net, X_train, y_train):.3f}, test {evaluate(net, X_test, y_test):.3f}")

# %% [markdown]
# ```{solution-end}
# ```
#
# ## 5.3 Le même réseau avec `nn.Sequential`
#
# `nn.Sequential` est un conteneur qui applique ses modules l'un après l'autre : plus
# besoin d'écrire `forward`.
#
# ```{exercise} Question 2 (suite) — le même réseau dans un conteneur
# :label: q2-sequential
# :nonumber:
# Écrivez maintenant le même réseau avec un conteneur, `torch.nn.Sequential`. Vérifiez
# qu'il a les mêmes paramètres et qu'il apprend de la même façon.
# ```
#
# ```{solution-start} q2-sequential
# :class: dropdown
# ```
#
# Créé avec la même graine, le `Sequential` tire les mêmes valeurs initiales dans le même
# ordre.

# %%
torch.manual_seed(0)
seq = nn.Sequential(nn.Linear(13, hidden), nn.Tanh(), nn.Linear(hidden, 1)).to(device)
print(seq)
torch.manual_seed(0)
net = TwoLayerNet(13, hidden).to(device)  # un réseau neuf, pour comparer à partir de la même graine
for (name_net, p_net), (name_seq, p_seq) in zip(net.named_parameters(), seq.named_parameters(), strict=True):
    print(f"  {name_net:<15} ↔ {name_seq:<9} identiques : {torch.equal(p_net, p_seq)}")
    assert torch.equal(p_net, p_seq)

# %% [markdown]
# Les paramètres sont les mêmes, à leurs noms près : dans `Sequential`, un sous-module est
# nommé par sa position (`0`, `1`, `2`), d'où `0.weight` et `2.bias` ; `Tanh` (position 1)
# n'a pas de paramètre. Entraînés par la même boucle, les deux réseaux donnent exactement
# les mêmes pertes, pas après pas :

# %%
losses_net = train(net)
losses_seq = train(seq)
print(f"MSE des 3 premiers mini-lots : {[round(v, 3) for v in losses_net[:3]]} (classe) "
      f"{[round(v, 3) for v in losses_seq[:3]]} (Sequential)")
print("pertes identiques aux", len(losses_net), "pas :", losses_net == losses_seq)
assert losses_net == losses_seq

# %% [markdown]
# ```{solution-end}
# ```
#
# ## 5.4 Les conteneurs, et le piège de la liste
#
# PyTorch propose trois conteneurs ; tous inscrivent leurs modules, donc leurs paramètres :
#
# | conteneur | ce qu'il fait | quand s'en servir |
# |---|---|---|
# | `nn.Sequential` | applique ses modules dans l'ordre ; a un `forward` | une simple chaîne de couches |
# | `nn.ModuleList` | une liste de modules, **sans** `forward` | un nombre variable de couches que `forward` parcourt lui-même (boucle, connexions résiduelles…) |
# | `nn.ModuleDict` | un dictionnaire de modules, **sans** `forward` | des branches choisies par leur nom (plusieurs têtes, plusieurs activations) |
#
# Une **liste Python ordinaire** ne l'est pas : `nn.Module` ne regarde pas à l'intérieur,
# et les couches qu'elle contient sont invisibles pour `parameters()`, donc pour
# l'optimiseur — sans erreur ni avertissement.
#
# ```{exercise} Question 2 (fin) — les conteneurs et leurs paramètres
# :label: q2-containers
# :nonumber:
# D'après la documentation, en quoi diffèrent les conteneurs `Sequential`, `ModuleList`
# et `ModuleDict` ? Que deviennent les paramètres des modules que l'on assemble ainsi ?
# ```
#
# ```{solution-start} q2-containers
# :class: dropdown
# ```
#
# Le même réseau, rangé de quatre façons : on compte les paramètres que chacune inscrit.

# %%
class WithModuleList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(13, hidden), nn.Linear(hidden, 1)])

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers[1](torch.tanh(self.layers[0](X)))


class WithModuleDict(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleDict({"hidden": nn.Linear(13, hidden), "out": nn.Linear(hidden, 1)})

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers["out"](torch.tanh(self.layers["hidden"](X)))


class WithPlainList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = [nn.Linear(13, hidden), nn.Linear(hidden, 1)]  # liste Python : piège

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers[1](torch.tanh(self.layers[0](X)))


containers = {"Sequential": seq, "ModuleList": WithModuleList(), "ModuleDict": WithModuleDict(),
              "liste Python": WithPlainList()}
rows = []
for kind, model in containers.items():
    names = [name for name, _ in model.named_parameters()]
    rows.append([kind, len(names), sum(p.numel() for p in model.parameters()),
                 ", ".join(f"`{n}`" for n in names) or "(aucun)"])
show_table(["conteneur", "tenseurs de paramètres", "scalaires", "noms"], rows)
assert rows[-1][1] == 0 and all(r[1] == 4 for r in rows[:-1])

# %% [markdown]
# Le modèle à liste Python calcule pourtant très bien sa sortie ; c'est l'optimiseur qui
# ne reçoit rien. Avec seulement ces couches, PyTorch le signale (liste de paramètres
# vide). Mais dès que le modèle a **un** autre paramètre inscrit, l'erreur disparaît et
# les couches de la liste ne sont jamais entraînées :

# %%
try:
    torch.optim.SGD(WithPlainList().parameters(), lr=0.01)
except ValueError as err:
    print("ValueError :", err)


class PlainListWithBias(WithPlainList):
    def __init__(self) -> None:
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(1))  # un seul paramètre inscrit

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return super().forward(X) + self.shift


torch.manual_seed(0)
trap = PlainListWithBias().to(device)
# .to(device) ne déplace pas non plus les couches de la liste : autre symptôme du piège.
for layer in trap.layers:
    layer.to(device)
before = trap.layers[0].weight.detach().clone()
print("paramètres vus par l'optimiseur :", [name for name, _ in trap.named_parameters()])
train(trap, num_epochs=5)
print("poids de la 1re couche modifiés par l'apprentissage :", not torch.equal(before, trap.layers[0].weight))
print("biais shift appris :", round(trap.shift.item(), 3))
assert torch.equal(before, trap.layers[0].weight)

# %% [markdown]
# ```{admonition} Que deviennent les paramètres de modules assemblés ?
# :class: important
# Ils sont **inscrits récursivement**. Un module affecté à un attribut, ou placé dans un
# `Sequential`, une `ModuleList` ou un `ModuleDict`, devient un sous-module ; `parameters()`
# parcourt tout l'arbre des sous-modules et renvoie leurs paramètres, nommés par leur
# chemin : `linear1.weight` dans la classe, `0.weight` dans `Sequential`,
# `layers.hidden.weight` dans un `ModuleDict`. Un seul appel à
# `optimizer = Adam(model.parameters())` couvre donc tout le réseau, de même que
# `model.zero_grad()`, `model.to(device)`, `model.state_dict()` ou `model.train()`. Une
# liste ou un dictionnaire Python ordinaire coupe cette récursion.
# ```
#
# ```{solution-end}
# ```
#
# ## 5.5 Modèle linéaire contre réseau
#
# Comparons ({numref}`fig-lineaire-reseau`), sur le même découpage, le modèle linéaire (un `nn.Linear(13, 1)`) et le
# réseau à deux couches, entraînés de la même façon (Adam, mini-lots de 32, 100 époques,
# même graine) par `tp2_src.training.fit`, avec l'optimum exact des moindres carrés comme
# référence. Seul le taux d'apprentissage diffère : $\eta = 10^{-1}$ pour le modèle linéaire, dont le biais doit
# parcourir 22,5 par pas d'environ $\eta$ (chapitre 4), $10^{-2}$ pour le réseau,
# qui apprend son échelle par la dernière couche. Chaque entraînement écrit son journal
# TensorBoard.

# %%
models = {}
torch.manual_seed(0)
models["linéaire"] = nn.Linear(13, 1).to(device)
torch.manual_seed(0)
models["réseau 13 → 32 → 1"] = nn.Sequential(nn.Linear(13, hidden), nn.Tanh(), nn.Linear(hidden, 1)).to(device)
histories, runs = {}, {}
lrs = {"linéaire": 1e-1, "réseau 13 → 32 → 1": 1e-2}
for (name, model), run_name in zip(models.items(), ("modules-lineaire", "modules-reseau"), strict=True):
    run = fresh_run_dir(run_name)
    with SummaryWriter(run) as writer:
        histories[name] = fit(model, torch.optim.Adam(model.parameters(), lr=lrs[name]), X_train, y_train,
                              X_test, y_test, num_epochs=100, batch_size=32, seed=0, writer=writer)
    runs[name] = read_scalars(run)

w_star, b_star = least_squares(X_train, y_train)  # la référence exacte du chapitre 3
lstsq_train, lstsq_test = mse(X_train, y_train, w_star, b_star), mse(X_test, y_test, w_star, b_star)

rows = [[name, sum(p.numel() for p in models[name].parameters()), f"{h.train_mse[-1]:.2f}",
         f"{h.test_mse[-1]:.2f}", f"{min(h.test_mse):.2f} (époque {h.test_mse.index(min(h.test_mse))})"]
        for name, h in histories.items()]
rows.append(["moindres carrés (référence)", 14, f"{lstsq_train:.2f}", f"{lstsq_test:.2f}", "—"])
show_table(["modèle", "paramètres", "MSE apprentissage", "MSE test", "meilleure MSE test"], rows)

# %% mystnb={"figure": {"caption": "Modèle linéaire contre réseau à deux couches sur Boston : MSE d'apprentissage (traits pleins) et de test (tirets) par époque, en échelle logarithmique, courbes relues dans TensorBoard.", "name": "fig-lineaire-reseau"}, "image": {"alt": "Quatre courbes sur 100 époques : le modèle linéaire se stabilise vite vers 22 en apprentissage et 34 en test ; le réseau descend plus bas, sous 10 en apprentissage et vers 20 en test."}}
fig, ax = plt.subplots(figsize=(7, 3.8))
plot_losses(ax, runs)
ax.set_title("Linéaire contre réseau à deux couches")
fig.tight_layout()

# %%
lin, mlp = histories["linéaire"], histories["réseau 13 → 32 → 1"]
glue("lin_test", lin.test_mse[-1], ".2f")
glue("mlp_test", mlp.test_mse[-1], ".2f")
glue("mlp_train", mlp.train_mse[-1], ".2f")
glue("test_gain", 100 * (1 - mlp.test_mse[-1] / lin.test_mse[-1]), ".0f")
assert mlp.test_mse[-1] < min(lin.test_mse[-1], lstsq_test), "le réseau bat tout modèle linéaire en test"
assert lin.train_mse[-1] < 1.02 * lstsq_train, "le modèle linéaire a convergé (à 2 % de l'optimum)"
assert mlp.train_mse[-1] < mlp.test_mse[-1]

# %% [markdown]
# Le réseau réduit la MSE de test de {glue:md}`lin_test` à
# {glue:md}`mlp_test` (−{glue:md}`test_gain` %) : la couche cachée et la
# tangente hyperbolique captent des effets non linéaires des variables sur le prix,
# qu'aucun modèle linéaire ne peut représenter, pas même l'optimum exact des moindres
# carrés (vérifié par la cellule ci-dessus). L'écart entre sa MSE d'apprentissage
# ({glue:md}`mlp_train`) et sa MSE de test montre aussi qu'il commence à
# sur-apprendre : avec 481 paramètres pour 404 exemples, il faudrait régulariser ou
# arrêter plus tôt.
#
# ## Résumé
#
# - Un `nn.Parameter` affecté à un attribut de module est inscrit automatiquement ;
#   `parameters()` et `named_parameters()` les listent, sous-modules compris.
# - Le réseau linéaire → tanh → linéaire s'écrit en classe ou en `nn.Sequential` : mêmes
#   paramètres (noms mis à part), mêmes pertes depuis la même graine.
# - `Sequential`, `ModuleList` et `ModuleDict` inscrivent leurs modules ; une liste Python
#   ordinaire les cache à l'optimiseur sans le moindre message.
# - Sur Boston, le réseau bat en test l'optimum des moindres carrés, le meilleur modèle
#   linéaire sur l'apprentissage.
#
# ## Questions
#
# ```{exercise} Question 5.a — compter les paramètres
# :label: ex-5a
# :nonumber:
# Vérifiez le nombre de paramètres du réseau $13 \to 32 \to 1$.
# ```
#
# ```{solution} ex-5a
# :class: dropdown
# Première couche : $13 \times 32$ poids et $32$ biais, soit $448$ ; seconde couche :
# $32$ poids et $1$ biais, soit $33$ ; total $481$, ce qu'affiche le tableau.
# ```
#
# ```{exercise} Question 5.b — liste de modules ou séquence ?
# :label: ex-5b
# :nonumber:
# Un réseau dont chaque couche ajoute son entrée à sa sortie (connexion résiduelle, $\mathbf{h}_{k+1} = \mathbf{h}_k + f_k(\mathbf{h}_k)$) peut-il
# s'écrire avec `Sequential` seul ?
# ```
#
# ```{solution} ex-5b
# :class: dropdown
# Non : `Sequential` ne sait que chaîner $f_k(\mathbf{h}_k)$. On range les $f_k$ dans une
# `ModuleList` (pour que leurs paramètres soient inscrits) et l'on écrit la boucle
# `for f in self.layers: h = h + f(h)` dans `forward`.
# ```

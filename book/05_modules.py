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
# # Modules : `nn.Module`, `nn.Parameter` et conteneurs
#
# ```{admonition} Objectifs
# :class: tip
# **Durée** : {reading-time}`lecture` de lecture, sans les encadrés facultatifs ; plus les
# exercices. **Énoncé** : la partie 4 (« Module ») et la question 2.
#
# À la fin de ce chapitre, vous saurez :
# - comment un `nn.Module` inscrit ses paramètres, et les lister avec `parameters()`
#   et `named_parameters()` ;
# - écrire un réseau à deux couches linéaire → tanh → linéaire avec `nn.Linear`,
#   `nn.Tanh` et `nn.MSELoss`, et l'entraîner avec un optimiseur (question 2) ;
# - écrire le même réseau avec `nn.Sequential`, et choisir entre `Sequential`,
#   `ModuleList` et `ModuleDict` ;
# - éviter le piège de la liste Python ordinaire, dont les paramètres sont ignorés ;
# - comparer le réseau au modèle linéaire sur un jeu de **validation**.
# ```

# %%
import warnings

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Les outils du livre (tp2_src), présentés au chapitre 3 :
from tp2_src.data import (
    boston_split,
)  # Boston, découpé et standardisé
from tp2_src.device import get_device, make_deterministic

make_deterministic(
    seed=0
)  # torch.manual_seed(0), calculs déterministes
device = get_device()  # CUDA s'il y en a une, sinon le processeur

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs collées,
# vérification de ce qu'annonce la prose.
from tp2_src.glue import glue, glue_figure
from tp2_src.style import setup_chapter

setup_chapter()  # figures, et l'environnement que cite la note de fin de page

# %% [markdown]
# Comme au chapitre 3, 20 % des quartiers restent pour le test (le même découpage, même
# graine). On met aussi de côté 20 % du jeu d'apprentissage comme jeu de
# **validation** : c'est sur lui qu'on comparera les modèles, le test ne servant qu'à la
# fin. La standardisation est ajustée sur ce qui reste pour l'apprentissage.

# %%
split = boston_split(device=device, val_size=0.2)
X_train, y_train, X_test, y_test = split.tensors()
X_val, y_val = split.X_val, split.y_val
print(
    "apprentissage :",
    tuple(X_train.shape),
    "; validation :",
    tuple(X_val.shape),
    "; test :",
    tuple(X_test.shape),
)
print(f"prix moyen (MEDV, apprentissage) : {y_train.mean():.2f}")

# %% tags=["remove-cell"]
glue("n_train", len(X_train), "d")
glue("n_val", len(X_val), "d")
glue("n_test", len(X_test), "d")
glue(
    "n_train_ch3", len(X_train) + len(X_val), "d"
)  # avant la validation
glue("y_mean", y_train.mean().item(), ".1f")

# %% [markdown]
# (sec-module-parametres)=
# ## Un module inscrit ses paramètres
#
# Un {term}`module` est la brique de base d'un réseau : une couche (`nn.Linear`), une
# activation (`nn.Tanh`), un coût (`nn.MSELoss`), ou un assemblage d'autres modules. Il
# définit `forward` ; la passe arrière vient d'autograd, dès que `forward` n'utilise que
# des opérations de PyTorch.
#
# Ce qui fait sa force, c'est qu'il **sait quels sont ses paramètres**. Quand on affecte
# un `nn.Parameter` à un attribut (`self.w = nn.Parameter(...)`), la méthode
# `__setattr__` de `nn.Module` l'inscrit dans le dictionnaire `_parameters`. Un tenseur
# ordinaire affecté de la même façon n'est pas inscrit.


# %%
class Affine(nn.Module):
    """ŷ = X w + b, écrit à la main avec deux nn.Parameter."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.w = nn.Parameter(
            torch.zeros(dim)
        )  # un Parameter : inscrit
        self.b = nn.Parameter(torch.zeros(()))
        self.scale = torch.ones(
            ()
        )  # simple tenseur : pas un paramètre

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return (X @ self.w + self.b) * self.scale


affine = Affine(13)
print("_parameters :", list(affine._parameters))
for name, p in affine.named_parameters():
    print(
        f"  {name} : forme {tuple(p.shape)}, "
        f"requires_grad={p.requires_grad}"
    )
print(
    "tenseurs dans parameters() :", len(list(affine.parameters()))
)

# %% [markdown]
# Ce module n'a pas de `backward`, et n'en a pas besoin : le coût calculé par `forward`
# porte un `grad_fn`, et `backward()` remplit le `.grad` de chaque paramètre inscrit. Il
# n'enveloppe pas non plus une `torch.autograd.Function` (l'énoncé parle d'une fonction
# « héritée de torch.nn.Function », classe qui n'existe pas) : `nn.Module` n'hérite pas
# de `Function`, et son `forward` est du Python ordinaire dont autograd enregistre chaque
# opération, à chaque appel.

# %%
print(
    "nn.Module a une méthode backward :",
    hasattr(nn.Module, "backward"),
)
print(
    "nn.Module hérite de torch.autograd.Function :",
    issubclass(nn.Module, torch.autograd.Function),
)
loss = ((affine(X_train) - y_train) ** 2).mean()
print("grad_fn du coût :", type(loss.grad_fn).__name__)
loss.backward()
for name, p in affine.named_parameters():
    print(f"  {name}.grad : forme {tuple(p.grad.shape)}")
print(
    "w.grad = -2/n Σ (y - ŷ) x :",
    torch.allclose(
        affine.w.grad,
        -2
        * (y_train - affine(X_train)).detach()
        @ X_train
        / len(X_train),
        atol=1e-5,
    ),
)

# %% tags=["remove-cell"]
assert (
    not hasattr(nn.Module, "backward") and affine.b.grad is not None
)
assert not issubclass(nn.Module, torch.autograd.Function)

# %% [markdown]
# `parameters()` est ce qu'on donne à l'optimiseur ; `named_parameters()` y ajoute le
# nom de chaque paramètre. `scale` n'apparaît nulle part : l'optimiseur ne le verrait pas.
#
# ```{optional-start} ParameterList, tampons, state_dict() et .to()
# ```
#
# **Un nombre variable de paramètres.** `nn.ParameterList` et `nn.ParameterDict` jouent
# le rôle d'une liste ou d'un dictionnaire, en inscrivant chaque paramètre qu'on y range :


# %%
class Polynomial(nn.Module):
    """ŷ = Σₖ cₖ xᵏ, un coefficient (un paramètre) par degré."""

    def __init__(self, degree: int) -> None:
        super().__init__()
        count = degree + 1  # c₀ … c_degree
        self.coefs = nn.ParameterList(
            [nn.Parameter(torch.zeros(())) for _ in range(count)]
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return sum(c * x**k for k, c in enumerate(self.coefs))


print([name for name, _ in Polynomial(2).named_parameters()])

# %% [markdown]
# (sec-tampons)=
# **Les tampons.** Que `scale` ne soit pas appris est voulu. Mais un tel tenseur doit
# souvent **suivre** le module : changer de matériel ou de type avec lui, être
# sauvegardé avec lui. On l'inscrit alors comme {term}`tampon` (*buffer*), par
# `self.register_buffer("scale", tenseur)`. Deux méthodes de `nn.Module` parcourent
# paramètres et tampons, sous-modules compris :
#
# - `module.to(device)` les déplace vers un matériel, `module.to(torch.float64)` les
#   convertit vers un type ; la méthode modifie le module sur place et le rend, d'où
#   l'écriture `nn.Linear(13, 4).to(device)` des chapitres ;
# - `module.state_dict()` rend le {term}`state_dict` : un dictionnaire nom → tenseur de
#   tout l'état du module, que l'on sauvegarde avec `torch.save` et que
#   `load_state_dict` recharge dans un module de même structure.
#
# Un tenseur ordinaire n'est vu par aucune des deux :


# %%
class AffineWithBuffer(Affine):
    """Affine, dont scale est un tampon : il suit le module."""

    def __init__(self, dim: int) -> None:
        super().__init__(dim)
        del self.scale  # le tenseur ordinaire d'Affine devient…
        self.register_buffer("scale", torch.ones(()))  # …un tampon


for model in (Affine(13), AffineWithBuffer(13)):
    model.to(torch.float64)  # paramètres et tampons en float64
    count = len(list(model.parameters()))
    print(
        f"{type(model).__name__} : {count} paramètres ; "
        f"state_dict {list(model.state_dict())} ;"
    )
    print(f"  après .to(torch.float64) : w en {model.w.dtype},")
    print(f"  scale en {model.scale.dtype}")

with torch.no_grad():
    model.w.fill_(0.5)  # comme si w avait été appris
fresh = AffineWithBuffer(13)  # neuf : w = 0
fresh.load_state_dict(model.state_dict())
print("w rechargé par load_state_dict :", fresh.w[:3].tolist(), "…")

# %% [markdown]
# Le tampon est dans le `state_dict` et suit `.to()`, sans être un paramètre :
# l'optimiseur ne le modifiera pas. Le tenseur ordinaire, lui, reste en float32 et n'est
# pas sauvegardé.
#
# ```{optional-end}
# ```
#
# PyTorch fournit, tout faits dans `torch.nn`, les modules dont les réseaux sont
# construits. Voici un exemplaire de chaque sorte que cite l'énoncé, avec ses
# paramètres :

# %%
zoo = [  # (sorte, module), dans l'ordre de l'énoncé
    ("couche linéaire", nn.Linear(4, 3)),
    (
        "convolution",
        nn.Conv1d(1, 2, kernel_size=3),
    ),  # 2 filtres de 3
    ("activation", nn.Tanh()),
    ("activation", nn.Sigmoid()),
    ("activation", nn.ReLU()),
    ("coût", nn.MSELoss()),
    ("coût", nn.L1Loss()),
    ("coût", nn.CrossEntropyLoss()),
    ("régularisation", nn.BatchNorm1d(4)),
    ("régularisation", nn.Dropout(p=0.5)),
]
for kind, module in zoo:
    shapes = [tuple(p.shape) for p in module.parameters()]
    count = sum(p.numel() for p in module.parameters())
    print(
        f"{kind:<15} {type(module).__name__:<17} "
        f"{count:>2} paramètre(s)",
        *shapes,
    )

# %% tags=["remove-cell"]
params_of = {
    type(m).__name__: sum(p.numel() for p in m.parameters())
    for _, m in zoo
}
glue("conv_params", params_of["Conv1d"], "d")
glue("bn_params", params_of["BatchNorm1d"], "d")
assert not any(
    params_of[type(m).__name__]
    for k, m in zoo
    if k in ("activation", "coût")
)

# %% [markdown]
# Les activations et les coûts n'ont aucun paramètre : ce sont des modules pour
# s'assembler avec les autres dans un {term}`conteneur` ({numref}`section %s <sec-sequential>`).
# `nn.Conv1d(1, 2, kernel_size=3)` fait glisser deux filtres de trois coefficients (plus
# un biais chacun) le long d'un signal : {glue:md}`conv_params` paramètres ; `nn.Conv2d`
# et `nn.Conv3d` font de même sur des images et des volumes (le `convXd` de l'énoncé).
# `nn.BatchNorm1d(4)` standardise ses quatre variables sur le mini-batch, puis apprend
# une échelle et un décalage par variable ({glue:md}`bn_params` paramètres) ;
# `nn.Dropout` éteint au hasard une partie des activations pendant l'apprentissage. Ces
# deux-là se comportent autrement en apprentissage (`model.train()`, le mode par défaut)
# et en évaluation (`model.eval()`, le mode que prend `evaluate` au chapitre 4). (L'énoncé
# écrit `ReLu` ; la classe s'appelle `nn.ReLU`.)
#
# ```{optional-start} module(X) plutôt que forward(X) ; les crochets et les deux modes
# ```
#
# On appelle un module comme une fonction, `module(X)`, et non `module.forward(X)`. Les
# deux rendent le même résultat, mais l'appel passe par `nn.Module.__call__`, qui exécute
# aussi les **crochets** (*hooks*) posés sur le module : des fonctions que PyTorch appelle
# avant ou après `forward`, par exemple pour relever les activations d'une couche.
# `forward` appelé directement les saute :

# %%
layer = nn.Linear(13, 4).to(device)
seen = []


def note_shape(module, inputs, output) -> None:
    """Crochet appelé après forward : note la forme de la sortie."""
    seen.append(tuple(output.shape))


handle = layer.register_forward_hook(note_shape)
same = torch.equal(layer(X_train), layer.forward(X_train))
print("même résultat :", same)
print("crochet appelé", len(seen), "fois pour 2 calculs :", seen)
handle.remove()

# %% [markdown]
# Le mode, lui, se propage à tous les sous-modules. La cellule suivante enchaîne une
# couche linéaire et un `nn.Dropout` avec `nn.Sequential(a, b)`, qui applique `a` puis
# `b` et range ses sous-modules dans une liste indexable (`dropout[0]` est la couche
# linéaire ; {numref}`section %s <sec-sequential>`) :

# %%
torch.manual_seed(0)
dropout = nn.Sequential(nn.Linear(13, 1), nn.Dropout(p=0.5))
dropout.to(device)
with torch.no_grad():
    for mode in ("train", "eval"):
        getattr(dropout, mode)()  # dropout.train(), puis .eval()
        same = torch.equal(dropout(X_train), dropout(X_train))
        print(
            f"{mode}() : training = {dropout[1].training!s:<5} ; "
            f"deux appels identiques ? {same}"
        )
    linear = dropout[0]  # la couche linéaire seule
    outputs = [linear.train()(X_train), linear.eval()(X_train)]
    print(
        "Linear seule, train() puis eval() : même sortie ?",
        torch.equal(*outputs),
    )

# %% [markdown]
# En mode apprentissage, deux appels de `Dropout` n'éteignent pas les mêmes activations ;
# en mode évaluation, il laisse tout passer. La couche linéaire, elle, se comporte de
# même dans les deux modes.
#
# ```{optional-end}
# ```
#
# (sec-reseau)=
# ## Le réseau à deux couches (question 2)
#
# Le réseau demandé enchaîne une couche linéaire $\mathbb{R}^{13} \to \mathbb{R}^{h}$, une
# tangente hyperbolique et une couche linéaire $\mathbb{R}^{h} \to \mathbb{R}$, avec
# $h = 32$ neurones cachés :
#
# $$
# \hat{y} = W_2 \tanh(W_1 \mathbf{x} + \mathbf{b}_1) + b_2 .
# $$
#
# Chaque couche est un module affecté à un attribut : elle s'inscrit comme **sous-module**
# (dans `_modules`), et ses paramètres deviennent ceux du réseau. `nn.Linear(d, p)` range
# son poids en **(sorties, entrées)**, de forme $(p, d)$, et calcule $XW^\top + \mathbf{b}$
# pour $n$ exemples en lignes : pour $p = 1$, sa sortie est une colonne $(n, 1)$.
#
# ````{exercise}
# :label: q2
# :nonumber:
# Avec les modules `torch.nn.Linear`, `torch.nn.Tanh` et `torch.nn.MSELoss`, écrivez le
# réseau linéaire → tanh → linéaire, avec un coût quadratique, puis la boucle de
# descente de gradient qui l'entraîne à l'aide d'un optimiseur (Adam, créé une fois) :
#
# ```python
# class TwoLayerNet(nn.Module):
#     """Linéaire → tanh → linéaire ; X (n, dim_in) → (n, 1)."""
#
#     def __init__(self, dim_in: int, hidden: int) -> None:
#         super().__init__()
#         ...  # À vous : les couches, dans des attributs
#
#     def forward(self, X: torch.Tensor) -> torch.Tensor:
#         ...  # À vous : linéaire → tanh → linéaire
#
#
# def train_net(net, X, y, num_epochs, batch_size, lr):
#     """Entraîne net sur (X, y) par Adam, en mini-batchs mélangés ;
#     rend le coût (MSE) de chaque pas."""
#     g = torch.Generator().manual_seed(0)
#     loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
#                         shuffle=True, generator=g)
#     loss_fn = nn.MSELoss()
#     losses = []
#     ...  # À vous : l'optimiseur, puis pour chaque époque et chaque
#     #      mini-batch : zero_grad(), coût, backward(), step(), et
#     #      losses.append(loss.item())
#     return losses
# ```
#
# Attention aux formes : la sortie du réseau est $(n, 1)$, la cible $(n,)$. La boucle est
# celle de l'exercice 4.a, par mini-batchs, que `fit` généralise
# ({numref}`section %s <sec-fit>`) : écrivez-la vous-même avant de la relire.
# ````
#
# ```{solution-start} q2
# :class: dropdown
# ```
#
# Une classe qui range ses trois couches dans des attributs, et la boucle des chapitres 3
# et 4. `squeeze(1)` accorde la sortie $(n, 1)$ du réseau à la cible $(n,)$.


# %% tags=["solution"]
class TwoLayerNet(nn.Module):
    """Linéaire → tanh → linéaire ; X (n, dim_in) → (n, 1)."""

    def __init__(self, dim_in: int, hidden: int) -> None:
        super().__init__()
        self.linear1 = nn.Linear(dim_in, hidden)
        self.activation = nn.Tanh()
        self.linear2 = nn.Linear(hidden, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.activation(self.linear1(X)))


def train_net(net, X, y, num_epochs, batch_size, lr):
    """Entraîne net sur (X, y) par Adam, en mini-batchs mélangés ;
    rend le coût (MSE) de chaque pas."""
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(
        TensorDataset(X, y),
        batch_size=batch_size,
        shuffle=True,
        generator=g,
    )
    loss_fn = nn.MSELoss()
    losses = []
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            loss = loss_fn(net(X_batch).squeeze(1), y_batch)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("q2", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Entraînons le réseau, avec $h = 32$ neurones cachés, 100 époques, des mini-batchs de
# 32 et $\eta = 10^{-2}$, et mesurons-le avec `evaluate` (chapitre 4) :

# %%
from tp2_src.training import (
    evaluate,
)  # MSE en mode eval(), sans graphe

hidden = 32
torch.manual_seed(0)  # mêmes valeurs initiales à chaque exécution
net = TwoLayerNet(13, hidden).to(device)
losses_net = train_net(
    net, X_train, y_train, num_epochs=100, batch_size=32, lr=1e-2
)
print(
    f"{len(losses_net)} pas ; MSE apprentissage "
    f"{evaluate(net, X_train, y_train):.3f}, validation "
    f"{evaluate(net, X_val, y_val):.3f}"
)

# %% [markdown]
# Le réseau a inscrit les paramètres de ses deux couches linéaires ; `Tanh` n'en a pas :

# %%
print(net)
for name, p in net.named_parameters():
    print(f"  {name:<15} {tuple(p.shape)}")
print(
    "paramètres au total :",
    sum(p.numel() for p in net.parameters()),
)

# %% [markdown]
# ```{optional-start} les couches linéaires du livre, et leurs formes
# ```
#
# Voici réunies les façons d'écrire une couche linéaire à $d$ entrées et $p$ sorties que
# le livre a rencontrées, car c'est avec `nn.Linear` que la convention change :
#
# | où | un exemple est | poids, forme | calcul |
# |---|---|---|---|
# | chapitre 1 (l'auto-encodeur de l'énoncé) | une colonne $\mathbf{x}$ | $\theta$, $(p, d)$ : (sorties, entrées) | $\theta\mathbf{x} + \mathbf{b}$ |
# | chapitre 2 (`LinearFunction`, comme au TME 1) | une ligne de $X$ | $W$, $(d, p)$ : (entrées, sorties) | $XW + \mathbf{b}$ |
# | chapitres 3 et 4 (régression, $p = 1$, écrite à la main) | une ligne de $X$ | $\mathbf{w}$, $(d,)$ | $X\mathbf{w} + b$ |
# | `nn.Linear(d, p)` (chapitres 4 et 5) | une ligne de $X$ | `weight` $= W$, $(p, d)$ : (sorties, entrées) | $XW^\top + \mathbf{b}$ |
#
# `nn.Linear` range donc son poids comme le $\theta$ du chapitre 1, une ligne par sortie,
# mais reçoit les exemples en lignes, comme la `LinearFunction` du chapitre 2 : d'où la
# transposée. La formule du réseau, écrite plus haut pour un exemple en colonne
# ($W_1\mathbf{x}$), suit le chapitre 1 ; le code la calcule pour $n$ exemples en lignes,
# $XW_1^\top$. Le `weight` transposé est la $W$ du chapitre 2 ; vérifions-le sur la
# première couche :

# %%
first = next(m for m in net.modules() if isinstance(m, nn.Linear))
W, bias = first.weight, first.bias
print("weight :", tuple(W.shape), "(sorties, entrées)")
print("weight.T :", tuple(W.T.shape), "= la W du chapitre 2")
with torch.no_grad():
    print(
        "nn.Linear = X weightᵀ + b :",
        torch.allclose(first(X_train), X_train @ W.T + bias),
    )

# %% [markdown]
# ```{optional-end}
# ```
#
# Pourquoi `squeeze(1)` ? Sans lui, `MSELoss` reçoit une prédiction $(n, 1)$ et une
# cible $(n,)$, les {term}`diffuse <diffusion>` (*broadcasting*) en une matrice $(n, n)$,
# et calcule la moyenne des $n^2$ écarts entre chaque prédiction et chaque cible : un
# coût faux. PyTorch prévient, mais ne s'arrête pas :

# %%
from tp2_src.display import (
    warning_summary,
)  # l'avertissement, lisible

loss_fn = nn.MSELoss()
with (
    warnings.catch_warnings(record=True) as caught,
    torch.no_grad(),
):
    warnings.simplefilter("always")
    wrong = loss_fn(net(X_train), y_train)  # (n, 1) contre (n,)
print(warning_summary(caught[0]))
print(
    "forme diffusée :",
    tuple(torch.broadcast_shapes((len(X_train), 1), y_train.shape)),
)
with torch.no_grad():
    right = loss_fn(net(X_train).squeeze(1), y_train)
print(f"coût diffusé {wrong:.2f}, coût juste {right:.2f}")

# %% tags=["remove-cell"]
assert len(caught) == 1 and wrong > 2 * right

# %% [markdown]
# (sec-sequential)=
# ## Le même réseau avec `nn.Sequential`
#
# `nn.Sequential` est un conteneur qui applique ses modules l'un après l'autre : plus
# besoin d'écrire `forward`.
#
# ````{exercise}
# :label: q2-sequential
# :nonumber:
# Écrivez maintenant le même réseau avec un conteneur, `torch.nn.Sequential`. Vérifiez
# qu'il a les mêmes paramètres et qu'il apprend de la même façon. Complétez
# `make_sequential` :
#
# ```python
# def make_sequential(dim_in, hidden):
#     """Le réseau de la question 2 dans un nn.Sequential."""
#     return nn.Sequential()  # À vous : les trois modules
# ```
#
# `nn.Sequential` prend ses modules un par un, `nn.Sequential(m1, m2, m3)` (ou un
# `OrderedDict` de modules nommés), et non une liste.
# ````
#
# ```{solution-start} q2-sequential
# :class: dropdown
# ```
#
# Les trois modules, dans l'ordre de la classe `TwoLayerNet` :


# %% tags=["solution"]
def make_sequential(dim_in, hidden):
    """Le réseau de la question 2 dans un nn.Sequential."""
    return nn.Sequential(
        nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1)
    )


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("q2-sequential", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Créé juste après la même graine, le `Sequential` tire les mêmes valeurs initiales dans
# le même ordre que `TwoLayerNet` ; entraîné par la même boucle, il donne les mêmes
# coûts :

# %%
torch.manual_seed(0)
seq = make_sequential(13, hidden).to(device)
print(seq)
torch.manual_seed(0)
net = TwoLayerNet(13, hidden).to(device)  # neuf, même graine
pairs = zip(net.named_parameters(), seq.named_parameters())
for (name_net, p_net), (name_seq, p_seq) in pairs:
    print(
        f"  {name_net:<15} ↔ {name_seq:<9} identiques : "
        f"{torch.equal(p_net, p_seq)}"
    )
losses_net, losses_seq = (
    train_net(
        model,
        X_train,
        y_train,
        num_epochs=100,
        batch_size=32,
        lr=1e-2,
    )
    for model in (net, seq)
)
same = losses_net == losses_seq
print(f"coûts identiques aux {len(losses_net)} pas : {same}")

# %% [markdown]
# Les paramètres sont les mêmes, à leurs noms près : dans `Sequential`, un sous-module est
# nommé par sa position (`0`, `1`, `2`), d'où `0.weight` et `2.bias` ; `Tanh` (position 1)
# n'a pas de paramètre.
#
# ## Les conteneurs, et le piège de la liste
#
# PyTorch propose trois conteneurs de modules ; tous inscrivent leurs modules, donc leurs
# paramètres :
#
# | conteneur | ce qu'il fait | quand s'en servir |
# |---|---|---|
# | `nn.Sequential` | applique ses modules dans l'ordre ; a un `forward` | une simple chaîne de couches |
# | `nn.ModuleList` | une liste de modules, **sans** `forward` | un nombre variable de couches que `forward` parcourt lui-même (boucle, connexions résiduelles…) |
# | `nn.ModuleDict` | un dictionnaire de modules, **sans** `forward` | des branches choisies par leur nom (plusieurs têtes, plusieurs activations) |
#
# ```{exercise} Question 2 (fin) — les conteneurs et leurs paramètres
# :label: q2-containers
# :nonumber:
# D'après la documentation, en quoi diffèrent les conteneurs `Sequential`, `ModuleList`
# et `ModuleDict` ? Que deviennent les paramètres des modules que l'on assemble ainsi ?
# ```
#
# ```{solution} q2-containers
# :class: dropdown
# `Sequential` applique ses modules dans l'ordre et a donc un `forward` ; `ModuleList` et
# `ModuleDict` ne font que ranger des modules (par position, ou par nom), et c'est le
# `forward` du module qui les contient qui dit comment s'en servir. Dans les trois cas,
# les paramètres des modules rangés sont **inscrits récursivement** : ils deviennent des
# paramètres du conteneur, puis du module qui le contient, nommés par leur chemin. Les
# rangements ci-dessous le montrent.
# ```
#
# Rangeons le même réseau de quatre façons, et comptons les paramètres que chacune
# inscrit (`torch.tanh` est la fonction que `nn.Tanh` enveloppe dans un module) :


# %%
class WithModuleList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            [nn.Linear(13, hidden), nn.Linear(hidden, 1)]
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers[1](torch.tanh(self.layers[0](X)))


class WithModuleDict(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = nn.ModuleDict(
            {
                "hidden": nn.Linear(13, hidden),
                "out": nn.Linear(hidden, 1),
            }
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers["out"](
            torch.tanh(self.layers["hidden"](X))
        )


class WithPlainList(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.layers = [
            nn.Linear(13, hidden),  # une liste Python :
            nn.Linear(hidden, 1),
        ]  # le piège

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers[1](torch.tanh(self.layers[0](X)))


from tp2_src.display import show_table  # un tableau Markdown

containers = {
    "Sequential": seq,
    "ModuleList": WithModuleList(),
    "ModuleDict": WithModuleDict(),
    "liste Python": WithPlainList(),
}
rows = []
for kind, model in containers.items():
    names = [name for name, _ in model.named_parameters()]
    size = sum(p.numel() for p in model.parameters())
    rows.append(
        [
            kind,
            len(names),
            size,
            len(model.state_dict()),
            ", ".join(f"`{n}`" for n in names) or "(aucun)",
        ]
    )
show_table(
    [
        "conteneur",
        "tenseurs",
        "scalaires",
        "clés du state_dict",
        "noms",
    ],
    rows,
)

# %% tags=["remove-cell"]
assert rows[-1][1] == 0 and all(r[1] == 4 for r in rows[:-1])
assert rows[-1][3] == 0 and all(r[3] == 4 for r in rows[:-1])

# %% [markdown]
# Un module affecté à un attribut, ou placé dans un `Sequential`, une `ModuleList` ou un
# `ModuleDict`, devient un sous-module. Un seul `Adam(model.parameters())` couvre donc
# tout le réseau, de même que `model.zero_grad()`, `model.to(device)`,
# `model.state_dict()` ou `model.train()`.
#
# Une **liste Python ordinaire** coupe cette récursion : `nn.Module` ne regarde pas à
# l'intérieur, et ses couches sont invisibles pour `parameters()`, donc pour
# l'optimiseur. Si le modèle n'a aucun autre paramètre, PyTorch signale au moins une liste
# de paramètres vide. Mais dès qu'il en a **un** autre, l'erreur disparaît, et les couches
# de la liste ne sont jamais entraînées :

# %%
from tp2_src.display import (
    error_summary,
)  # « Type : message », coupé

try:
    torch.optim.SGD(WithPlainList().parameters(), lr=0.01)
except ValueError as err:
    print(error_summary(err))


class PlainListWithShift(WithPlainList):
    def __init__(self) -> None:
        super().__init__()
        self.shift = nn.Parameter(torch.zeros(1))  # le seul inscrit

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return super().forward(X) + self.shift


torch.manual_seed(0)
trap = PlainListWithShift().to(device)
for (
    layer
) in trap.layers:  # .to(device) ne voit pas non plus la liste
    layer.to(device)
before = trap.layers[0].weight.detach().clone()
print(
    "paramètres vus par l'optimiseur :",
    [name for name, _ in trap.named_parameters()],
)


def train_mse(net: nn.Module) -> float:
    """La MSE du réseau sur tout le jeu d'apprentissage, sans graphe."""
    with torch.no_grad():
        return nn.functional.mse_loss(
            net(X_train).squeeze(1), y_train
        ).item()


mse_before = train_mse(trap)
train_net(
    trap, X_train, y_train, num_epochs=5, batch_size=32, lr=1e-2
)
mse_after = train_mse(trap)
print(
    f"MSE d'apprentissage : {mse_before:.1f} avant, "
    f"{mse_after:.1f} après 5 époques"
)
print(
    "poids de la 1re couche modifiés :",
    not torch.equal(before, trap.layers[0].weight),
)
print("décalage shift appris :", round(trap.shift.item(), 3))
print("clés du state_dict :", list(trap.state_dict()))

# %% tags=["remove-cell"]
assert torch.equal(before, trap.layers[0].weight)
drop = 1 - mse_after / mse_before
assert 0 < drop < 0.1  # « un peu » : moins d'un dixième
glue("trap_drop", 100 * drop, ".0f")

# %% [markdown]
# Le symptôme est sournois : l'apprentissage tourne, le coût baisse un peu
# ({glue:md}`trap_drop` %, grâce au seul décalage `shift`), et rien ne signale que les deux couches restent figées à leur
# initialisation ; `state_dict()` ne les sauvegarderait pas non plus. `nn.ModuleList`
# aurait suffi.
#
# ## Modèle linéaire contre réseau
#
# Comparons, sur le même découpage, le modèle linéaire (un `nn.Linear(13, 1)`) et le
# réseau, entraînés comme à la question 2 (Adam, mini-batchs de 32, même graine) par
# `fit`, la boucle du chapitre 4 : elle mesure à chaque époque la MSE d'apprentissage et
# de validation, et les journalise dans TensorBoard. Seul le taux d'apprentissage
# diffère : $\eta = 10^{-1}$ pour le modèle linéaire, dont le biais doit parcourir
# environ {glue:md}`y_mean` (le prix moyen) par déplacements d'environ $\eta$
# (chapitre 4), $\eta = 10^{-2}$ pour le réseau, comme plus haut. On les entraîne 600
# époques, pour voir ce qui se passe longtemps après la question 2.

# %%
from torch.utils.tensorboard import SummaryWriter
from tp2_src.logs import (
    fresh_run_dir,  # un dossier de journal vide, runs/<nom>
    read_scalars,  # relit les courbes d'un journal
)
from tp2_src.training import fit  # la boucle du chapitre 4


def train_model(name: str, num_epochs: int, writer=None):
    """Modèle `name` neuf (même graine), entraîné num_epochs époques."""
    torch.manual_seed(0)
    if name == "linéaire":
        model, lr = nn.Linear(13, 1).to(device), 1e-1
    else:
        model, lr = TwoLayerNet(13, hidden).to(device), 1e-2
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = fit(
        model,
        optimizer,
        X_train,
        y_train,
        evals={"val": (X_val, y_val)},
        num_epochs=num_epochs,
        batch_size=32,
        seed=0,
        writer=writer,
    )
    return model, history


histories, runs = {}, {}
for name in ("linéaire", "réseau"):
    run_dir = fresh_run_dir(f"modules-{name.replace('é', 'e')}")
    with SummaryWriter(run_dir) as writer:
        _, histories[name] = train_model(name, 600, writer=writer)
    runs[name] = read_scalars(run_dir)
for name, h in histories.items():
    for epoch in (0, 100, 300, 600):
        print(
            f"{name:<8} époque {epoch:>3} : MSE apprentissage "
            f"{h['train'][epoch]:7.3f}, "
            f"validation {h['val'][epoch]:7.3f}"
        )

# %% [markdown]
# À l'époque 100, `fit` retrouve les MSE du réseau `net` entraîné plus haut par
# `train_net` : même graine, mêmes mini-batchs, mêmes calculs.

# %%
mlp = histories["réseau"]
print(
    f"époque 100, fit : apprentissage {mlp['train'][100]:.3f}, "
    f"validation {mlp['val'][100]:.3f}"
)
print(
    f"question 2, net : apprentissage "
    f"{evaluate(net, X_train, y_train):.3f}, "
    f"validation {evaluate(net, X_val, y_val):.3f}"
)

# %% tags=["remove-cell"]
assert mlp["train"][100] == evaluate(net, X_train, y_train)
assert mlp["val"][100] == evaluate(net, X_val, y_val)

# %% tags=["hide-input", "remove-output"]
from matplotlib.lines import Line2D
from tp2_src.plots import plot_losses  # courbes d'un journal

fig, axes = plt.subplots(2, 1, figsize=(4.6, 5.8), sharex=True)
colors = {
    "loss/train": "C0",
    "loss/val": "C1",
}  # et traits : - et --
for ax, name, logy in zip(axes, runs, (False, True)):
    plot_losses(
        ax,
        {name: runs[name]},
        tags=tuple(colors),
        logy=logy,
        legend=False,
    )
    for line, color in zip(ax.get_lines(), colors.values()):
        line.set(color=color, linewidth=1.2)
    ax.get_lines()[0].set_zorder(3)  # l'apprentissage par-dessus
    ax.tick_params(
        which="both", labelsize=10
    )  # lisible sur un téléphone
axes[0].set(title="modèle linéaire", xlabel="", ylim=(18, 25))
axes[1].set(title="réseau à deux couches", ylim=(0.4, 60))
styles = [
    Line2D([], [], color=c, linestyle=s)
    for c, s in zip(colors.values(), ("-", "--"))
]
fig.legend(
    styles,
    ["apprentissage", "validation"],
    loc="lower center",
    ncol=2,
    frameon=False,
    fontsize=10.5,
)
fig.tight_layout(rect=(0, 0.05, 1, 1))


# %% tags=["remove-cell"]
glue_figure("fig_lineaire_reseau", fig)

# %% [markdown]
# ```{glue:figure} fig_lineaire_reseau
# :alt: Deux graphiques superposés, sur 600 époques, apprentissage en trait plein bleu, validation en tirets orange. En haut, le modèle linéaire, axe resserré de 18 à 25 : sa MSE d'apprentissage plafonne vers 19,7 avec quelques pointes ; celle de validation, plus agitée, oscille autour de 20,4, le plus souvent au-dessus. En bas, le réseau, en échelle logarithmique : sa MSE d'apprentissage descend sous 1 ; celle de validation descend vers 9, fluctue, puis remonte un peu dans les dernières centaines d'époques.
# :name: fig-lineaire-reseau
#
# MSE d'apprentissage (trait plein) et de validation (tirets) par époque, sur Boston, du
# modèle linéaire (en haut) et du réseau à deux couches (en bas, échelle logarithmique),
# courbes relues dans TensorBoard. En haut, l'axe est resserré sur le plateau : les
# premières époques en sortent. En bas, l'époque 0 (MSE proche de 600) sort du cadre.
# ```

# %% tags=["remove-cell"]
linear_h = histories["linéaire"]
best_epoch = min(range(len(mlp["val"])), key=mlp["val"].__getitem__)
glue("mlp_train_100", mlp["train"][100], ".2f")
glue("mlp_train_600", mlp["train"][600], ".2f")
glue("mlp_val_600", mlp["val"][600], ".2f")
glue("mlp_best_val", mlp["val"][best_epoch], ".2f")
glue(
    "mlp_val_rise",
    100 * (mlp["val"][600] / mlp["val"][best_epoch] - 1),
    ".0f",
)
glue("lin_train_600", linear_h["train"][600], ".1f")
glue("lin_val_600", linear_h["val"][600], ".1f")
assert (
    mlp["train"][100] / mlp["train"][600] > 4
)  # l'apprentissage baisse encore nettement
assert (
    mlp["val"][600] > 1.1 * mlp["val"][best_epoch]
    and best_epoch < 500
)  # elle remonte
# Ce que disent la légende et le texte alternatif de la figure.
for (
    h
) in histories.values():  # l'époque 0, hors du cadre, proche de 600
    assert all(500 < mse[0] < 700 for mse in (h["train"], h["val"]))
late_train, late_val = linear_h["train"][50:], linear_h["val"][50:]
assert all(
    18 < v < 25 for v in late_train + late_val
)  # dans le cadre du haut
median = [sorted(v)[len(v) // 2] for v in (late_train, late_val)]
assert [round(m, 1) for m in median] == [
    19.7,
    20.4,
]  # « vers 19,7 », « 20,4 »
above = sum(v > t for t, v in zip(late_train, late_val)) / len(
    late_train
)
assert above > 0.7  # « le plus souvent au-dessus »
assert (
    linear_h["train"][20] > 25
)  # les premières époques sortent du cadre
assert mlp["train"][600] < 1 and 8 < mlp["val"][best_epoch] < 10
assert all(
    0.4 < v < 60 for v in mlp["train"][20:] + mlp["val"][20:]
)

# %% [markdown]
# Le modèle linéaire plafonne vite ({glue:md}`lin_train_600` en apprentissage,
# {glue:md}`lin_val_600` en validation à l'époque 600). Le réseau descend bien plus bas en
# apprentissage, de {glue:md}`mlp_train_100` à l'époque 100 à {glue:md}`mlp_train_600` à
# l'époque 600 ({numref}`fig-lineaire-reseau`). Sa MSE de validation, elle, descend
# jusqu'à {glue:md}`mlp_best_val` en fluctuant, puis **remonte** : elle finit
# {glue:md}`mlp_val_rise` % au-dessus de son minimum. Le réseau apprend alors les
# particularités des {glue:md}`n_train` quartiers d'apprentissage au lieu d'une relation
# qui vaut aussi pour les autres : c'est le {term}`sur-apprentissage`.
#
# ```{optional-start} arrêter l'apprentissage au minimum de la validation
# ```
#
# On choisit donc l'époque d'arrêt **sur la validation** (son minimum), puis on
# réentraîne jusqu'à cette époque (même graine : mêmes nombres), et l'on ne mesure le test
# qu'une fois, sur le modèle retenu :

# %%
from tp2_src.french import french_number  # 16.66 → « 16,66 »
from tp2_src.linreg import (
    least_squares,  # l'optimum exact (w*, b*)
    linear_mse,  # ((X @ w + b - y) ** 2).mean()
)

sets = {
    "apprentissage": (X_train, y_train),
    "validation": (X_val, y_val),
    "test": (X_test, y_test),
}
final, rows = {}, []
for name, h in histories.items():
    best = min(range(len(h["val"])), key=h["val"].__getitem__)
    model, _ = train_model(name, best)  # réentraîné, même graine
    scores = {
        part: evaluate(model, *data) for part, data in sets.items()
    }
    final[name] = {"best": best, **scores}
    rows.append(
        [
            name,
            best,
            *(french_number(v, ".2f") for v in scores.values()),
        ]
    )
w_star, b_star = least_squares(X_train, y_train)  # l'optimum exact
reference = [
    linear_mse(X, y, w_star, b_star) for X, y in sets.values()
]
rows.append(
    [
        "moindres carrés",
        "—",
        *(french_number(v, ".2f") for v in reference),
    ]
)
columns = ["modèle", "époque choisie", *(f"MSE {p}" for p in sets)]
show_table(columns, rows)

# %% tags=["remove-cell"]
lin, net_final = final["linéaire"], final["réseau"]
lstsq_val, lstsq_test = reference[1], reference[2]
glue("mlp_best_epoch", net_final["best"], "d")
glue("lin_epoch", lin["best"], "d")
glue("lin_val", lin["validation"], ".2f")
glue("lin_test", lin["test"], ".2f")
glue("lstsq_val", lstsq_val, ".2f")
glue("lstsq_test", lstsq_test, ".2f")
glue("mlp_test", net_final["test"], ".2f")
glue("mlp_val", net_final["validation"], ".2f")
glue(
    "test_gain", 100 * (1 - net_final["test"] / lin["test"]), ".0f"
)
for (
    name,
    h,
) in (
    histories.items()
):  # réentraîné jusqu'à l'époque choisie : mêmes nombres
    assert (
        final[name]["validation"] == h["val"][final[name]["best"]]
    )
assert net_final["best"] == best_epoch
# Le réseau bat, en test, les deux ajustements linéaires du tableau.
assert net_final["test"] < min(lin["test"], lstsq_test)
assert (
    net_final["apprentissage"]
    < net_final["validation"]
    < net_final["test"]
)
assert lin["validation"] < lstsq_val and lin["test"] < lstsq_test

# %% [markdown]
# Réentraîné jusqu'à l'époque {glue:md}`mlp_best_epoch`, le réseau réduit la MSE de test
# de {glue:md}`lin_test` (modèle linéaire arrêté sur la validation) à {glue:md}`mlp_test`
# (−{glue:md}`test_gain` %), et fait mieux aussi que l'optimum des moindres carrés
# ({glue:md}`lstsq_test`) : sur ce découpage, il bat en test les deux ajustements
# linéaires du tableau. La couche cachée et la tangente hyperbolique lui permettent de
# représenter des effets non linéaires des variables sur le prix ; c'est l'explication la
# plus simple de l'écart, que ce tableau ne démontre pas à lui seul. Trois remarques pour
# le lire sans trop en conclure :
#
# - **Le modèle linéaire retenu fait mieux que l'optimum exact** sur la validation
#   ({glue:md}`lin_val` contre {glue:md}`lstsq_val`) et le test ({glue:md}`lin_test` contre
#   {glue:md}`lstsq_test`). Les moindres carrés minimisent l'erreur d’**apprentissage**, pas
#   celle des autres quartiers. Avec un taux constant, Adam s'agite autour de l'optimum
#   (chapitre 3), et parmi ses 600 états, celui de l'époque {glue:md}`lin_epoch`, choisi
#   sur la validation, est un peu moins ajusté à l'apprentissage et un peu meilleur
#   ailleurs. (Cet optimum diffère de celui du chapitre 3 : il est calculé sur
#   {glue:md}`n_train` quartiers au lieu de {glue:md}`n_train_ch3`.)
# - **La MSE de test du réseau ({glue:md}`mlp_test`) est bien plus haute que sa MSE de
#   validation ({glue:md}`mlp_val`).** Les deux jeux sont petits ({glue:md}`n_test` et
#   {glue:md}`n_val` quartiers) et différents ; et l'époque d'arrêt a été choisie pour
#   minimiser la MSE de validation, qui est donc une estimation optimiste. C'est pour cela que le
#   test reste à l'écart jusqu'au bout.
# - **Ces nombres viennent d'un seul découpage et d'une seule graine.** Avec
#   {glue:md}`mlp_params` paramètres pour {glue:md}`n_train` exemples d'apprentissage, le
#   réseau a bien plus de liberté que de données : d'un découpage à l'autre, son résultat
#   changerait, et l'écart de {glue:md}`test_gain` % n'est qu'une mesure, pas une loi.
#
# ```{optional-end}
# ```
#
# ## Résumé
#
# - Un `nn.Parameter` affecté à un attribut de module est inscrit automatiquement ;
#   `parameters()` et `named_parameters()` les listent, sous-modules compris. Un module n'a
#   pas de `backward` à écrire : autograd dérive son `forward`.
# - Le réseau linéaire → tanh → linéaire s'écrit en classe ou en `nn.Sequential` : mêmes
#   paramètres (noms mis à part), mêmes coûts depuis la même graine. `nn.Linear` range ses
#   poids en (sorties, entrées) et calcule $XW^\top + \mathbf{b}$ : sa sortie $(n, 1)$
#   s'aplatit en $(n,)$ avant le coût.
# - `Sequential`, `ModuleList` et `ModuleDict` inscrivent leurs modules ; une liste Python
#   ordinaire les cache à l'optimiseur, sans aucun message dès que le modèle a un autre
#   paramètre.
# - Sur Boston, le réseau descend bien plus bas que le modèle linéaire en apprentissage,
#   mais sa MSE de validation finit par remonter : le sur-apprentissage. On le juge sur un
#   jeu de validation, jamais sur le test.
#
# ## Questions
#
# ```{exercise} Exercice 5.a — compter les paramètres
# :label: ex-5a
# :nonumber:
# Vérifiez le nombre de paramètres du réseau $13 \to 32 \to 1$.
# ```
#
# ```{solution} ex-5a
# :class: dropdown
# Première couche : $13 \times 32$ poids et $32$ biais, soit $448$ ; seconde couche :
# $32$ poids et $1$ biais, soit $33$ ; total {glue:md}`mlp_params`, ce qu'affiche la
# {numref}`section %s <sec-reseau>`.
# ```
#
# ```{exercise} Exercice 5.b — liste de modules ou séquence ?
# :label: ex-5b
# :nonumber:
# Un réseau dont chaque couche ajoute son entrée à sa sortie (connexion résiduelle,
# $\mathbf{h}_{j+1} = \mathbf{h}_j + f_j(\mathbf{h}_j)$) peut-il s'écrire avec
# `Sequential` seul ?
# ```
#
# ```{solution} ex-5b
# :class: dropdown
# Non : `Sequential` ne sait que chaîner $f_j(\mathbf{h}_j)$. On range les $f_j$ dans une
# `ModuleList` (pour que leurs paramètres soient inscrits) et l'on écrit la boucle
# `for f in self.layers: h = h + f(h)` dans `forward`.
# ```

# %% tags=["remove-cell"]
glue(
    "mlp_params",
    sum(p.numel() for p in TwoLayerNet(13, hidden).parameters()),
    "d",
)

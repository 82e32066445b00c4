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
# ```{raw} latex
# \appendix
# ```
#
# (recapitulatif)=
# # Récapitulatif : la boucle d'apprentissage en une page
#
# Tout le TP aboutit à ces quelques lignes : un réseau, un coût, un optimiseur, des
# mini-batchs, et quatre gestes répétés à chaque pas. Le programme ci-dessous est complet
# et s'exécute tel quel (il est exécuté à chaque construction du livre) ; le commentaire de
# chaque ligne dit quel chapitre l'explique.

# %%
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter
from tp2_src.data import (
    boston_split,
)  # découpées, standardisées (ch. 3)
from tp2_src.logs import fresh_run_dir  # un journal neuf (ch. 3)

torch.manual_seed(
    0
)  # la graine : mêmes tirages, mêmes nombres (ch. 3)
X_train, y_train, X_test, y_test = (
    boston_split().tensors()
)  # (ch. 3)
loader = DataLoader(
    TensorDataset(X_train, y_train),  # mini-batchs (ch. 3)
    batch_size=32,
    shuffle=True,
)  # mélangés par époque
net = nn.Sequential(
    nn.Linear(13, 8),
    nn.Tanh(),  # (ch. 5, Q2)
    nn.Linear(8, 1),
)
loss_fn = nn.MSELoss()  # le coût (ch. 5)
optimizer = torch.optim.SGD(net.parameters(), lr=0.05)  # (ch. 4)
num_epochs = 50

with SummaryWriter(
    fresh_run_dir("recapitulatif")
) as writer:  # ch. 3
    for epoch in range(num_epochs):
        net.train()  # mode apprentissage (ch. 5)
        for X, y in loader:
            optimizer.zero_grad()  # efface .grad (ch. 2, 4)
            loss = loss_fn(net(X).squeeze(1), y)  # passe avant
            loss.backward()  # passe arrière : les .grad (ch. 1, 2)
            optimizer.step()  # un pas de gradient (ch. 4)
        net.eval()  # mode évaluation (ch. 5)
        with torch.no_grad():  # évaluer sans graphe (ch. 2)
            train = loss_fn(net(X_train).squeeze(1), y_train).item()
            test = loss_fn(net(X_test).squeeze(1), y_test).item()
        writer.add_scalar(
            "loss/train", train, epoch
        )  # (ch. 3, Q1.2)
        writer.add_scalar("loss/test", test, epoch)
print(
    f"après {num_epochs} époques : MSE d'apprentissage {train:.2f},"
    f" de test {test:.2f}"
)

# %% tags=["remove-cell"]
from tp2_src.glue import glue

glue("recap_test", test, ".2f")
# L'apprentissage a fait mieux, de loin, que prédire la moyenne des prix.
baseline = ((y_test - y_train.mean()) ** 2).mean().item()
assert test < baseline / 2, (test, baseline)

# %% [markdown]
# Après ces époques, la MSE de test vaut {glue:md}`recap_test`. Ce que chaque ligne
# demande, et où le livre l'explique :
#
# | ligne | pourquoi | chapitre |
# | --- | --- | --- |
# | `boston_split()` | découper **puis** standardiser, sur le seul jeu d'apprentissage | {ref}`3 <chap-regression>` |
# | `DataLoader(..., shuffle=True)` | un pas par mini-batch, dans un ordre nouveau à chaque époque | {ref}`3 <chap-regression>` |
# | `nn.Sequential(...)` | les paramètres des couches sont ceux du réseau : `net.parameters()` | {ref}`5 <chap-modules>` |
# | `optimizer.zero_grad()` | `backward()` **ajoute** à `.grad` : sans remise à zéro, les gradients s'accumulent | {ref}`2 <chap-autograd>`, {ref}`4 <chap-optim>` |
# | `net(X).squeeze(1)` | la sortie (n, 1) devient (n,), la forme de `y` : sinon `MSELoss` diffuserait en (n, n) | {ref}`5 <chap-modules>` |
# | `loss.backward()` | la règle de dérivation en chaîne, nœud par nœud, du coût vers les feuilles | {ref}`1 <chap-graphe>`, {ref}`2 <chap-autograd>` |
# | `optimizer.step()` | $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$ (ou moment, Adam…) | {ref}`4 <chap-optim>` |
# | `net.train()`, `net.eval()` | Dropout, BatchNorm… se comportent selon le mode | {ref}`5 <chap-modules>` |
# | `torch.no_grad()` | mesurer sans enregistrer de graphe | {ref}`2 <chap-autograd>` |
# | `torch.manual_seed(0)` | la graine : les mêmes tirages (initialisation, mélanges) à chaque exécution | {ref}`3 <chap-regression>` |
# | `writer.add_scalar(...)` | une courbe par étiquette, que TensorBoard affiche | {ref}`3 <chap-regression>` |

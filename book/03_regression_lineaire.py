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
# (chap-regression)=
# # Régression linéaire par descente de gradient
#
# ```{admonition} Objectifs
# :class: tip
# **Durée** : {reading-time}`lecture` de lecture, sans les encadrés facultatifs ; plus les
# exercices. **Énoncé** : la question 1 de la partie 2 (questions 1.1, 1.2 et 1.3).
#
# À la fin de ce chapitre, vous saurez :
# - lire les données Boston Housing, les découper et les standardiser avec scikit-learn ;
# - écrire une descente de gradient **batch** avec autograd, sans contexte ni dérivée
#   écrite à la main (question 1.1), et la suivre dans **TensorBoard** (question 1.2) ;
# - choisir le taux d'apprentissage $\eta$ : la limite de stabilité $2/\lambda_{\max}$ ;
# - écrire les descentes **stochastique** et **mini-batch** avec un `DataLoader`, et les
#   comparer en époques et en pas de gradient, face à la solution exacte des moindres
#   carrés (question 1.3).
# ```

# %%
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.linear_model import LinearRegression
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter

# tp2_src, le paquet du livre : ici, ce qui n'est pas la leçon ; le
# code de la leçon est montré là où il sert d'abord.
from tp2_src.data import BOSTON_CSV, load_boston
from tp2_src.device import get_device, make_deterministic
from tp2_src.display import error_summary, show_table
from tp2_src.french import french_number
from tp2_src.logs import fresh_run_dir, read_scalars
from tp2_src.plots import legend_below, plot_losses

make_deterministic(seed=0)  # mêmes nombres à chaque exécution
device = get_device()  # CUDA s'il y en a une, sinon le processeur

# %% [markdown]
# `make_deterministic` fixe la {term}`graine` des tirages aléatoires (`torch.manual_seed`) ;
# `get_device` choisit la carte graphique s'il y en a une, sinon le processeur. Les autres
# fonctions ne font qu'afficher : un tableau, le message d'une erreur, un nombre à la
# française, des courbes.

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs collées,
# vérification de ce qu'annonce la prose.
from tp2_src.glue import (
    glue,
    glue_figure,
    glue_text,
)
from tp2_src.style import french_log_axis, setup_chapter

setup_chapter()  # figures, et l'environnement que cite la note de fin de page

# %% [markdown]
# ## Les données : Boston Housing
#
# Le jeu de données décrit 506 quartiers de la région de Boston en 1970 par 13 variables
# (taux de criminalité `CRIM`, nombre moyen de pièces `RM`, part de population modeste
# `LSTAT`…). La cible `MEDV` est la valeur médiane des logements, en milliers de dollars.
# Il vient d'une étude de D. Harrison et D. L. Rubinfeld (1978). scikit-learn l'a retiré
# en version 1.2 ; `tp2_src` en livre une copie exacte, dont l’{term}`empreinte` est
# vérifiée à chaque chargement.
#
# ```{admonition} Un jeu de données controversé
# :class: warning
# La variable `B` vaut $1000\,(B_k - 0{,}63)^2$, où $B_k$ est la proportion de population
# noire du quartier : les auteurs supposaient qu'une ségrégation raciale ferait varier les
# prix. C'est pour ce problème éthique que scikit-learn a retiré ce jeu de données. Nous
# ne l'utilisons que pour comparer des algorithmes d'optimisation : il ne faut en tirer
# aucune conclusion sur les prix ou les populations.
# ```
#
# Le fichier est un CSV : une ligne donne le nombre d'exemples et de variables, la
# suivante les noms des colonnes, puis viennent les 506 exemples. NumPy le lit :

# %%
with open(BOSTON_CSV, encoding="utf-8") as f:
    header = f.readline().strip().split(",")[:2]
    names = [
        name.strip('"') for name in f.readline().strip().split(",")
    ]
table = np.loadtxt(
    BOSTON_CSV, delimiter=",", skiprows=2, dtype=np.float32
)
print("annoncé :", header, "| lu :", table.shape)
print("colonnes :", " ".join(names))

# %% [markdown]
# Les 13 premières colonnes sont les variables, la dernière la cible. `load_boston` (de
# `tp2_src.data`) fait la même lecture, après avoir vérifié l'empreinte du fichier, et
# rend des tenseurs :

# %%
data = load_boston()
print("X :", tuple(data.X.shape), "; y :", tuple(data.y.shape))
print(
    "mêmes nombres que NumPy :",
    np.array_equal(data.X.numpy(), table[:, :13]),
    np.array_equal(data.y.numpy(), table[:, 13]),
)
print(
    f"MEDV : de {data.y.min():.1f} à {data.y.max():.1f} k$, "
    f"moyenne {data.y.mean():.2f} k$"
)

# %% [markdown]
# ## Découper et standardiser
#
# On garde 20 % des quartiers pour le {term}`jeu de test <jeu d'apprentissage, de validation, de test>`,
# tirés au hasard par `train_test_split` de scikit-learn, avec une graine fixe
# (`random_state`). Puis on **standardise** chaque variable : on lui retire sa moyenne et
# on la divise par son écart-type (`StandardScaler` de scikit-learn). Ces statistiques
# viennent du **seul jeu d'apprentissage** : calculées sur tout le jeu, elles laisseraient
# fuir de l'information du test. La cible n'est pas transformée : les MSE restent en k$².
# La fonction `boston_split` fait tout cela ; les chapitres 4 et 5 la reprennent, le
# second avec un jeu de validation (`val_size`). Elle range les tenseurs dans un `Split`,
# dont `tensors()` rend les quatre premiers d'un coup :
#
# ```{literalinclude} ../tp2_src/data.py
# :pyobject: boston_split
# :language: python
# :caption: tp2_src/data.py
# ```
#
# ```{literalinclude} ../tp2_src/data.py
# :pyobject: Split
# :language: python
# :caption: tp2_src/data.py
# ```

# %%
from tp2_src.data import boston_split

split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
print(
    "apprentissage :",
    tuple(X_train.shape),
    "; test :",
    tuple(X_test.shape),
)
means, stds = X_train.mean(0), X_train.std(0, unbiased=False)
print(
    f"standardisées : |moyennes| ≤ {means.abs().max():.1e}, "
    f"écarts-types de {stds.min():.4f} à {stds.max():.4f}"
)

# %% [markdown]
# ## Descente de gradient batch avec autograd (questions 1.1 et 1.2)
#
# Le modèle est $\hat{y} = X\mathbf{w} + b$, et le coût, l'erreur quadratique moyenne sur
# les $n$ exemples, $\ell(\mathbf{w}, b) = \frac{1}{n}\lVert X\mathbf{w} + b -
# \mathbf{y}\rVert^2$. Au TME 1, il fallait écrire la passe arrière de chaque fonction et
# passer un contexte. Ici, `w` et `b` sont de simples {term}`feuilles <feuille>` avec
# `requires_grad=True` : autograd enregistre le graphe pendant le calcul du coût, et
# `loss.backward()` remplit `w.grad` et `b.grad`.
#
# Un {term}`pas de gradient` de la {term}`descente de gradient` **batch** utilise tout le
# jeu d'apprentissage :
#
# 1. passe avant : prédictions et coût ;
# 2. passe arrière : `loss.backward()` ;
# 3. mise à jour $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$ (et de
#    même pour $b$), où $\eta$ est le {term}`taux d'apprentissage` (`lr` dans le code),
#    **sous `torch.no_grad()`** : la mise à jour ne doit pas entrer dans le graphe ;
# 4. remise à zéro des gradients, sinon ils s'accumulent (chapitre 2).
#
# On compte en {term}`époques <époque>` : une époque est un passage complet sur le jeu
# d'apprentissage. En descente batch, une époque est donc un seul pas (la
# {numref}`section %s <sec-stochastique>` change cela). Pour suivre la
# descente, on mesure le coût à chaque époque avec `linear_mse`, sans graphe : mesurer ne
# doit rien changer à la passe arrière.
#
# ```{literalinclude} ../tp2_src/linreg.py
# :pyobject: linear_mse
# :language: python
# :caption: tp2_src/linreg.py
# ```

# %%
from tp2_src.linreg import linear_mse

w_zero = torch.zeros(X_train.shape[1], device=device)
b_zero = torch.zeros((), device=device)
print(
    "MSE d'apprentissage en w = 0, b = 0 :",
    round(linear_mse(X_train, y_train, w_zero, b_zero), 2),
)

# %% [markdown]
# ### Journaliser avec TensorBoard
#
# Pour suivre un apprentissage, on écrit à chaque époque les coûts dans un {term}`journal`
# que TensorBoard affiche. PyTorch l'écrit avec un `SummaryWriter(dossier)` : chaque
# `writer.add_scalar(étiquette, valeur, pas)` ajoute un point à la courbe de cette
# étiquette. Ouvert par un bloc `with`, le journal est fermé, donc écrit sur le disque, à
# la sortie du bloc. Un essai sur trois points :

# %%
run_dir = fresh_run_dir("essai")  # runs/essai, vidé s'il existait
with SummaryWriter(run_dir) as writer:
    for step in range(3):
        writer.add_scalar("essai/carré", step**2, step)
print([path.name[:20] + "…" for path in run_dir.iterdir()])
print(read_scalars(run_dir))

# %% [markdown]
# Le dossier contient un fichier d'événements. `fresh_run_dir(nom)` (de `tp2_src.logs`)
# rend le dossier `runs/<nom>`, vidé : sans cela, un second essai y ajouterait un second
# fichier, et TensorBoard mêlerait leurs courbes. `read_scalars` relit le journal avec le
# lecteur de TensorBoard lui-même, et rend, pour chaque étiquette, les pas et les valeurs.
#
# ````{exercise}
# :label: q1-1
# :nonumber:
# Reprenez la régression linéaire du TME 1, sans contexte ni passe arrière écrite à la
# main : les paramètres sont des tenseurs feuilles, et autograd calcule leur gradient.
# Complétez la fonction `batch_descent`, qui fait `num_epochs` pas de descente **batch**
# de taux `lr` sur `(X_train, y_train)` et journalise les deux coûts à chaque époque :
#
# ```python
# def batch_descent(X_train, y_train, X_test, y_test,
#                   lr, num_epochs, writer):
#     """Descente batch depuis w = 0, b = 0 ; journalise loss/train
#     et loss/test dans writer à chaque époque ; rend (w, b)."""
#     w = torch.zeros(X_train.shape[1], device=X_train.device,
#                     requires_grad=True)
#     b = torch.zeros((), device=X_train.device, requires_grad=True)
#     for epoch in range(num_epochs + 1):
#         if epoch > 0:  # l'époque 0 : le point de départ
#             ...  # À vous : passe avant, backward(), mise à jour
#             #      sous torch.no_grad(), remise à zéro
#         writer.add_scalar("loss/train",
#                           linear_mse(X_train, y_train, w, b), epoch)
#         writer.add_scalar("loss/test",
#                           linear_mse(X_test, y_test, w, b), epoch)
#     return w, b
# ```
# ````
#
# ```{solution-start} q1-1
# :class: dropdown
# ```
#
# Les quatre étapes, une fois par époque :


# %% tags=["solution"]
def batch_descent(
    X_train, y_train, X_test, y_test, lr, num_epochs, writer
):
    """Descente batch depuis w = 0, b = 0 ; journalise loss/train
    et loss/test dans writer à chaque époque ; rend (w, b)."""
    w = torch.zeros(
        X_train.shape[1], device=X_train.device, requires_grad=True
    )
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    for epoch in range(num_epochs + 1):
        if epoch > 0:  # l'époque 0 : le point de départ
            # 1. passe avant
            loss = ((X_train @ w + b - y_train) ** 2).mean()
            loss.backward()  # 2. passe arrière : w.grad, b.grad
            with torch.no_grad():  # 3. mise à jour, hors du graphe
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()  # 4. remise à zéro : sinon le gradient
            b.grad.zero_()  # suivant s'y ajouterait
        writer.add_scalar(
            "loss/train", linear_mse(X_train, y_train, w, b), epoch
        )
        writer.add_scalar(
            "loss/test", linear_mse(X_test, y_test, w, b), epoch
        )
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("q1-1", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# L'énoncé laisse le choix : la passe avant peut aussi utiliser **vos propres
# fonctions** du TME 1, comme `LinearFunction` et `MSEFunction` du chapitre 2. Autograd
# appelle alors leurs `backward`, sans autre changement dans la boucle. Au même point,
# les deux passes avant donnent les mêmes gradients :

# %%
from tp2_src.functions import (
    LinearFunction,
    MSEFunction,
)  # chapitre 2

g = torch.Generator().manual_seed(0)
w = (
    torch.randn(X_train.shape[1], generator=g)
    .to(device)
    .requires_grad_()
)
b = torch.tensor(1.0, device=device, requires_grad=True)

((X_train @ w + b - y_train) ** 2).mean().backward()  # par PyTorch
grads_torch = [w.grad.clone(), b.grad.clone()]
w.grad, b.grad = None, None

# Nos Functions : W de forme (d, 1), b de forme (1,), y de forme (n, 1)
y_hat = LinearFunction.apply(X_train, w[:, None], b.reshape(1))
loss = MSEFunction.apply(y_hat, y_train[:, None])
loss.backward()
print("nœud du coût :", type(loss.grad_fn).__name__)
print(
    "mêmes gradients :",
    torch.allclose(w.grad, grads_torch[0], atol=1e-5),
    torch.allclose(b.grad, grads_torch[1], atol=1e-5),
)

# %% tags=["remove-cell"]
assert torch.allclose(w.grad, grads_torch[0], atol=1e-5)
assert torch.allclose(b.grad, grads_torch[1], atol=1e-5)

# %% [markdown]
# ````{exercise}
# :label: q1-2
# :nonumber:
# Appliquez votre descente aux données de Boston Housing ($\eta = 0{,}1$, 100 époques),
# en journalisant dans TensorBoard les coûts d'apprentissage et de test : un
# `SummaryWriter(chemin)` pour créer le journal, puis seulement `add_scalar` (c'est
# `batch_descent` qui l'appelle). Complétez `boston_log` :
#
# ```python
# def boston_log(run_dir):
#     """La descente de la question 1.1 sur Boston Housing (η = 0,1,
#     100 époques), journalisée dans run_dir ; rend (w, b)."""
#     ...  # À vous : un SummaryWriter sur run_dir (bloc with), et
#     #      la descente qui y journalise
# ```
# ````
#
# ```{solution-start} q1-2
# :class: dropdown
# ```
#
# Le journal, ouvert par un bloc `with`, et la descente qui y écrit :


# %% tags=["solution"]
def boston_log(run_dir):
    """La descente de la question 1.1 sur Boston Housing (η = 0,1,
    100 époques), journalisée dans run_dir ; rend (w, b)."""
    with SummaryWriter(run_dir) as writer:  # fermé en fin de bloc
        w, b = batch_descent(
            X_train,
            y_train,
            X_test,
            y_test,
            lr=0.1,
            num_epochs=100,
            writer=writer,
        )
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("q1-2", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Lançons la descente, journalisée dans `runs/q1-batch`, puis relisons le journal :

# %%
run_dir = fresh_run_dir("q1-batch")
w, b = boston_log(run_dir)
logged = read_scalars(run_dir)
for tag, (steps, values) in logged.items():
    print(
        f"{tag} : {len(steps)} points, époques {steps[0]} à "
        f"{steps[-1]}, de {values[0]:.1f} à {values[-1]:.3f}"
    )

# %% [markdown]
# Pour suivre les courbes pendant l'apprentissage, lancez TensorBoard dans un terminal,
# depuis le dossier qui contient `runs/`, puis ouvrez l'adresse qu'il affiche
# (http://localhost:6006) :
#
# ```bash
# tensorboard --logdir runs
# ```
#
# ```{only} html
# Depuis le dépôt du livre, `nox -s tensorboard` le lance sur les journaux des chapitres.
# ```
#
# La {numref}`fig-tensorboard` montre ce que l'on voit alors : à gauche, les expériences
# (un dossier de `runs/` chacune), à droite une carte par étiquette. TensorBoard
# **lisse** les courbes par défaut (réglage « Smoothing ») : la courbe pâle est la valeur
# journalisée, la courbe vive sa moyenne glissante.
#
# ```{figure} images/tensorboard.png
# :name: fig-tensorboard
# :figclass: capture-ecran
# :target: ../_images/tensorboard.png
# :alt: Capture de l'interface de TensorBoard, onglet Time Series. À gauche, la liste des expériences cochées : q1-batch, q1-mini-batch et q1-stochastique, chacune avec sa couleur. À droite, deux cartes de courbes, loss/test et loss/train : les trois courbes chutent pendant les vingt premières époques puis restent à plat jusqu'à l'époque 100 ; sous chaque carte, un tableau donne pour chaque expérience la valeur lissée, la valeur brute et le pas.
#
# L'interface de TensorBoard sur les journaux de la question 1 (capture d'écran d'un vrai
# serveur TensorBoard).
# ```
#
# Le livre, lui, trace les courbes relues dans le journal, sans lissage
# ({numref}`fig-q12`).

# %% tags=["remove-output"]
fig, ax = plt.subplots(figsize=(7, 3.8))
plot_losses(ax, {"batch (question 1.2)": logged})
ax.set_title("Coûts journalisés dans TensorBoard, relus")
fig.tight_layout()


# %% tags=["remove-cell"]
glue_figure("fig_q12", fig)

# %% [markdown]
# ```{glue:figure} fig_q12
# :alt: Deux courbes décroissantes en échelle logarithmique sur 100 époques : la MSE d'apprentissage descend continûment, la MSE de test descend aussi puis se stabilise un peu plus haut.
# :name: fig-q12
#
# Question 1.2 : les coûts d'apprentissage (trait plein) et de test (tirets) de la
# descente batch, à chaque époque, relus dans le journal TensorBoard (MSE en échelle
# logarithmique).
# ```

# %% tags=["remove-cell"]
train_q12 = logged["loss/train"][1]
assert all(
    b < a for a, b in zip(train_q12, train_q12[1:])
)  # baisse à chaque époque
test_q12 = logged["loss/test"][1]
assert test_q12[-1] < test_q12[0] and test_q12[-1] > train_q12[-1]

# %% [markdown]
# Le coût d'apprentissage baisse à chaque époque, comme on l'attend d'une descente batch
# avec un taux d'apprentissage assez petit (la section suivante dit « assez petit » par
# rapport à quoi). Le coût de test baisse aussi, puis se stabilise plus haut : le modèle a
# été ajusté aux quartiers d'apprentissage, et ceux du test sont d'autres quartiers.
#
# ```{optional-start} pourquoi la mise à jour sous torch.no_grad()
# ```
#
# La mise à jour n'est pas un calcul à dériver. Si autograd l'enregistrait, `w`
# deviendrait le résultat d'une opération, avec un `grad_fn` : ce ne serait plus une
# feuille, et il ne recevrait plus de `.grad` (chapitre 2). PyTorch refuse donc de
# modifier sur place, hors de `torch.no_grad()`, une feuille qui demande un gradient :

# %%
w_leaf = torch.zeros(13, device=device, requires_grad=True)
loss = ((X_train @ w_leaf - y_train) ** 2).mean()
loss.backward()
try:
    w_leaf -= 0.1 * w_leaf.grad
except RuntimeError as err:
    print(error_summary(err, width=70))  # la largeur de l'encadré

# %% [markdown]
# ```{optional-end}
# ```

# %% [markdown]
# (sec-taux)=
# ## Choisir le taux d'apprentissage
#
# Pourquoi $\eta = 0{,}1$, et jusqu'où peut-on aller ? Écrivons
# $\boldsymbol{\beta} = (\mathbf{w}, b)$ et $A = [X, \mathbf{1}]$, la matrice des données
# complétée d'une colonne de 1 (elle porte le biais). Le coût
# $\ell(\boldsymbol{\beta}) = \frac{1}{n}\lVert A\boldsymbol{\beta} - \mathbf{y}\rVert^2$
# est quadratique : sa {term}`hessienne`
#
# $$
# H = \nabla^2\ell = \tfrac{2}{n}A^\top A
# $$
#
# ne dépend pas de $\boldsymbol{\beta}$. D'où la règle : **la
# descente batch converge si et seulement si $0 < \eta < 2/\lambda_{\max}$**, où
# $\lambda_{\max}$ est la plus grande valeur propre de $H$ ; au-delà, elle diverge (un
# encadré, plus bas, le démontre). `mse_hessian` calcule $H$, et `least_squares`
# l'optimum $\boldsymbol{\beta}^\star$ : la solution exacte des moindres carrés, obtenue
# sans descente, qui servira de référence jusqu'à la fin du chapitre.
#
# ```{literalinclude} ../tp2_src/linreg.py
# :pyobject: mse_hessian
# :language: python
# :caption: tp2_src/linreg.py
# ```
#
# ```{literalinclude} ../tp2_src/linreg.py
# :pyobject: least_squares
# :language: python
# :caption: tp2_src/linreg.py
# ```

# %%
from tp2_src.linreg import least_squares, mse_hessian

w_star, b_star = least_squares(X_train, y_train)  # l'optimum β*
optimum = linear_mse(X_train, y_train, w_star, b_star)
print(f"à l'optimum, MSE d'apprentissage {optimum:.3f}")
eigenvalues = torch.linalg.eigvalsh(mse_hessian(X_train.double()))
lam_min, lam_max = (
    eigenvalues.min().item(),
    eigenvalues.max().item(),
)
limit = 2 / lam_max
print(f"λ_max = {lam_max:.4g} : stable pour η < {limit:.3g}")

# %% [markdown]
# Vérifions la règle avec `batch_descent`, pour quatre taux, de trop petit à trop grand :
# chaque descente est journalisée, puis relue.

# %%
learning_rates = {
    "trop petit": 0.01,
    "bon": 0.1,
    "sous la limite": 0.95 * limit,
    "au-dessus": 1.25 * limit,
}
sweep = {}  # la MSE d'apprentissage de chaque époque, par taux
for label, rate in learning_rates.items():
    run_dir = fresh_run_dir(f"taux-{rate:.3f}")
    with SummaryWriter(run_dir) as writer:
        batch_descent(
            X_train,
            y_train,
            X_test,
            y_test,
            lr=rate,
            num_epochs=150,
            writer=writer,
        )
    sweep[label] = read_scalars(run_dir)["loss/train"][1]
for label, mse in sweep.items():
    finite = [v for v in mse if math.isfinite(v)]
    if len(finite) < len(mse):
        result = f"coût infini dès l'époque {len(finite)}"
    else:
        gap = 100 * (mse[-1] / optimum - 1)
        result = (
            f"MSE {mse[-1]:.4g}, {gap:.3g} % de plus que l'optimum"
        )
    print(f"η = {learning_rates[label]:.3f} ({label}) : {result}")

# %% tags=["remove-cell", "setup"]
TOP = 1e3  # l'axe s'arrête là : au-delà, une courbe diverge
fig, ax = plt.subplots(figsize=(7, 3.8))
for label, mse in sweep.items():
    gap = [
        max(v / optimum - 1, 1e-9) if math.isfinite(v) else math.inf
        for v in mse
    ]
    rate = french_number(learning_rates[label], ".3f")
    (line,) = ax.plot(
        range(len(gap)), gap, label=f"η = {rate} ({label})"
    )
    out = next((e for e, v in enumerate(gap) if v > TOP), None)
    if out is not None:  # la courbe sort par le haut : on le marque
        ax.plot(
            [out],
            [TOP],
            marker="^",
            color=line.get_color(),
            markersize=9,
            clip_on=False,
        )
        ax.annotate(
            f"sort du cadre à l'époque {out} : le coût diverge",
            xy=(out, TOP),
            xytext=(16, 250),
            color=line.get_color(),
            va="center",
            arrowprops={
                "arrowstyle": "->",
                "color": line.get_color(),
            },
        )
ax.set_ylim(1e-5, TOP)
ax.set_yscale("log")
ax.set_xlabel("époque")
ax.set_ylabel("écart relatif à l'optimum")
french_log_axis(ax, which="y")
ax.grid(True, which="major", alpha=0.3)
legend_below(fig, ax)
glue_figure("fig_taux", fig)

diverged_at = len(
    [v for v in sweep["au-dessus"] if math.isfinite(v)]
)
left_at = next(
    e
    for e, v in enumerate(sweep["au-dessus"])
    if not v <= (1 + TOP) * optimum
)

# %% [markdown]
# ```{glue:figure} fig_taux
# :alt: Écart relatif à l'optimum par époque, axe vertical logarithmique de 10⁻⁵ à 10³. η = 0,01 décroît lentement ; η = 0,1 décroît vite ; juste sous la limite, l'écart décroît plus vite encore ; au-dessus de la limite, l'écart baisse d'abord, puis remonte en ligne droite et sort du cadre par le haut, où un triangle marque l'époque de sortie.
# :name: fig-taux
#
# Descente batch pour quatre taux d'apprentissage $\eta$ autour de la limite de stabilité
# $2/\lambda_{\max}$ : écart relatif de la MSE d'apprentissage à l'optimum,
# $(\ell - \ell^\star)/\ell^\star$, à chaque époque (échelle logarithmique). Au-dessus de
# la limite, la courbe sort du cadre (triangle) : le coût croît sans fin.
# ```

# %% tags=["remove-cell"]
glue("optimum_train", optimum, ".2f")
glue("lr_limit", limit, ".3f")
glue("lr_best", 2 / (lam_max + lam_min), ".3f")
glue("condition", lam_max / lam_min, ".0f")
glue("diverged_epoch", diverged_at, "d")
glue("left_epoch", left_at, "d")
glue(
    "factor_above",
    abs(1 - learning_rates["au-dessus"] * lam_max),
    ".1f",
)
gaps = {
    label: 100 * (mse[-1] / optimum - 1)
    for label, mse in sweep.items()
}
glue("gap_small", gaps["trop petit"], ".1f")
glue("gap_good", gaps["bon"], ".2f")
glue("gap_edge", gaps["sous la limite"], ".3f")
assert (
    gaps["trop petit"]
    > 10 * gaps["bon"]
    > 10 * gaps["sous la limite"]
    > 0
)
assert diverged_at < 150 and all(
    math.isfinite(v) for v in sweep["sous la limite"]
)
edge = sweep["sous la limite"]
assert all(
    b < a for a, b in zip(edge, edge[1:])
)  # sous la limite, le coût baisse toujours
above = sweep["au-dessus"]
assert (
    above[1] < above[0] < above[left_at]
)  # baisse d'abord, puis explose
assert all(
    b > a
    for a, b in zip(
        above[left_at:diverged_at], above[left_at + 1 : diverged_at]
    )
)

# %% [markdown]
# Après 150 époques, le taux trop petit reste à {glue:md}`gap_small` % au-dessus de
# l'optimum, contre {glue:md}`gap_good` % pour $\eta = 0{,}1$ et {glue:md}`gap_edge` %
# juste sous la limite ({glue:md}`lr_limit`). Au-dessus de la limite, le coût baisse
# d'abord, puis croît sans fin : il sort du cadre de la figure à l'époque
# {glue:md}`left_epoch`, et n'est plus un nombre fini à partir de l'époque
# {glue:md}`diverged_epoch`. Nous gardons $\eta = 0{,}1$ : un choix prudent, sous la
# limite.
#
# ```{optional-start} la limite de stabilité, démontrée
# ```
#
# Le gradient $\nabla\ell(\boldsymbol{\beta}) = \tfrac{2}{n}A^\top(A\boldsymbol{\beta} -
# \mathbf{y})$ est affine en $\boldsymbol{\beta}$, et il s'annule à l'optimum
# $\boldsymbol{\beta}^\star$ : il vaut donc
# $\nabla\ell(\boldsymbol{\beta}) = H(\boldsymbol{\beta} - \boldsymbol{\beta}^\star)$, et un
# pas de descente batch donne
#
# $$
# \boldsymbol{\beta}_{t+1} - \boldsymbol{\beta}^\star
# = (I - \eta H)\,(\boldsymbol{\beta}_t - \boldsymbol{\beta}^\star).
# $$
#
# $H$ est symétrique : dans la base de ses vecteurs propres, chaque composante de l'erreur
# est multipliée à chaque pas par $1 - \eta\lambda_i$. L'erreur tend vers 0 si et
# seulement si $|1 - \eta\lambda_i| < 1$ pour toutes les valeurs propres (ici toutes
# positives), c'est-à-dire $0 < \eta < 2/\lambda_{\max}$. Au-delà, la composante de
# $\lambda_{\max}$ change de signe et grandit à chaque pas.
#
# C'est la plus petite valeur propre qui fixe la lenteur : sa composante ne diminue que
# d'un facteur $1 - \eta\lambda_{\min}$ par pas. Le rapport $\lambda_{\max}/\lambda_{\min}$,
# le **conditionnement**, mesure donc la difficulté du problème ; il vaut ici
# {glue:md}`condition`. Le meilleur taux constant égalise les deux extrêmes,
# $|1 - \eta\lambda_{\min}| = |1 - \eta\lambda_{\max}|$, d'où
# $\eta = 2/(\lambda_{\max} + \lambda_{\min}) \approx$ {glue:md}`lr_best`, tout près de la
# limite.
#
# La {numref}`fig-taux` se lit alors ainsi. Juste sous la limite, la composante de
# $\lambda_{\max}$ change de signe à chaque pas, avec un facteur $|1 - \eta\lambda_{\max}|$
# proche de 1, mais elle décroît, et le coût baisse à chaque époque. Au-dessus, le coût
# commence par baisser : au départ, l'erreur vient surtout des autres directions, qui
# diminuent ; la composante de $\lambda_{\max}$, minuscule, grandit d'un facteur
# $|1 - \eta\lambda_{\max}| =$ {glue:md}`factor_above` par pas, et finit par tout
# emporter.
#
# ```{optional-end}
# ```
#
# ```{optional-start} les variables brutes, sans standardisation
# ```
#
# `boston_split(standardize=False)` découpe de la même façon, sans standardiser. Les
# variables brutes ont des échelles très différentes (`TAX` se compte en centaines, `NOX`
# en dixièmes), et la hessienne devient bien plus mal conditionnée :

# %%
raw = boston_split(device=device, standardize=False)  # brutes
raw_stds = raw.X_train.std(0, unbiased=False)
low, high = raw_stds.argmin().item(), raw_stds.argmax().item()
feature = data.feature_names
print(
    f"écarts-types de {raw_stds[low]:.3f} ({feature[low]}) "
    f"à {raw_stds[high]:.1f} ({feature[high]})"
)
versions = {"standardisées": X_train, "brutes": raw.X_train}
for label, X in versions.items():
    ev = torch.linalg.eigvalsh(mse_hessian(X.double()))
    ratio = ev.max() / ev.min()
    print(
        f"{label:<13} : λ_max {ev.max():<9.4g} "
        f"λ_min {ev.min():<8.3g} rapport {ratio:.3g}"
    )

# %% [markdown]
# Le rapport passe de moins de cent à des centaines de millions. Un taux assez petit pour
# ne pas diverger dans la direction la plus raide n'avance alors presque pas dans la plus
# plate. Essayons le taux des variables standardisées, puis 90 % de la limite de
# stabilité des variables brutes :

# %%
ev_raw = torch.linalg.eigvalsh(mse_hessian(raw.X_train.double()))
raw_rates = [0.1, 0.9 * 2 / ev_raw.max().item()]
raw_mse = {}
for rate in raw_rates:
    run_dir = fresh_run_dir(f"brutes-{rate:.1e}")
    with SummaryWriter(run_dir) as writer:
        batch_descent(
            *raw.tensors(), lr=rate, num_epochs=100, writer=writer
        )
    raw_mse[rate] = read_scalars(run_dir)["loss/train"][1]
    mse = raw_mse[rate]
    print(
        f"brutes, η = {rate:.1e} : MSE {mse[3]:.3g} après 3 "
        f"époques, {mse[-1]:.4g} après 100"
    )
print(
    f"standardisées, η = 0,1 : MSE {sweep['bon'][100]:.2f} "
    "après 100 époques"
)
w_raw, b_raw = least_squares(raw.X_train, raw.y_train)
raw_optimum = linear_mse(raw.X_train, raw.y_train, w_raw, b_raw)
print(
    f"optimum exact : {optimum:.2f} (standardisées), "
    f"{raw_optimum:.2f} (brutes)"
)

# %% tags=["remove-cell"]
safe_lr = raw_rates[1]
glue("raw_lr", safe_lr, ".1e")
glue("raw_mse", raw_mse[safe_lr][-1], ".1f")
glue("std_mse", sweep["bon"][100], ".2f")
assert not raw_mse[0.1][3] < 1e6  # η = 0,1 explose en quelques pas
assert raw_mse[safe_lr][-1] > 2 * optimum > sweep["bon"][100]
assert abs(raw_optimum - optimum) < 1e-3

# %% [markdown]
# Sur les variables brutes, le taux 0,1 fait exploser le coût en quelques pas ; un taux
# assez petit pour rester stable ({glue:md}`raw_lr`) laisse, après 100 époques, une MSE
# de {glue:md}`raw_mse`, loin de l'optimum ({glue:md}`optimum_train`, le même pour les deux
# versions des données : standardiser change les coordonnées, pas les prédictions
# possibles). Aucun taux unique ne convient à toutes les directions. Sur les variables
# standardisées, le même calcul arrive à {glue:md}`std_mse`.
#
# ```{optional-end}
# ```

# %% [markdown]
# (sec-stochastique)=
# ## Stochastique, mini-batch et batch (question 1.3)
#
# La descente batch calcule le gradient exact du coût, mais sur **tous** les exemples à
# chaque pas. Deux variantes font des pas plus nombreux et moins chers, avec un gradient
# estimé sur une partie des exemples :
#
# - **stochastique** : un pas par exemple, pris dans un ordre tiré au hasard ;
# - **mini-batch** : un pas par {term}`mini-batch` de $B$ exemples (ici $B = 32$).
#
# Un `DataLoader` sur un `TensorDataset` fournit les mini-batchs : à chaque époque, il
# mélange les exemples (`shuffle=True`, avec un générateur de graine fixe) et les rend par
# paquets de `batch_size`. Une époque compte donc $\lceil n/B \rceil$ pas : un seul en
# descente batch ($B = n$), 404 en stochastique ($B = 1$), 13 en mini-batch ($B = 32$).
#
# ````{exercise}
# :label: q1-3
# :nonumber:
# Ajoutez une descente stochastique (un exemple par pas) et une descente mini-batch.
# Comparez-les à la descente batch : vitesse de convergence (en époques, en pas de
# gradient) et résultats obtenus, face à la solution exacte. Une seule fonction suffit
# aux deux, `descent`, qui fait un pas par mini-batch de `batch_size` exemples :
#
# ```python
# def descent(X_train, y_train, X_test, y_test,
#             batch_size, lr, num_epochs, writer):
#     """Descente par mini-batchs de batch_size exemples, mélangés à
#     chaque époque ; journalise comme batch_descent ; rend (w, b)."""
#     w = torch.zeros(X_train.shape[1], device=X_train.device,
#                     requires_grad=True)
#     b = torch.zeros((), device=X_train.device, requires_grad=True)
#     g = torch.Generator().manual_seed(0)  # mêmes mélanges
#     loader = ...  # À vous : DataLoader sur TensorDataset(X_train,
#     #               y_train), mélangé par g (shuffle=True)
#     for epoch in range(num_epochs + 1):
#         if epoch > 0:
#             ...  # À vous : la boucle de la question 1.1, un pas
#             #      par mini-batch (X, y) du loader
#         writer.add_scalar("loss/train",
#                           linear_mse(X_train, y_train, w, b), epoch)
#         writer.add_scalar("loss/test",
#                           linear_mse(X_test, y_test, w, b), epoch)
#     return w.detach(), b.detach()
# ```
# ````
#
# ```{solution-start} q1-3
# :class: dropdown
# ```
#
# La boucle de la question 1.1, où la passe avant porte sur un mini-batch au lieu du jeu
# entier.


# %% tags=["solution"]
def descent(
    X_train,
    y_train,
    X_test,
    y_test,
    batch_size,
    lr,
    num_epochs,
    writer,
):
    """Descente par mini-batchs de batch_size exemples, mélangés à
    chaque époque ; journalise comme batch_descent ; rend (w, b)."""
    w = torch.zeros(
        X_train.shape[1], device=X_train.device, requires_grad=True
    )
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    g = torch.Generator().manual_seed(0)  # mêmes mélanges
    loader = DataLoader(
        TensorDataset(X_train, y_train),
        batch_size=batch_size,
        shuffle=True,
        generator=g,
    )
    for epoch in range(num_epochs + 1):
        if epoch > 0:
            for X, y in loader:  # un pas par mini-batch
                loss = ((X @ w + b - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        writer.add_scalar(
            "loss/train", linear_mse(X_train, y_train, w, b), epoch
        )
        writer.add_scalar(
            "loss/test", linear_mse(X_test, y_test, w, b), epoch
        )
    return w.detach(), b.detach()


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("q1-3", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Lançons les deux descentes, journalisées, avec des taux plus petits que celui de la
# descente batch (on verra plus bas pourquoi) : 0,001 en stochastique, 0,01 en mini-batch.
# Une seconde descente mini-batch, à $\eta = 0{,}05$, montrera ce que le taux change. La
# descente batch est celle de la question 1.2, déjà journalisée :

# %%
n = len(X_train)
settings = {
    "batch": (n, 0.1),  # (B, η)
    "stochastique": (1, 0.001),
    "mini-batch": (32, 0.01),
    "mini-batch, η = 0,05": (32, 0.05),
}
run_names = {
    "stochastique": "q1-stochastique",
    "mini-batch": "q1-mini-batch",
    "mini-batch, η = 0,05": "q1-mini-batch-0.05",
}
runs = {"batch": logged}  # le journal de la question 1.2
for label, name in run_names.items():
    size, rate = settings[label]
    run_dir = fresh_run_dir(name)
    with SummaryWriter(run_dir) as writer:
        descent(
            *split.tensors(),
            batch_size=size,
            lr=rate,
            num_epochs=100,
            writer=writer,
        )
    runs[label] = read_scalars(run_dir)

# %% [markdown]
# **Face à la solution exacte.** L'optimum $\boldsymbol{\beta}^\star$ de `least_squares`
# ({numref}`section %s <sec-taux>`) est la référence ; `LinearRegression` de scikit-learn
# donne la même solution :

# %%
sk = LinearRegression().fit(
    X_train.cpu().numpy(), y_train.cpu().numpy()
)
w_sk = torch.from_numpy(sk.coef_).float().to(device)
sk_gap = (w_star - w_sk).abs().max()
print(f"écart max lstsq / scikit-learn : {sk_gap:.1e}")

# %% [markdown]
# Le tableau compare chaque descente à cet optimum après 100 époques, et donne l'époque
# (et le nombre de pas) où son écart passe sous 1 %. La {numref}`fig-q13` montre les
# courbes relues dans les journaux, par époque et par pas.


# %%
def first_epoch_below(values, threshold):
    """Première époque où la MSE passe sous threshold (None : jamais)."""
    return next(
        (e for e, v in enumerate(values) if v <= threshold), None
    )


fr = french_number
test_star = linear_mse(X_test, y_test, w_star, b_star)
reached, per_epoch, rows = {}, {}, []
for label, (size, rate) in settings.items():
    train, test = (
        runs[label]["loss/train"][1],
        runs[label]["loss/test"][1],
    )
    per_epoch[label] = math.ceil(n / size)  # pas par époque
    e = reached[label] = first_epoch_below(train, 1.01 * optimum)
    steps = "" if e is None else fr(e * per_epoch[label], "d")
    when = "jamais" if e is None else f"{e} ({steps} pas)"
    gap = fr(100 * (train[-1] / optimum - 1), "+.2f")
    rows.append(
        [
            label,
            fr(rate, "g"),
            per_epoch[label],
            fr(train[-1], ".3f"),
            fr(test[-1], ".3f"),
            f"{gap} %",
            when,
        ]
    )
rows.append(
    [
        "moindres carrés",
        "—",
        "—",
        fr(optimum, ".3f"),
        fr(test_star, ".3f"),
        "0 %",
        "—",
    ]
)
show_table(
    [
        "méthode",
        "η",
        "pas par époque",
        "MSE apprentissage",
        "MSE test",
        "écart à l'optimum",
        "sous 1 % : époque",
    ],
    rows,
)

# %% tags=["hide-input", "remove-output"]
# Par pas : l'abscisse de l'époque e est e × (pas par époque).
by_step = {
    label: {
        **run,
        "progress/steps": (
            run["loss/train"][0],
            [e * per_epoch[label] for e in run["loss/train"][0]],
        ),
    }
    for label, run in runs.items()
}
fig, axes = plt.subplots(1, 2, figsize=(7, 4.2), sharey=True)
plot_losses(axes[0], runs)
plot_losses(axes[1], by_step, x_tag="progress/steps", logx=True)
axes[0].set_title("par époque")
axes[1].set_title("par pas de gradient")
axes[0].set_ylim(15, 700)
legend_below(fig, axes[0])


# %% tags=["remove-cell"]
glue_figure("fig_q13", fig)

# %% [markdown]
# ```{glue:figure} fig_q13
# :alt: Deux graphiques côte à côte, MSE en échelle logarithmique. Par époque, les descentes mini-batch et stochastique atteignent le bas bien avant la descente batch. Par pas de gradient, l'ordre s'inverse : la descente batch arrive en bas avec le moins de pas, la stochastique avec le plus.
# :name: fig-q13
#
# Question 1.3 : MSE d'apprentissage (traits pleins) et de test (tirets) des quatre
# descentes (batch, mini-batch à deux taux, stochastique), par époque (à gauche) et par pas de gradient (à
# droite, échelle logarithmique), relues dans les journaux TensorBoard.
# ```

# %% tags=["remove-cell"]
# Les affirmations de la prose ci-dessous, vérifiées sur toutes les lignes du tableau.
train_of = {
    label: run["loss/train"][1] for label, run in runs.items()
}
test_of = {
    label: run["loss/test"][1] for label, run in runs.items()
}
steps_of = {
    label: reached[label] * per_epoch[label] for label in runs
}
assert all(e is not None for e in reached.values()), (
    "chaque descente passe sous 1 %"
)
others = [label for label in runs if label != "batch"]
assert all(
    reached[label] < reached["batch"] for label in others
)  # en époques
assert all(
    steps_of["batch"] < steps_of[label] for label in others
)  # en pas
assert max(steps_of, key=steps_of.get) == "stochastique"
assert steps_of["mini-batch, η = 0,05"] < steps_of["mini-batch"]
gap_of = {
    label: 100 * (train_of[label][-1] / optimum - 1)
    for label in runs
}
assert gap_of["mini-batch, η = 0,05"] > gap_of["mini-batch"] > 0
train_b = train_of["batch"]
assert all(
    b < a for a, b in zip(train_b, train_b[1:])
)  # la descente batch converge
assert all(gap < 1 for gap in gap_of.values())

best = min(reached.values())
winners = [label for label, e in reached.items() if e == best]
names = {
    "batch": "la descente batch",
    "stochastique": "la descente stochastique",
    "mini-batch": "la descente mini-batch (η = 0,01)",
    "mini-batch, η = 0,05": "la descente mini-batch à η = 0,05",
}
if len(winners) == 1:
    glue_text(
        "epoch_winner", names[winners[0]] + " passe la première"
    )
else:
    glue_text(
        "epoch_winner",
        " et ".join(names[w] for w in winners)
        + ", à égalité, passent les premières",
    )
glue("epoch_best", best, "d")
for key, label in (
    ("batch", "batch"),
    ("sto", "stochastique"),
    ("mini", "mini-batch"),
    ("fast", "mini-batch, η = 0,05"),
):
    glue(f"{key}_epochs", reached[label], "d")
    glue(f"{key}_steps", steps_of[label], "d")
    glue(f"{key}_final_gap", gap_of[label], ".2f")
    glue(f"{key}_test", test_of[label][-1], ".2f")
glue("optimum_test", test_star, ".2f")
tests = [test_of[label][-1] for label in runs]
glue("test_low", min(tests), ".2f")
glue("test_high", max(tests), ".2f")
assert max(tests) - min(tests) < 0.05 * test_star

# %% [markdown]
# **En époques**, {glue:md}`epoch_winner` sous 1 % de l'optimum, à l'époque
# {glue:md}`epoch_best`. Les trois descentes stochastique et mini-batch (époques
# {glue:md}`sto_epochs`, {glue:md}`mini_epochs` et {glue:md}`fast_epochs`) y arrivent
# avant la descente batch (époque {glue:md}`batch_epochs`) : en une époque, elles font 404
# ou 13 pas, la descente batch un seul.
#
# **En pas de gradient**, c'est l'inverse : la descente batch n'a besoin que de
# {glue:md}`batch_steps` pas, car chacun suit le gradient exact ; la descente mini-batch
# en demande {glue:md}`mini_steps` (ou {glue:md}`fast_steps` à $\eta = 0{,}05$), la
# stochastique {glue:md}`sto_steps`. Un taux plus grand atteint 1 % en moins de pas, mais
# la descente s'agite davantage ensuite, et finit plus loin de l'optimum : à $\eta = 0{,}05$,
# la descente mini-batch finit à {glue:md}`fast_final_gap` % au-dessus, contre
# {glue:md}`mini_final_gap` % à $\eta = 0{,}01$.
#
# **Les résultats.** Toutes les descentes finissent à moins de 1 % de l'optimum sur le jeu
# d'apprentissage, et leurs MSE de test, de {glue:md}`test_low` à {glue:md}`test_high`,
# sont proches de celle de la solution exacte ({glue:md}`optimum_test`). La descente batch
# converge : son coût baisse à chaque époque. Les descentes stochastique et mini-batch, à
# taux constant, ne convergent pas au sens strict : chaque pas suit un gradient estimé,
# qui ne s'annule pas à l'optimum, et elles s'agitent autour de lui. Pour qu'elles
# convergent, on diminue le taux au fil des époques.
#
# Pourquoi ne pas donner à toutes le taux 0,1 de la descente batch ? Essayons-le en
# stochastique, sur trois époques :

# %%
run_dir = fresh_run_dir("q1-stochastique-0.1")
with SummaryWriter(run_dir) as writer:
    descent(
        *split.tensors(),
        batch_size=1,
        lr=0.1,
        num_epochs=3,
        writer=writer,
    )
print(
    "MSE d'apprentissage par époque :",
    read_scalars(run_dir)["loss/train"][1],
)

# %% tags=["remove-cell"]
sto_fast = read_scalars(run_dir)["loss/train"][1]
assert not sto_fast[1] < 1e6  # diverge dès la première époque

# %% [markdown]
# Elle diverge dès la première époque : le coût d'un seul exemple est bien plus courbé que
# le coût moyen, et sa limite de stabilité est plus basse (encadré).
#
# ```{optional-start} pourquoi un pas stochastique demande un taux plus petit
# ```
#
# La {numref}`section %s <sec-taux>` s'applique exemple par exemple. Le coût d'un seul
# exemple, $(\mathbf{a}_i^\top\boldsymbol{\beta} - y_i)^2$ (où $\mathbf{a}_i^\top$ est la
# ligne $i$ de $A$), a pour hessienne $2\,\mathbf{a}_i\mathbf{a}_i^\top$, dont la plus
# grande valeur propre est $2\lVert\mathbf{a}_i\rVert^2$. Un pas sur cet exemple n'est
# stable que si $\eta < 1/\lVert\mathbf{a}_i\rVert^2$ :

# %%
A = torch.cat([X_train, torch.ones(n, 1, device=device)], dim=1)
curvature = 2 * (A**2).sum(1)  # 2‖aᵢ‖², un par exemple
print(
    f"2‖aᵢ‖² : moyenne {curvature.mean():.1f}, maximum "
    f"{curvature.max():.1f}"
)
print(f"λ_max du coût moyen : {lam_max:.1f}")
unstable = (0.1 * curvature > 2).float().mean()
print(f"exemples instables à η = 0,1 : {unstable:.0%}")

# %% tags=["remove-cell"]
assert curvature.mean() > 2 * lam_max and unstable > 0.5

# %% [markdown]
# Pour un exemple typique, la courbure est plus de deux fois celle du coût moyen, et pour
# certains bien davantage : le taux qui convient au gradient exact fait déborder la
# plupart des pas stochastiques. Un mini-batch moyenne 32 exemples : sa courbure se
# rapproche de celle du coût moyen, et il supporte un taux plus grand.
#
# ```{optional-end}
# ```
#
# ```{optional-start} convergence ou agitation : les remontées du coût
# ```
#
# Comptons, pour chaque descente, les époques où la MSE d'apprentissage remonte, et la
# somme de ses remontées sur les 20 dernières époques, rapportée à son niveau :


# %%
def rises(values: list[float]) -> int:
    """Nombre d'époques où la MSE a augmenté."""
    pairs = zip(values, values[1:])
    return sum(after > before for before, after in pairs)


def wobble(values: list[float]) -> float:
    """Remontées cumulées de la MSE sur les 20 dernières époques,
    relatives à son minimum."""
    tail = values[-21:]
    ups = sum(max(0.0, b - a) for a, b in zip(tail, tail[1:]))
    return ups / min(tail)


show_table(
    [
        "méthode",
        "époques où la MSE remonte",
        "remontées des 20 dernières",
    ],
    [
        [
            label,
            rises(run["loss/train"][1]),
            fr(100 * wobble(run["loss/train"][1]), ".2f") + " %",
        ]
        for label, run in runs.items()
    ],
)

# %% tags=["remove-cell"]
for key, label in (
    ("batch", "batch"),
    ("sto", "stochastique"),
    ("mini", "mini-batch"),
    ("fast", "mini-batch, η = 0,05"),
):
    glue(f"{key}_rises", rises(train_of[label]), "d")
    glue(f"{key}_wobble", 100 * wobble(train_of[label]), ".2f")
assert rises(train_of["batch"]) == 0 == wobble(train_of["batch"])
assert min(rises(train_of[label]) for label in others) > 0
assert (
    0
    < wobble(train_of["mini-batch"])
    < wobble(train_of["mini-batch, η = 0,05"])
)
assert wobble(train_of["stochastique"]) > 0

# %% [markdown]
# Le coût est convexe, et l'optimum des moindres carrés est le seul point vers lequel une
# descente peut converger. La MSE de la descente batch ne remonte jamais
# ({glue:md}`batch_rises` fois). Celles des descentes stochastique et mini-batch remontent
# {glue:md}`sto_rises` et {glue:md}`mini_rises` fois en 100 époques ; sur les 20
# dernières, leurs remontées cumulées valent {glue:md}`sto_wobble` % et
# {glue:md}`mini_wobble` % de leur niveau ({glue:md}`fast_wobble` % pour la descente
# mini-batch à $\eta = 0{,}05$, qui s'agite davantage). Elles ont atteint le voisinage de
# l'optimum, et s'y agitent.
#
# ```{optional-end}
# ```
#
# ```{optional-start} le temps de calcul, en secondes
# ```
#
# En pratique, ce qui compte est le temps. Mesurons-le (`time.perf_counter`) sur la seule
# boucle des pas, la même que celle de `descent`, sans la mesure des coûts ni le journal ;
# la descente batch prend le jeu entier, sans `DataLoader`, comme `batch_descent`.
# Ces temps sont **mesurés** pendant la construction du livre : ils varient d'une
# exécution et d'une machine à l'autre, contrairement à tous les autres nombres du livre.

# %% tags=["timing"]
import time


def seconds_of_steps(batch_size: int, lr: float) -> float:
    """Secondes de 100 époques de pas sur des mini-batchs de taille
    batch_size (la descente batch : le jeu entier, sans loader)."""
    w = torch.zeros(13, device=device, requires_grad=True)
    b = torch.zeros((), device=device, requires_grad=True)
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(
        TensorDataset(X_train, y_train),
        batch_size=batch_size,
        shuffle=True,
        generator=g,
    )
    if batch_size == len(X_train):
        loader = [(X_train, y_train)]
    start = time.perf_counter()
    for _ in range(100):
        for X, y in loader:
            loss = ((X @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return time.perf_counter() - start


seconds = {
    label: seconds_of_steps(size, rate)
    for label, (size, rate) in settings.items()
}
# Jusqu'à 1 % de l'optimum : l'époque atteinte × durée d'une époque
to_1pc = {
    label: reached[label] * s / 100 for label, s in seconds.items()
}
show_table(
    ["méthode", "s (100 époques)", "µs par pas", "s jusqu'à 1 %"],
    [
        [
            label,
            fr(s, ".3f"),
            fr(1e6 * s / (100 * per_epoch[label]), ".0f"),
            fr(to_1pc[label], ".3f"),
        ]
        for label, s in seconds.items()
    ],
)

# %% tags=["timing", "remove-cell"]
glue("sto_seconds", seconds["stochastique"], ".1f")

# %% [markdown]
# Pourquoi la descente stochastique prend-elle {glue:md}`sto_seconds` s pour 100 époques,
# alors qu'un pas ne traite qu'un exemple ? Elle fait 40 400 pas, et un pas coûte surtout
# son **surcoût fixe** (appels Python, graphe, mise à jour, préparation du mini-batch par
# le `DataLoader`), presque indépendant du nombre d'exemples tant que ce nombre reste
# petit. Mesurons le seul pas de
# gradient selon la taille du mini-batch, sur des données aléatoires de 13 variables
# (meilleur de 50 essais, après un premier passage d'échauffement) :


# %% tags=["timing"]
def seconds_per_step(batch_size: int, repeats: int = 50) -> float:
    """Temps d'un pas (avant, arrière, mise à jour), meilleur de
    repeats essais, sur un mini-batch de batch_size exemples."""
    X = torch.randn(batch_size, 13, device=device)
    y = torch.randn(batch_size, device=device)
    w = torch.zeros(13, device=device, requires_grad=True)
    timings = []
    for _ in range(repeats + 1):  # le 1er passage échauffe
        start = time.perf_counter()
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 1e-3 * w.grad
        w.grad.zero_()
        timings.append(time.perf_counter() - start)
    return min(timings[1:])


sizes = [1, 32, 404, 4_040, 40_400, 404_000]
costs = {size: seconds_per_step(size) for size in sizes}
show_table(
    ["taille du mini-batch", "µs par pas", "µs par exemple"],
    [
        [fr(s, "d"), fr(1e6 * c, ".0f"), fr(1e6 * c / s, ".3f")]
        for s, c in costs.items()
    ],
)

# %% tags=["timing", "remove-cell"]
# Aucune assertion sur les temps : une machine chargée les fausserait. Le code nomme le
# plus rapide et le plus lent, à la précision imprimée (« à égalité » sinon).
printed = {
    label: french_number(s, ".3f") for label, s in to_1pc.items()
}


def ranked(pick) -> str:
    target = printed[pick(to_1pc, key=to_1pc.get)]
    tied = [
        names[label]
        for label, text in printed.items()
        if text == target
    ]
    return (
        tied[0]
        if len(tied) == 1
        else " et ".join(tied) + ", à égalité"
    )


glue_text("fastest_to_1pc", ranked(min))
glue_text("slowest_to_1pc", ranked(max))
for key, label in (
    ("batch", "batch"),
    ("sto", "stochastique"),
    ("mini", "mini-batch"),
    ("fast", "mini-batch, η = 0,05"),
):
    glue(f"{key}_to_1pc", to_1pc[label], ".3f")
ratio_small = costs[404] / costs[1]
glue("cost_ratio_small", ratio_small, ".1f")
glue_text(
    "small_verdict",
    "bien moins que"
    if ratio_small < 404 / 4
    else "moins que"
    if ratio_small < 404
    else "plus que",
)
glue("cost_ratio_4040", costs[4_040] / costs[32], ".1f")
glue("cost_ratio_big", costs[404_000] / costs[32], ".0f")
glue("cost_ratio_tenfold", costs[404_000] / costs[40_400], ".1f")

# %% [markdown]
# Pour arriver à 1 % de l'optimum, il a fallu environ {glue:md}`batch_to_1pc` s à la
# descente batch, {glue:md}`mini_to_1pc` s à la descente mini-batch
# ({glue:md}`fast_to_1pc` s à $\eta = 0{,}05$) et {glue:md}`sto_to_1pc` s à la
# stochastique. Sur la machine qui a construit ce livre, la plus rapide a été
# {glue:md}`fastest_to_1pc`, la plus lente {glue:md}`slowest_to_1pc` ; entre batch et
# mini-batch, l'ordre dépend des taux choisis et de la machine.
#
# Un pas sur 404 exemples a coûté {glue:md}`cost_ratio_small` fois un pas sur un seul :
# {glue:md}`small_verdict` les 404 fois que laisserait attendre le nombre d'exemples. Tant
# que le mini-batch reste petit, le surcoût fixe domine : 4 040 exemples ont coûté
# {glue:md}`cost_ratio_4040` fois 32 exemples, pour 126 fois plus d'exemples. Sur de très
# grands mini-batchs, c'est le calcul qui domine : un pas sur 404 000 exemples a coûté
# {glue:md}`cost_ratio_big` fois un pas sur 32, et {glue:md}`cost_ratio_tenfold` fois un
# pas sur 40 400, pour 10 fois plus d'exemples.
#
# ```{optional-end}
# ```
#
# ```{optional-start} le gradient d'un mini-batch, comparé au gradient exact
# ```
#
# Un gradient de mini-batch est-il utile, s'il n'est qu'une estimation ? Comparons, au
# point de départ $\mathbf{w} = 0$, $b = 0$, la direction du gradient de chaque mini-batch
# de 32 exemples à celle du gradient exact (cosinus de l'angle entre les deux ; 1 : même
# direction) :

# %%
w0 = torch.zeros(13, device=device, requires_grad=True)
b0 = torch.zeros((), device=device, requires_grad=True)


def gradient(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient de la MSE sur (X, y) en (w0, b0), de taille 14."""
    loss = ((X @ w0 + b0 - y) ** 2).mean()
    grad_w, grad_b = torch.autograd.grad(loss, (w0, b0))
    return torch.cat([grad_w, grad_b[None]])


full = gradient(X_train, y_train)
g = torch.Generator().manual_seed(0)
loader = DataLoader(
    TensorDataset(X_train, y_train),
    batch_size=32,
    shuffle=True,
    generator=g,
)
cosines = [
    torch.cosine_similarity(gradient(X, y), full, dim=0)
    for X, y in loader
]
cosines = torch.stack(cosines).tolist()
count = len(cosines)
print(f"{count} mini-batchs, cosinus avec le gradient exact :")
print(f"moyenne {np.mean(cosines):.2f}, minimum {min(cosines):.2f}")

# %% tags=["remove-cell"]
glue("cos_mean", float(np.mean(cosines)), ".2f")
glue("cos_min", min(cosines), ".2f")
assert np.mean(cosines) > 0.7

# %% [markdown]
# Loin de l'optimum, un gradient estimé sur 32 exemples indique presque la bonne
# direction : son cosinus avec le gradient exact vaut {glue:md}`cos_mean` en moyenne (au
# pire {glue:md}`cos_min`). Sur un très grand jeu, où un pas sur tous les exemples coûte
# cher (l'encadré précédent l'a mesuré), la descente mini-batch fait pour le même prix
# bien plus de pas, presque aussi utiles chacun. C'est pourquoi elle est la règle pour
# entraîner les réseaux, et le reste du livre l'emploie.
#
# ```{optional-end}
# ```
#
# ## Résumé
#
# - Boston Housing se lit avec NumPy ; on le découpe (`train_test_split`), puis on
#   standardise les variables (`StandardScaler`) sur le seul jeu d'apprentissage.
# - Avec autograd, une descente de gradient tient en quatre lignes : passe avant,
#   `backward()`, mise à jour sous `torch.no_grad()`, remise à zéro des gradients.
#   Un `SummaryWriter` et `add_scalar` journalisent les coûts, que TensorBoard affiche.
# - La descente batch est stable pour $\eta < 2/\lambda_{\max}$, où $\lambda_{\max}$ est la
#   plus grande valeur propre de la hessienne $\frac{2}{n}A^\top A$.
# - Les descentes stochastique et mini-batch ne changent que la taille $B$ des mini-batchs
#   (`DataLoader`) : plus de pas par époque, moins chers, au gradient estimé, qui demandent
#   un taux plus petit. Elles arrivent près de l'optimum en moins d'époques que la
#   descente batch, mais en plus de pas ; à taux constant, elles s'agitent autour de lui.
#
# Le {ref}`chapitre 4 <chap-optim>` confie la mise à jour et la remise à zéro à
# `torch.optim`.
#
# ## Questions
#
# ```{exercise} Exercice 3.a — standardiser
# :label: ex-3a
# :nonumber:
# Pourquoi ajuster le `StandardScaler` sur le seul jeu d'apprentissage ?
# ```
#
# ```{solution} ex-3a
# :class: dropdown
# Le jeu de test simule des données jamais vues. Si ses moyennes et écarts-types
# servaient à la standardisation, le modèle aurait reçu de l'information sur le test, et
# la MSE de test serait optimiste.
# ```
#
# ````{exercise}
# :label: ex-3b
# :nonumber:
# Que devient la descente batch de la question 1.1 si l'on oublie `w.grad.zero_()` et
# `b.grad.zero_()` ? Complétez `descent_without_reset`, puis essayez-la sur 30 époques
# à $\eta = 0{,}1$ :
#
# ```python
# def descent_without_reset(X_train, y_train, lr, num_epochs):
#     """Descente batch sans remise à zéro des gradients ;
#     rend le coût de chaque époque."""
#     w = torch.zeros(X_train.shape[1], device=X_train.device,
#                     requires_grad=True)
#     b = torch.zeros((), device=X_train.device, requires_grad=True)
#     losses = []
#     for _ in range(num_epochs):
#         ...  # À vous : la boucle de la question 1.1, sans remise à
#         #      zéro ; ajoutez le coût de l'époque à losses
#     return losses
# ```
# ````
#
# ```{solution-start} ex-3b
# :class: dropdown
# ```
#
# Chaque `backward()` ajoute le nouveau gradient à la somme des précédents : chaque pas
# suit la somme de tous les gradients passés, et garde l'élan des pas précédents (le
# chapitre 4 appellera cela un moment, ici sans frein).


# %% tags=["solution"]
def descent_without_reset(X_train, y_train, lr, num_epochs):
    """Descente batch sans remise à zéro des gradients ;
    rend le coût de chaque époque."""
    w = torch.zeros(
        X_train.shape[1], device=X_train.device, requires_grad=True
    )
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        # (pas de remise à zéro)
        losses.append(loss.item())
    return losses


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check

check("ex-3b", globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Le coût descend d'abord, puis repart vers le haut et oscille sans converger :

# %%
losses = descent_without_reset(
    X_train, y_train, lr=0.1, num_epochs=30
)
for epoch in (1, 2, 5, 10, 15, 20, 25, 30):
    print(f"époque {epoch:>2} : MSE {losses[epoch - 1]:.4g}")

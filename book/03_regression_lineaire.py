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
# À la fin de ce chapitre, vous saurez :
# - lire les données Boston Housing (d'où elles viennent, comment lire le fichier) et dire
#   pourquoi on standardise les variables ;
# - écrire une descente de gradient **batch** avec autograd, sans contexte ni dérivée
#   écrite à la main (question 1.1), et la suivre dans **TensorBoard** (question 1.2) ;
# - choisir le taux d'apprentissage $\eta$ : la limite de stabilité $2/\lambda_{\max}$ ;
# - écrire les descentes **stochastique** et **mini-batch** avec un `DataLoader`, et les
#   comparer en époques, en pas de gradient et en secondes, face à la solution exacte des
#   moindres carrés (question 1.3).
# ```

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.linear_model import LinearRegression
from torch.utils.data import DataLoader, TensorDataset

# tp2_src, le paquet du livre : la leçon reste dans ce chapitre, le paquet
# n'en porte que l'appui (chacun est présenté à son premier usage).
from tp2_src.data import BOSTON_CSV, boston_split, load_boston
from tp2_src.device import get_device, make_deterministic
from tp2_src.display import error_summary, show_table
from tp2_src.french import french_number
from tp2_src.linreg import fit_linear_regression, least_squares, linear_mse
from tp2_src.logs import logged_run, read_scalars
from tp2_src.plots import legend_below, plot_losses
from tp2_src.training import TrainingDivergedError

make_deterministic(seed=0)  # mêmes nombres à chaque exécution
device = get_device()  # CUDA s'il y en a une, sinon le processeur

# %% [markdown]
# `make_deterministic` fixe la graine des tirages aléatoires (`torch.manual_seed`) et
# demande des algorithmes déterministes ; `get_device` choisit la carte graphique s'il y
# en a une (`torch.device("cuda")`), sinon le processeur. Quelques fonctions ne servent
# qu'à afficher : `show_table` (un tableau ; `print` suffirait), `error_summary` (le
# message d'une erreur, sans la pile d'appels), `french_number` (un nombre écrit à la
# française), `plot_losses` (les courbes d'un journal, avec matplotlib) et `legend_below`
# (la légende sous le graphique).

# %% tags=["remove-cell", "setup"]
# Plomberie du livre (exécutée, masquée dans les pages) : figures SVG lisibles, valeurs collées,
# vérification de ce qu'annonce la prose.
from tp2_src.glue import glue, glue_environment, glue_figure, glue_text
from tp2_src.style import french_log_axis, use_book_style

use_book_style()
glue_environment()  # citée par la note « Exécution de ce chapitre », en fin de page

# %% [markdown]
# ## Les données : Boston Housing
#
# Le jeu de données décrit 506 quartiers de la région de Boston en 1970 par 13 variables
# (taux de criminalité `CRIM`, nombre moyen de pièces `RM`, part de population modeste
# `LSTAT`…). La cible `MEDV` est la valeur médiane des logements, en milliers de dollars.
# Il vient d'une étude de D. Harrison et D. L. Rubinfeld, « Hedonic prices and the demand
# for clean air » (*Journal of Environmental Economics and Management*, 1978), et a été
# diffusé par StatLib, la bibliothèque de données de l'université Carnegie Mellon.
# scikit-learn le livrait (`sklearn.datasets.load_boston`) jusqu'à sa version 1.2, qui
# l'a retiré ; `tp2_src` en embarque une copie exacte, dont l’{term}`empreinte` est vérifiée à
# chaque chargement.
#
# ```{admonition} Un jeu de données controversé
# :class: warning
# La variable `B` vaut $1000\,(B_k - 0{,}63)^2$, où $B_k$ est la proportion de population
# noire du quartier. Les auteurs de 1978 l'avaient construite en supposant qu'une
# ségrégation raciale ferait varier les prix ; la transformation n'est de plus pas
# inversible, ce qui brouille ce qu'elle mesure. C'est pour ce problème éthique que
# scikit-learn a déprécié puis retiré `load_boston` (versions 1.0 à 1.2). Nous ne
# l'utilisons ici que comme petit problème de régression, pour comparer des algorithmes
# d'optimisation ; il ne faut en tirer aucune conclusion sur les prix ou les populations.
# ```
#
# Le fichier est un CSV ordinaire : une première ligne donne le nombre d'exemples et de
# variables, la deuxième les noms des colonnes, puis viennent les 506 lignes. NumPy suffit
# pour le lire :

# %%
with open(BOSTON_CSV, encoding="utf-8") as f:
    header = f.readline().strip().split(",")[:2]
    names = [name.strip('"') for name in f.readline().strip().split(",")]
table = np.loadtxt(BOSTON_CSV, delimiter=",", skiprows=2, dtype=np.float32)
print("annoncé :", header, "| lu :", table.shape)
print("colonnes :", " ".join(names))

# %% [markdown]
# Les 13 premières colonnes sont les variables, la dernière la cible. La fonction
# `load_boston` de `tp2_src` fait la même lecture, après avoir vérifié l'empreinte du
# fichier, et rend des tenseurs :

# %%
data = load_boston()
print("X :", tuple(data.X.shape), "; y :", tuple(data.y.shape))
print("variables :", " ".join(data.feature_names))
print("mêmes nombres que NumPy :",
      np.array_equal(data.X.numpy(), table[:, :13]),
      np.array_equal(data.y.numpy(), table[:, 13]))
print(f"MEDV : de {data.y.min():.1f} à {data.y.max():.1f} k$, "
      f"moyenne {data.y.mean():.2f} k$")

# %% [markdown]
# ## Découper et standardiser
#
# On garde 20 % des quartiers pour le {term}`jeu de test <jeu d'apprentissage, de validation, de test>` (découpage `train_test_split` de scikit-learn,
# tiré avec une graine fixe), et l'on **standardise** chaque variable (moyenne nulle,
# écart-type 1, `StandardScaler` de scikit-learn) avec les statistiques de la partie
# apprentissage seulement : calculées sur tout le jeu, elles laisseraient fuir de
# l'information du test. `boston_split` de `tp2_src` fait les deux ; il sait aussi
# découper sans standardiser, ce qui servira à voir, à la {numref}`section %s <sec-taux>`, ce que la
# standardisation évite.

# %%
split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
raw = boston_split(device=device, standardize=False)  # variables brutes
print("apprentissage :", tuple(X_train.shape), "; test :",
      tuple(X_test.shape))
means, stds = X_train.mean(0), X_train.std(0, unbiased=False)
print(f"standardisées : |moyennes| ≤ {means.abs().max():.1e}, "
      f"écarts-types de {stds.min():.4f} à {stds.max():.4f}")
raw_stds = raw.X_train.std(0, unbiased=False)
low, high = raw_stds.argmin().item(), raw_stds.argmax().item()
names = data.feature_names
print(f"brutes : écarts-types de {raw_stds[low]:.3f} ({names[low]}) "
      f"à {raw_stds[high]:.1f} ({names[high]})")

# %% [markdown]
# ## Descente de gradient batch avec autograd (questions 1.1 et 1.2)
#
# Le modèle est $\hat{y} = X\mathbf{w} + b$, et le coût, l'erreur quadratique moyenne
# $\ell(\mathbf{w}, b) = \frac{1}{N}\lVert X\mathbf{w} + b - \mathbf{y}\rVert^2$. Au TME 1, il
# fallait écrire la passe arrière de chaque fonction et passer un contexte. Ici, `w` et
# `b` sont de simples **feuilles** avec `requires_grad=True` : autograd enregistre le
# graphe pendant le calcul du coût, et `loss.backward()` remplit `w.grad` et `b.grad`.
#
# Une itération de la {term}`descente de gradient` **batch** utilise tout l'ensemble
# d'apprentissage :
#
# 1. passe avant : prédictions et coût ;
# 2. passe arrière : `loss.backward()` ;
# 3. mise à jour $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$ (et de
#    même pour $b$), où $\eta$ est le {term}`taux d'apprentissage` (`lr` dans le code),
#    **sous `torch.no_grad()`** : la mise à jour ne doit pas entrer dans le graphe ;
# 4. remise à zéro des gradients, sinon ils s'accumulent (chapitre 2).
#
# On compte les itérations en {term}`époques <époque>` : une époque est un passage complet
# sur les données d'apprentissage. En descente batch, chaque itération voit toutes les
# données : une époque est donc un seul {term}`pas de gradient` (la {numref}`section %s <sec-stochastique>` change cela).
#
# ### Journaliser avec TensorBoard
#
# Pour suivre un apprentissage, on écrit à chaque époque les coûts dans un {term}`journal`
# que TensorBoard affiche. PyTorch l'écrit avec un `SummaryWriter(dossier)` : chaque
# `writer.add_scalar(étiquette, valeur, pas)` ajoute un point à la courbe de cette
# étiquette, et `writer.close()` écrit tout sur le disque. Un essai sur trois points :

# %%
from torch.utils.tensorboard import SummaryWriter

from tp2_src.logs import fresh_run_dir  # un dossier d'expérience vide

run_dir = fresh_run_dir("essai")  # runs/essai, vidé s'il existait
writer = SummaryWriter(run_dir)
for step in range(3):
    writer.add_scalar("essai/carré", step**2, step)
writer.close()
print([path.name[:20] + "…" for path in run_dir.iterdir()])
print(read_scalars(run_dir))

# %% [markdown]
# Le dossier contient un fichier d'événements ; `read_scalars` (de `tp2_src.logs`) le
# relit avec le lecteur de TensorBoard lui-même (`EventAccumulator`) et rend, pour chaque
# étiquette, les pas et les valeurs. `fresh_run_dir(nom)` rend le dossier `runs/<nom>`
# (ou `<nom>` dans le dossier de la variable d'environnement `TP2_LOGDIR`), vidé : sans
# cela, un second essai ajouterait un second fichier au même dossier, et TensorBoard
# mêlerait leurs courbes. On le ferait à la main avec `shutil.rmtree`, puis `mkdir`.
#
# ````{exercise} Question 1.1 — descente batch avec autograd
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
#
# `linear_mse` (de `tp2_src.linreg`) mesure le coût sans enregistrer de graphe (sous
# `torch.no_grad()`) : mesurer ne doit pas changer la passe arrière.
# ````
#
# ```{solution-start} q1-1
# :class: dropdown
# ```
#
# Les quatre étapes, une fois par époque :

# %% tags=["solution"]
def batch_descent(X_train, y_train, X_test, y_test,
                  lr, num_epochs, writer):
    """Descente batch depuis w = 0, b = 0 ; journalise loss/train
    et loss/test dans writer à chaque époque ; rend (w, b)."""
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
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
        writer.add_scalar("loss/train",
                          linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test",
                          linear_mse(X_test, y_test, w, b), epoch)
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check_batch_descent

check_batch_descent(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# L'énoncé laisse le choix : la passe avant peut aussi utiliser **vos propres
# fonctions** du TME 1, des `torch.autograd.Function` comme celles du chapitre 2. Autograd
# appelle alors leurs `backward` au lieu de ceux de PyTorch, sans autre changement dans la
# boucle. Comparons les deux gradients, au même point, avec `linear` et `mse` (de
# `tp2_src.functions`, présentées au chapitre 2) :

# %%
from tp2_src.functions import linear, mse  # LinearFunction, MSEFunction

g = torch.Generator().manual_seed(0)
w = torch.randn(X_train.shape[1], generator=g).to(device).requires_grad_()
b = torch.tensor(1.0, device=device, requires_grad=True)

((X_train @ w + b - y_train) ** 2).mean().backward()  # par PyTorch
grads_torch = [w.grad.clone(), b.grad.clone()]
w.grad, b.grad = None, None

# Les mêmes calculs avec nos Functions : W de forme (d, 1), b de forme (1,)
loss = mse(linear(X_train, w[:, None], b.reshape(1)), y_train[:, None])
loss.backward()
print("nœud du coût :", type(loss.grad_fn).__name__)
print("mêmes gradients :",
      torch.allclose(w.grad, grads_torch[0], atol=1e-5),
      torch.allclose(b.grad, grads_torch[1], atol=1e-5))

# %% tags=["remove-cell"]
assert torch.allclose(w.grad, grads_torch[0], atol=1e-5)
assert torch.allclose(b.grad, grads_torch[1], atol=1e-5)

# %% [markdown]
# Dans l'édition étudiant, la cellule qui vérifie la question 1.1 accepte l'une et l'autre
# passe avant : elle juge les pas, pas la façon de calculer le coût.
#
# ````{exercise} Question 1.2 — Boston Housing et TensorBoard
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
#     ...  # À vous : un SummaryWriter qui écrit dans run_dir, la
#     #      descente qui y journalise, puis la fermeture du journal
# ```
# ````
#
# ```{solution-start} q1-2
# :class: dropdown
# ```
#
# Le journal, la descente qui y écrit, puis `close()`, qui écrit tout sur le disque :

# %% tags=["solution"]
def boston_log(run_dir):
    """La descente de la question 1.1 sur Boston Housing (η = 0,1,
    100 époques), journalisée dans run_dir ; rend (w, b)."""
    writer = SummaryWriter(run_dir)
    w, b = batch_descent(X_train, y_train, X_test, y_test,
                         lr=0.1, num_epochs=100, writer=writer)
    writer.close()
    return w, b


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check_boston_log

check_boston_log(globals())

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
    print(f"{tag} : {len(steps)} points, époques {steps[0]} à "
          f"{steps[-1]}, de {values[0]:.1f} à {values[-1]:.3f}")

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
# (un dossier de `runs/` chacune), à droite une carte par étiquette, où chaque expérience
# a sa courbe. TensorBoard **lisse** les courbes par défaut (le curseur « Smoothing »
# des réglages) : la courbe pâle est la valeur journalisée, la courbe vive sa moyenne
# glissante.
#
# ```{figure} images/tensorboard.png
# :name: fig-tensorboard
# :figclass: capture-ecran
# :target: ../_images/tensorboard.png
# :alt: Capture de l'interface de TensorBoard, onglet Time Series. À gauche, la liste des expériences cochées : q1-batch, q1-mini-batch et q1-stochastique, chacune avec sa couleur. À droite, deux cartes de courbes, loss/test et loss/train : les trois courbes chutent pendant les vingt premières époques puis restent à plat jusqu'à l'époque 100 ; sous chaque carte, un tableau donne pour chaque expérience la valeur lissée, la valeur brute et le pas.
#
# L'interface de TensorBoard sur les journaux de la question 1 : une capture d'écran d'un
# vrai serveur TensorBoard, faite par `book/_ext/tp2_book/tensorboard_capture.py`
# (relancez-le avec `nox -s tensorboard_capture`).
# ```
#
# Le livre, lui, trace les courbes relues dans le journal ({numref}`fig-q12`) : elles
# montrent exactement ce qui a été journalisé, sans lissage.

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

# %% [markdown]
# Le coût d'apprentissage décroît à chaque époque, comme on l'attend d'une descente batch
# avec un taux d'apprentissage assez petit (la section suivante dit « assez petit » par
# rapport à quoi). Le coût de test décroît aussi, puis se stabilise plus haut que celui
# d'apprentissage : le modèle a été ajusté aux quartiers d'apprentissage, et ceux du test
# sont d'autres quartiers.
#
# Pour la suite, `fit_linear_regression` (de `tp2_src.linreg`) reprend la boucle de
# `batch_descent`, en notant en plus les MSE, le nombre de pas et le temps à chaque
# époque ; `logged_run(nom)` (de `tp2_src.logs`) ouvre un `SummaryWriter` dans
# `fresh_run_dir(nom)` et le ferme à la sortie du bloc `with`. Avec les mêmes réglages,
# la fonction arrive aux mêmes paramètres que la descente ci-dessus (à l'arrondi près) :

# %%
w_helper, b_helper, _ = fit_linear_regression(
    *split.tensors(), method="batch", lr=0.1, num_epochs=100)
print("mêmes paramètres (à 10⁻⁵ près) :",
      torch.allclose(w.detach(), w_helper, atol=1e-5),
      torch.allclose(b.detach(), b_helper, atol=1e-5))

# %% [markdown]
# Pourquoi `torch.no_grad()` ? Parce que la mise à jour n'est pas un calcul à dériver. Si
# autograd l'enregistrait, `w` deviendrait le résultat d'une opération, avec un `grad_fn` :
# ce ne serait plus une feuille, et il ne recevrait plus de `.grad` (chapitre 2). PyTorch
# refuse donc de modifier sur place, hors de `torch.no_grad()`, une feuille qui demande un
# gradient :

# %%
w_leaf = torch.zeros(X_train.shape[1], device=device, requires_grad=True)
loss = ((X_train @ w_leaf - y_train) ** 2).mean()
loss.backward()
try:
    w_leaf -= 0.1 * w_leaf.grad
except RuntimeError as err:
    print(error_summary(err))

# %% [markdown]
# (sec-taux)=
# ## Choisir le taux d'apprentissage
#
# Écrivons $\boldsymbol{\beta} = (\mathbf{w}, b)$ et $A = [X, \mathbf{1}]$, la matrice
# des données complétée d'une colonne de 1 (elle porte le biais). Le coût est quadratique :
#
# $$
# \ell(\boldsymbol{\beta}) = \tfrac{1}{N}\lVert A\boldsymbol{\beta} - \mathbf{y}\rVert^2,
# \qquad
# \nabla\ell(\boldsymbol{\beta}) = \tfrac{2}{N}A^\top(A\boldsymbol{\beta} - \mathbf{y}),
# \qquad
# H = \nabla^2\ell = \tfrac{2}{N}A^\top A .
# $$
#
# La {term}`hessienne` $H$ ne dépend pas de $\boldsymbol{\beta}$. À l'optimum
# $\boldsymbol{\beta}^\star$, le gradient s'annule, donc
# $\nabla\ell(\boldsymbol{\beta}) = H(\boldsymbol{\beta} - \boldsymbol{\beta}^\star)$, et un
# pas de descente batch donne
#
# $$
# \boldsymbol{\beta}_{t+1} - \boldsymbol{\beta}^\star
# = (I - \eta H)\,(\boldsymbol{\beta}_t - \boldsymbol{\beta}^\star).
# $$
#
# Dans la base des vecteurs propres de $H$, chaque composante de l'erreur est multipliée à
# chaque pas par $1 - \eta\lambda_i$. L'erreur diminue si et seulement si
# $|1 - \eta\lambda_i| < 1$ pour toutes les valeurs propres, c'est-à-dire
# $0 < \eta < 2/\lambda_{\max}$. Au-delà, la composante de $\lambda_{\max}$ change de
# signe et grandit à chaque pas : la descente diverge. Et c'est la plus petite valeur
# propre qui fixe la lenteur : sa composante ne diminue que d'un facteur
# $1 - \eta\lambda_{\min}$ par pas. Le rapport $\lambda_{\max}/\lambda_{\min}$ (le
# conditionnement) mesure donc la difficulté du problème.
#
# Calculons $H$ (`mse_hessian` de `tp2_src.linreg`), ses valeurs propres, et l'optimum
# $\boldsymbol{\beta}^\star$ lui-même : c'est la solution exacte des moindres carrés,
# que `least_squares` calcule directement (la {numref}`section %s <sec-stochastique>` y revient).

# %%
from tp2_src.linreg import mse_hessian  # la hessienne (2/N) AᵀA

w_star, b_star = least_squares(X_train, y_train)  # l'optimum β* (§ 3.5)
optimum = linear_mse(X_train, y_train, w_star, b_star)
print(f"à l'optimum, MSE d'apprentissage {optimum:.3f}")
eigenvalues = torch.linalg.eigvalsh(mse_hessian(X_train.double()))
lam_min, lam_max = eigenvalues.min().item(), eigenvalues.max().item()
limit = 2 / lam_max
print(f"λ_max = {lam_max:.4g}, λ_min = {lam_min:.3g}, "
      f"rapport {lam_max / lam_min:.3g} ; stable pour η < {limit:.3g}")
print(f"meilleur taux constant 2/(λ_max + λ_min) = "
      f"{2 / (lam_max + lam_min):.3g}")

# %% [markdown]
# Sur les variables standardisées, la limite est donc $2/\lambda_{\max} \approx$
# {glue:md}`lr_limit`. Vérifions-la : quatre taux d'apprentissage, de trop petit à trop
# grand. Pour le dernier, `fit_linear_regression` lève `TrainingDivergedError` dès que la
# perte n'est plus finie ; l'erreur garde l'historique déjà mesuré, que l'on trace jusqu'à
# la divergence ({numref}`fig-taux`).

# %%
learning_rates = {"trop petit": 0.01, "bon": 0.1,
                  "sous la limite": 0.95 * limit,
                  "au-dessus": 1.25 * limit}
sweep = {}
for label, rate in learning_rates.items():
    try:
        _, _, sweep[label] = fit_linear_regression(
            *split.tensors(), method="batch", lr=rate, num_epochs=150)
    except TrainingDivergedError as err:
        print(f"η = {rate:.3f} :")
        print(error_summary(err))
        sweep[label] = err.history
for label, h in sweep.items():
    rate, last = learning_rates[label], h.train_mse[-1]
    print(f"η = {rate:.3f} ({label}) : dernière époque mesurée "
          f"{h.epochs[-1]}, MSE {last:.4g}")
    excess = (f"{100 * (last / optimum - 1):.3g} % au-dessus de l'optimum"
              if last < float("inf") else "perte infinie")
    print(f"    {excess} ; |1 − ηλ_max| = {abs(1 - rate * lam_max):.2f}")

# %% tags=["remove-cell", "setup"]
fig, axes = plt.subplots(1, 2, figsize=(7, 3.6))
for label, h in sweep.items():
    gap = [max(v / optimum - 1, 1e-9) for v in h.train_mse]
    rate = french_number(learning_rates[label], ".3f")
    axes[0].plot(h.epochs, gap, label=f"η = {rate} ({label})")
    axes[1].plot(h.epochs, h.train_mse)
axes[0].set_ylim(1e-5, 1e2)
axes[0].set_ylabel("écart relatif à l'optimum")
axes[1].set_ylabel("MSE d'apprentissage")
for ax in axes:
    ax.set_yscale("log")
    ax.set_xlabel("époque")
    french_log_axis(ax, which="y")
    ax.grid(True, which="major", alpha=0.3)
legend_below(fig, axes[0])
glue_figure("fig_taux", fig)

# %% [markdown]
# ```{glue:figure} fig_taux
# :alt: Deux graphiques par époque, axes verticaux logarithmiques. À gauche, l'écart relatif à l'optimum : η = 0,01 décroît lentement ; η = 0,1 décroît vite ; juste sous la limite, l'écart décroît plus vite encore ; au-dessus de la limite, il remonte. À droite, la MSE : la courbe au-dessus de la limite baisse d'abord, puis monte en ligne droite jusqu'à plus de 10³⁰ avant de s'arrêter.
# :name: fig-taux
#
# Descente batch pour quatre taux d'apprentissage $\eta$ autour de la limite de stabilité
# $2/\lambda_{\max}$. À gauche, l'écart relatif de la MSE d'apprentissage à l'optimum,
# $(\ell - \ell^\star)/\ell^\star$ ; à droite, la MSE elle-même, où la courbe au-dessus de
# la limite s'arrête quand la perte cesse d'être finie (échelles verticales
# logarithmiques).
# ```

# %% tags=["remove-cell"]
glue("optimum_train", optimum, ".2f")
glue("lr_limit", limit, ".3f")
glue("lr_best", 2 / (lam_max + lam_min), ".3f")
glue("diverged_epoch", len(sweep["au-dessus"].epochs), "d")
glue("factor_above", abs(1 - learning_rates["au-dessus"] * lam_max), ".1f")
gaps = {label: 100 * (h.train_mse[-1] / optimum - 1) for label, h in sweep.items()}
glue("gap_small", gaps["trop petit"], ".1f")
glue("gap_good", gaps["bon"], ".2f")
glue("gap_edge", gaps["sous la limite"], ".3f")
assert gaps["trop petit"] > 10 * gaps["bon"] > 10 * gaps["sous la limite"] > 0
assert sweep["au-dessus"].epochs[-1] < 150 and sweep["sous la limite"].epochs[-1] == 150
edge = sweep["sous la limite"].train_mse
assert all(b < a for a, b in zip(edge, edge[1:]))  # sous la limite, le coût baisse toujours
above = sweep["au-dessus"].train_mse
assert above[1] < above[0] and above[-1] > above[0]  # baisse d'abord, puis explose

# %% [markdown]
# Après 150 époques, le taux trop petit reste à {glue:md}`gap_small` % au-dessus de
# l'optimum, contre {glue:md}`gap_good` % pour $\eta = 0{,}1$, et {glue:md}`gap_edge` %
# juste sous la limite : là, la composante de $\lambda_{\max}$ change de signe à chaque
# pas, avec un facteur $|1 - \eta\lambda_{\max}|$ proche de 1, mais elle décroît, et le
# coût baisse à chaque époque. Au-dessus de la limite, le coût commence par baisser : au
# départ, l'erreur vient surtout des autres directions, qui diminuent ; la composante de
# $\lambda_{\max}$, minuscule, grandit d'un facteur $|1 - \eta\lambda_{\max}| =$
# {glue:md}`factor_above` par pas, finit par tout emporter, et la perte cesse d'être
# finie à l'époque {glue:md}`diverged_epoch`. Pour un coût quadratique, le meilleur taux constant est
# $2/(\lambda_{\max} + \lambda_{\min}) \approx$ {glue:md}`lr_best`, tout près de la
# limite ; $\eta = 0{,}1$, que nous gardons, est un choix prudent.
#
# ### Et sans standardisation ?
#
# Sur les variables brutes, la hessienne est bien plus mal conditionnée : `TAX` se compte
# en centaines, `NOX` en dixièmes.

# %%
for label, X in (("standardisées", X_train), ("brutes", raw.X_train)):
    ev = torch.linalg.eigvalsh(mse_hessian(X.double()))
    print(f"{label:<13} : λ_max {ev.max():<9.4g} λ_min {ev.min():<8.3g} "
          f"rapport {ev.max() / ev.min():.3g}")

# %% [markdown]
# Le rapport passe de moins de cent à des centaines de millions. Un taux assez petit pour
# ne pas diverger dans la direction la plus raide n'avance alors presque pas dans la plus
# plate. Essayons le taux qui convient aux variables standardisées, puis 90 % de la limite
# de stabilité des variables brutes :

# %%
try:
    fit_linear_regression(*raw.tensors(), method="batch", lr=0.1,
                          num_epochs=100)
except TrainingDivergedError as err:
    print("brutes, η = 0,1 :")
    print(error_summary(err))
ev_raw = torch.linalg.eigvalsh(mse_hessian(raw.X_train.double()))
safe_lr = 0.9 * 2 / ev_raw.max().item()
_, _, raw_hist = fit_linear_regression(*raw.tensors(), method="batch",
                                       lr=safe_lr, num_epochs=100)
print(f"brutes, η = {safe_lr:.1e} : MSE {raw_hist.train_mse[-1]:.2f} "
      "après 100 époques")
print(f"standardisées, η = 0,1 : MSE {sweep['bon'].train_mse[100]:.2f} "
      "après 100 époques")
w_raw, b_raw = least_squares(raw.X_train, raw.y_train)
print(f"optimum exact : {optimum:.2f} (standardisées), "
      f"{linear_mse(raw.X_train, raw.y_train, w_raw, b_raw):.2f} (brutes)")

# %% tags=["remove-cell"]
glue("raw_lr", safe_lr, ".1e")
glue("raw_mse", raw_hist.train_mse[-1], ".1f")
glue("std_mse", sweep["bon"].train_mse[100], ".2f")
assert raw_hist.train_mse[-1] > 2 * optimum > sweep["bon"].train_mse[100]
assert abs(linear_mse(raw.X_train, raw.y_train, w_raw, b_raw) - optimum) < 1e-3

# %% [markdown]
# Sur les variables brutes, le taux 0,1 fait exploser le coût en quelques pas ; un taux
# assez petit pour rester stable ({glue:md}`raw_lr`) laisse, après 100 époques, une MSE
# de {glue:md}`raw_mse`, loin de l'optimum ({glue:md}`optimum_train`, le même pour les deux
# versions des données : standardiser change les coordonnées, pas les prédictions
# possibles). Aucun taux unique ne convient à toutes les directions. Sur les
# variables standardisées, le même calcul arrive à {glue:md}`std_mse`.
#
# (sec-stochastique)=
# ## Stochastique, mini-batch et batch (question 1.3)
#
# La descente batch calcule le gradient exact du coût, mais sur **tous** les exemples à
# chaque pas. Deux variantes font des pas plus nombreux et moins chers, avec un gradient
# estimé sur une partie des exemples :
#
# - **stochastique** : un pas par exemple, tiré dans un ordre aléatoire ;
# - **mini-batch** : un pas par {term}`mini-batch` de quelques exemples (ici 32).
#
# Les lots viennent d'un `DataLoader` sur un `TensorDataset` : à chaque époque, il
# mélange les exemples (`shuffle=True`) avec un générateur de graine fixe, et les rend par
# paquets de `batch_size`. Les trois descentes diffèrent par cette taille, $N$ pour le
# batch, 1 pour le stochastique, 32 pour le mini-batch, et par leur taux d'apprentissage
# (0,1, 0,001 et 0,01, discutés plus bas). Une époque compte donc
# 1 pas en batch, 404 en stochastique et 13 en mini-batch.
#
# ````{exercise} Question 1.3 — stochastique et mini-batch
# :label: q1-3
# :nonumber:
# Ajoutez une descente stochastique (un exemple par pas) et une descente par mini-lots.
# Comparez-les à la descente batch : vitesse de convergence (en époques, en pas de
# gradient, en secondes) et résultats obtenus, face à la solution exacte. Une seule
# fonction suffit aux deux, `descent`, qui fait un pas par lot de `batch_size` exemples :
#
# ```python
# def descent(X_train, y_train, X_test, y_test,
#             batch_size, lr, num_epochs, writer):
#     """Descente par lots de batch_size exemples, mélangés à chaque
#     époque ; journalise comme batch_descent ; rend (w, b)."""
#     w = torch.zeros(X_train.shape[1], device=X_train.device,
#                     requires_grad=True)
#     b = torch.zeros((), device=X_train.device, requires_grad=True)
#     g = torch.Generator().manual_seed(0)  # mêmes mélanges
#     loader = ...  # À vous : DataLoader sur TensorDataset(X_train,
#     #               y_train), mélangé par g (shuffle=True)
#     for epoch in range(num_epochs + 1):
#         if epoch > 0:
#             ...  # À vous : la boucle de la question 1.1, un pas
#             #      par lot (X, y) du loader
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
# La boucle de la question 1.1, où la passe avant porte sur un lot au lieu du jeu entier.

# %% tags=["solution"]
def descent(X_train, y_train, X_test, y_test,
            batch_size, lr, num_epochs, writer):
    """Descente par lots de batch_size exemples, mélangés à chaque
    époque ; journalise comme batch_descent ; rend (w, b)."""
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    g = torch.Generator().manual_seed(0)  # mêmes mélanges
    loader = DataLoader(TensorDataset(X_train, y_train),
                        batch_size=batch_size, shuffle=True,
                        generator=g)
    for epoch in range(num_epochs + 1):
        if epoch > 0:
            for X, y in loader:  # un pas par lot
                loss = ((X @ w + b - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        writer.add_scalar("loss/train",
                          linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test",
                          linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()


# %% tags=["check", "remove-cell"]
from tp2_src.checks import check_minibatch_descent

check_minibatch_descent(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Les deux descentes, journalisées ; les taux d'apprentissage, 0,001 pour le
# stochastique et 0,01 pour le mini-batch, sont discutés plus bas. `logged_run(nom)`
# ouvre le `SummaryWriter` dans `fresh_run_dir(nom)` et le ferme à la sortie du bloc :

# %%
with logged_run("q1-stochastique") as writer:
    w_sto, b_sto = descent(*split.tensors(), batch_size=1, lr=0.001,
                           num_epochs=100, writer=writer)
with logged_run("q1-mini-batch") as writer:
    w_mini, b_mini = descent(*split.tensors(), batch_size=32, lr=0.01,
                             num_epochs=100, writer=writer)
for label, (w_run, b_run) in {"stochastique": (w_sto, b_sto),
                              "mini-batch": (w_mini, b_mini)}.items():
    print(f"{label} : MSE apprentissage "
          f"{linear_mse(X_train, y_train, w_run, b_run):.3f}, test "
          f"{linear_mse(X_test, y_test, w_run, b_run):.3f}")

# %% [markdown]
# Pour comparer les méthodes en pas de gradient et en secondes, il faut compter les pas
# et chronométrer : `fit_linear_regression` reprend la même boucle (mêmes lots, tirés par
# la même graine) en notant, à chaque époque, le nombre de pas et le temps passé dans les
# seuls pas. On ajoute un quatrième réglage, le mini-batch avec un taux cinq fois plus
# grand, pour voir ce que le taux change.

# %%
settings = {"batch": ("batch", 0.1),
            "mini-batch": ("mini-batch", 0.01),
            "stochastique": ("stochastic", 0.001),
            "mini-batch, η = 0,05": ("mini-batch", 0.05)}
histories, runs, params = {}, {}, {}
for label, (method, rate) in settings.items():
    with logged_run(f"q1-compare-{method}-lr{rate:g}") as writer:
        *params[label], histories[label] = fit_linear_regression(
            *split.tensors(), method=method, lr=rate, num_epochs=100,
            seed=0, writer=writer)
    runs[label] = read_scalars(writer.log_dir)

# %% tags=["remove-cell"]
# La fonction du livre refait exactement la boucle de la solution (mêmes lots) :
for label, (w_run, b_run) in {"stochastique": (w_sto, b_sto),
                              "mini-batch": (w_mini, b_mini)}.items():
    assert torch.equal(params[label][0], w_run) and torch.equal(params[label][1], b_run)

# %% [markdown]
# **Face à l'optimum exact.** La régression linéaire a une solution exacte : les moindres
# carrés, que `torch.linalg.lstsq` calcule sur la matrice $A = [X, \mathbf{1}]$
# (`least_squares`, déjà utilisé à la {numref}`section %s <sec-taux>`). scikit-learn (`LinearRegression`)
# donne la même solution :

# %%
sk = LinearRegression().fit(X_train.cpu().numpy(), y_train.cpu().numpy())
w_sk = torch.from_numpy(sk.coef_).float().to(device)
sk_gap = (w_star - w_sk).abs().max()
print(f"écart max lstsq / scikit-learn : {sk_gap:.1e}")

# %% [markdown]
# Le tableau compare chaque descente à cet optimum, et donne l'époque où son écart passe
# sous 1 %. Puis la {numref}`fig-q13` montre les courbes, relues dans les journaux : en traits pleins,
# l'apprentissage ; en tirets, le test. L'axe du nombre de pas est logarithmique (le point
# de départ, à 0 pas, n'y figure donc pas), et les coûts sont journalisés une fois par
# époque : la courbe stochastique commence après 404 pas.
#
# ```{only} html
# Le code qui construit le tableau est replié : cliquez pour l'afficher.
# ```

# %% tags=["hide-input"]
def first_epoch_below(h, threshold: float) -> int | None:
    """Première époque où la MSE d'apprentissage passe sous le seuil."""
    below = (e for e, v in zip(h.epochs, h.train_mse) if v <= threshold)
    return next(below, None)


fr = french_number
reached = {m: first_epoch_below(h, 1.01 * optimum)
           for m, h in histories.items()}
rows = []
for method, h in histories.items():
    e, final = reached[method], h.train_mse[-1]
    gap = fr(100 * (final / optimum - 1), "+.2f")
    when = "jamais" if e is None else f"{e} ({fr(h.steps[e], 'd')} pas)"
    rows.append([method, fr(final, ".3f"), fr(h.test_mse[-1], ".3f"),
                 f"{gap} %", fr(h.steps[-1], "d"), when])
test_star = linear_mse(X_test, y_test, w_star, b_star)
rows.append(["moindres carrés", fr(optimum, ".3f"), fr(test_star, ".3f"),
             "0 %", "—", "—"])
show_table(["méthode", "MSE apprentissage", "MSE test",
            "écart à l'optimum", "pas",
            "époque où l'écart passe sous 1 %"], rows)

# %% tags=["hide-input", "remove-output"]
fig, axes = plt.subplots(1, 2, figsize=(7, 4.2), sharey=True)
plot_losses(axes[0], runs)
plot_losses(axes[1], runs, x_tag="progress/steps", logx=True)
axes[0].set_title("par époque")
axes[1].set_title("par pas de gradient")
axes[0].set_ylim(15, 700)
legend_below(fig, axes[0])


# %% tags=["remove-cell"]
glue_figure("fig_q13", fig)

# %% [markdown]
# ```{glue:figure} fig_q13
# :alt: Deux graphiques côte à côte, MSE en échelle logarithmique. Par époque, la descente stochastique atteint le plus vite le bas, puis les mini-batch, puis le batch. Par pas de gradient, l'ordre s'inverse : le batch arrive en bas avec le moins de pas.
# :name: fig-q13
#
# Question 1.3 : MSE d'apprentissage (traits pleins) et de test (tirets) des descentes
# batch, mini-batch et stochastique, par époque (à gauche) et par pas de gradient (à
# droite, échelle logarithmique), relues dans TensorBoard.
# ```

# %% tags=["remove-cell"]
labels = list(histories)
batch, mini, sto, mini_fast = (histories[m] for m in labels)

glue("optimum_test", linear_mse(X_test, y_test, w_star, b_star), ".3f")
glue("batch_gap", 100 * (batch.train_mse[-1] / optimum - 1), ".2f")
for key, h in (("batch", batch), ("mini", mini), ("sto", sto), ("fast", mini_fast)):
    e = first_epoch_below(h, 1.01 * optimum)
    glue(f"{key}_epochs", e, "d")
    glue(f"{key}_steps", h.steps[e], "d")
    glue(f"{key}_test", h.test_mse[-1], ".2f")
    glue(f"{key}_final_gap", 100 * (h.train_mse[-1] / optimum - 1), ".2f")
# Les affirmations de la prose ci-dessous, vérifiées sur les mesures :
reach = {k: first_epoch_below(h, 1.01 * optimum) for k, h in
         (("batch", batch), ("mini", mini), ("sto", sto), ("fast", mini_fast))}
assert batch.train_mse[-1] <= 1.01 * optimum, "batch finit à 1 % de l'optimum"
assert all(e is not None for e in reach.values()), "chaque méthode atteint le seuil"
assert reach["sto"] < reach["mini"] < reach["batch"]
assert batch.steps[reach["batch"]] < mini_fast.steps[reach["fast"]] < mini.steps[reach["mini"]]
assert mini.steps[reach["mini"]] < sto.steps[reach["sto"]]
assert mini_fast.train_mse[-1] > mini.train_mse[-1]

# %% [markdown]
# **En époques.** La descente stochastique va le plus vite : elle passe à 1 % de l'optimum
# dès l'époque {glue:md}`sto_epochs`, contre {glue:md}`mini_epochs` pour le mini-batch et
# {glue:md}`batch_epochs` pour le batch, car elle fait 404 pas par époque, le mini-batch
# 13 et le batch un seul.
#
# **En pas de gradient**, c'est l'inverse : le batch n'a besoin que de
# {glue:md}`batch_steps` pas, le mini-batch de {glue:md}`mini_steps`, le stochastique de
# {glue:md}`sto_steps`. Ce classement dépend en partie des taux choisis : avec un taux cinq
# fois plus grand, le mini-batch n'a besoin que de {glue:md}`fast_steps` pas, mais il
# s'agite davantage ensuite et finit plus loin de l'optimum ({glue:md}`fast_final_gap` %,
# contre {glue:md}`mini_final_gap` %). Et pourquoi ne pas donner à tous le taux 0,1 du
# batch ? Essayons avec la descente stochastique :

# %%
try:
    fit_linear_regression(*split.tensors(), method="stochastic", lr=0.1,
                          num_epochs=5)
except TrainingDivergedError as err:
    print(error_summary(err))

# %% [markdown]
# Elle diverge dès la première époque. La {numref}`section %s <sec-taux>` l'explique, exemple par exemple : le
# coût d'un seul exemple, $(\mathbf{a}_i^\top\boldsymbol{\beta} - y_i)^2$, a pour hessienne
# $2\,\mathbf{a}_i\mathbf{a}_i^\top$, dont la plus grande valeur propre est
# $2\lVert\mathbf{a}_i\rVert^2$. Un pas sur cet exemple n'est stable que si
# $\eta < 1/\lVert\mathbf{a}_i\rVert^2$ :

# %%
A = torch.cat([X_train, torch.ones(len(X_train), 1, device=device)], dim=1)
curvature = 2 * (A**2).sum(1)  # 2‖aᵢ‖², un par exemple
print(f"2‖aᵢ‖² : moyenne {curvature.mean():.1f}, maximum "
      f"{curvature.max():.1f} ; λ_max du coût moyen : {lam_max:.1f}")
unstable = (0.1 * curvature > 2).float().mean()
print(f"exemples instables à η = 0,1 : {unstable:.0%}")

# %% [markdown]
# Pour un exemple typique, la courbure est plus de deux fois celle du coût moyen, et pour
# certains bien davantage : le taux qui convient au gradient exact fait déborder la
# plupart des pas stochastiques. Le mini-batch moyenne 32 exemples, et sa courbure se
# rapproche de celle du coût moyen : il supporte un taux plus grand.
#
# **Convergence, ou agitation.** Comptons, pour chaque descente, les époques où la MSE
# d'apprentissage remonte, et la somme de ses remontées sur les 20 dernières époques,
# rapportée à son niveau :

# %%
def rises(values: list[float]) -> int:
    """Nombre d'époques où la MSE a augmenté."""
    return sum(after > before for before, after in zip(values, values[1:]))


def wobble(values: list[float]) -> float:
    """Remontées cumulées de la MSE sur les 20 dernières époques,
    relatives à son minimum."""
    tail = values[-21:]
    ups = sum(max(0.0, b - a) for a, b in zip(tail, tail[1:]))
    return ups / min(tail)


show_table(["méthode", "époques où la MSE remonte",
            "remontées des 20 dernières"],
           [[label, rises(h.train_mse),
             french_number(100 * wobble(h.train_mse), ".2f") + " %"]
            for label, h in histories.items()])

# %% tags=["remove-cell"]
for key, h in (("batch", batch), ("mini", mini), ("sto", sto), ("fast", mini_fast)):
    glue(f"{key}_rises", rises(h.train_mse), "d")
    glue(f"{key}_wobble", 100 * wobble(h.train_mse), ".2f")
assert rises(batch.train_mse) == 0 < rises(sto.train_mse)
assert rises(mini.train_mse) > 0
assert wobble(batch.train_mse) == 0 < wobble(mini.train_mse) < wobble(mini_fast.train_mse)
assert wobble(sto.train_mse) > 0

# %% [markdown]
# Le coût est convexe, et l'optimum des moindres carrés (MSE
# d'apprentissage {glue:md}`optimum_train`, de test {glue:md}`optimum_test`) est le seul
# point vers lequel une descente peut converger. La descente batch y **converge** : sa MSE
# baisse à chaque époque (nombre d'époques où elle remonte : {glue:md}`batch_rises`) et
# finit à {glue:md}`batch_gap` % de l'optimum. Les descentes stochastique et mini-batch, à
# taux constant, **ne convergent pas** au sens strict : elles atteignent vite le voisinage
# de l'optimum, puis s'y agitent, parce que chaque pas suit un gradient estimé qui ne
# s'annule pas à l'optimum. Leur MSE d'apprentissage remonte {glue:md}`sto_rises` fois
# (stochastique) et {glue:md}`mini_rises` fois (mini-batch) en 100 époques ; sur les 20
# dernières, leurs remontées cumulées valent {glue:md}`sto_wobble` % et
# {glue:md}`mini_wobble` % de leur niveau, contre {glue:md}`batch_wobble` % pour le batch.
# Pour qu'elles convergent, on diminue le taux au fil des époques. Sur le test, toutes
# finissent proches ({glue:md}`batch_test`, {glue:md}`mini_test` et {glue:md}`sto_test`).
#
# **En secondes**, ce qui compte en pratique. Les temps ci-dessous
# ({numref}`fig-q13-secondes` et tableau) sont **mesurés** pendant la construction du
# livre : ils varient d'une exécution et d'une machine à l'autre, contrairement à tous les
# autres nombres du livre (seuls les pas sont chronométrés, pas l'évaluation ni le
# journal).

# %% tags=["timing", "hide-input", "remove-output"]
fig, ax = plt.subplots(figsize=(7, 4.2))
plot_losses(ax, runs, x_tag="progress/seconds", logx=True)
ax.set_title("MSE en fonction du temps de calcul (temps mesurés)")
legend_below(fig, ax)


# %% tags=["timing", "remove-cell"]
glue_figure("fig_q13_secondes", fig)

# %% [markdown]
# ```{glue:figure} fig_q13_secondes
# :alt: MSE en fonction des secondes de calcul, en échelles logarithmiques : les courbes batch et mini-batch atteignent le bas en une fraction de seconde, la courbe stochastique beaucoup plus tard.
# :name: fig-q13-secondes
#
# Question 1.3 : MSE d'apprentissage (traits pleins) et de test (tirets) en fonction du
# temps de calcul cumulé des pas de gradient, en secondes (échelles logarithmiques). Ces
# temps sont mesurés pendant la construction du livre et varient d'une exécution à
# l'autre.
# ```

# %% tags=["timing", "hide-input"]
def step_cost(h) -> float:
    """Coût d'un pas (s), pris sur l'époque la plus rapide."""
    return min((t1 - t0) / (s1 - s0) for t0, t1, s0, s1 in
               zip(h.seconds, h.seconds[1:], h.steps, h.steps[1:]))


show_table(
    ["méthode", "s (100 époques)", "µs par pas", "s jusqu'à 1 %"],
    [[m, fr(h.seconds[-1], ".3f"), fr(1e6 * step_cost(h), ".0f"),
      fr(h.seconds[reached[m]], ".3f")] for m, h in histories.items()],
)

# %% [markdown]
# Pourquoi le stochastique est-il si lent en secondes, alors qu'un pas ne traite qu'un
# exemple ? Parce qu'un pas coûte surtout son **surcoût fixe** (appels Python, graphe, mise à
# jour), presque indépendante du nombre d'exemples tant que ce nombre reste petit ; dans
# le tableau ci-dessus, un pas compte aussi la préparation de son lot par le
# `DataLoader`, qui coûte d'autant plus que le lot est grand. Mesurons le seul pas de
# gradient selon la taille du lot, sur des données aléatoires de 13 variables (temps
# mesurés, après un premier passage d'échauffement) :

# %% tags=["timing"]
def seconds_per_step(batch_size: int, repeats: int = 20) -> float:
    """Temps d'un pas (passe avant, arrière, mise à jour) sur un lot."""
    X = torch.randn(batch_size, 13, device=device)
    y = torch.randn(batch_size, device=device)
    w = torch.zeros(13, device=device, requires_grad=True)
    timings = []
    for _ in range(repeats + 1):  # le 1er passage échauffe : on l'écarte
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
show_table(["taille du lot", "µs par pas", "µs par exemple"],
           [[french_number(s, "d"), french_number(1e6 * c, ".0f"),
             french_number(1e6 * c / s, ".3f")] for s, c in costs.items()])

# %% [markdown]
# Un gradient de mini-lot est-il utile, s'il n'est qu'une estimation ? Comparons, au point
# de départ $\mathbf{w} = 0$, $b = 0$, la direction du gradient de chaque mini-lot de 32
# exemples à celle du gradient exact (cosinus de l'angle entre les deux ; 1 : même
# direction) :

# %%
w0 = torch.zeros(13, device=device, requires_grad=True)
b0 = torch.zeros((), device=device, requires_grad=True)


def gradient(X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Gradient de la MSE sur (X, y) en (w0, b0), en un vecteur de 14."""
    loss = ((X @ w0 + b0 - y) ** 2).mean()
    grad_w, grad_b = torch.autograd.grad(loss, (w0, b0))
    return torch.cat([grad_w, grad_b[None]])


full = gradient(X_train, y_train)
g = torch.Generator().manual_seed(0)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32,
                    shuffle=True, generator=g)
cosines = [torch.cosine_similarity(gradient(X, y), full, dim=0).item()
           for X, y in loader]
print(f"cosinus mini-lot / exact : moyenne {np.mean(cosines):.2f}, "
      f"minimum {min(cosines):.2f}, sur {len(cosines)} mini-lots")

# %% tags=["timing", "remove-cell"]
to_1pc = {k: h.seconds[reach[k]] for k, h in
          (("batch", batch), ("mini", mini), ("fast", mini_fast), ("sto", sto))}
for key, seconds in to_1pc.items():
    glue(f"{key}_to_1pc", seconds, ".3f")
names = {"batch": "le batch", "mini": "le mini-batch (η = 0,01)",
         "fast": "le mini-batch à η = 0,05", "sto": "le stochastique"}
glue_text("fastest_to_1pc", names[min(to_1pc, key=to_1pc.get)])
glue("sto_seconds", sto.seconds[-1], ".2f")
glue("batch_seconds", batch.seconds[-1], ".2f")
glue("mini_seconds", mini.seconds[-1], ".2f")
glue("cost_ratio_small", costs[404] / costs[1], ".1f")
glue("cost_ratio_big", costs[404_000] / costs[32], ".0f")
glue("cost_ratio_4040", costs[4_040] / costs[32], ".1f")
glue("cost_ratio_tenfold", costs[404_000] / costs[40_400], ".1f")
# Aucune assertion sur les temps : une machine chargée les fausserait. La prose ne
# compare que ce que ces mesures affichent.

# %% tags=["remove-cell"]
glue("cos_mean", float(np.mean(cosines)), ".2f")
glue("cos_min", min(cosines), ".2f")
assert np.mean(cosines) > 0.7

# %% [markdown]
# **Ce que montrent ces mesures, sur 404 exemples.** Un pas sur les 404 exemples a coûté
# {glue:md}`cost_ratio_small` fois un pas sur un seul : bien moins que les 404 fois que
# laisserait attendre le nombre d'exemples, car le coût d'un pas est surtout son surcoût
# fixe.
# Ce qui compte est donc le nombre de pas. Pour arriver à 1 % de l'optimum, il a fallu
# {glue:md}`batch_to_1pc` s au batch, {glue:md}`mini_to_1pc` s au mini-batch
# ({glue:md}`fast_to_1pc` s à η = 0,05) et {glue:md}`sto_to_1pc` s au stochastique ; sur
# la machine qui a construit ce livre, le plus rapide a été {glue:md}`fastest_to_1pc`.
# Entre batch et mini-batch, l'ordre dépend des taux choisis et de la machine ; le
# stochastique, avec ses 404 pas par époque, est de loin le plus lent : ses 100 époques
# prennent {glue:md}`sto_seconds` s, contre {glue:md}`batch_seconds` s pour le batch et
# {glue:md}`mini_seconds` s pour le mini-batch.
#
# **Pourquoi le mini-batch l'emporte sur de grands jeux.** Tant que le lot reste petit, le
# coût d'un pas est dominé par son surcoût fixe : un lot de 4 040 exemples a coûté
# {glue:md}`cost_ratio_4040` fois un lot de 32, pour 126 fois plus d'exemples. Sur de très
# grands lots, c'est le calcul qui domine : un pas sur 404 000 exemples a coûté
# {glue:md}`cost_ratio_big` fois un pas sur 32, et {glue:md}`cost_ratio_tenfold` fois un
# pas sur 40 400, pour 10 fois plus d'exemples. Or, loin de l'optimum, un gradient estimé
# sur 32 exemples indique presque la bonne direction : son cosinus avec le gradient exact
# vaut {glue:md}`cos_mean` en moyenne au point de départ (au pire {glue:md}`cos_min`).
# Pour le prix d'un pas batch sur 404 000 exemples, le mini-batch fait donc
# {glue:md}`cost_ratio_big` pas presque aussi utiles chacun ; sur un jeu plus grand encore,
# le pas batch coûterait davantage, et ce rapport grandirait avec lui. C'est pourquoi le
# mini-batch est la règle pour entraîner les réseaux, et le reste du livre l'emploie.
#
# ## Résumé
#
# - Boston Housing se lit avec NumPy ; on le découpe, puis on standardise les variables
#   sur l'apprentissage seul.
# - Avec autograd, une descente de gradient tient en quatre lignes : passe avant,
#   `backward()`, mise à jour sous `torch.no_grad()`, remise à zéro des gradients.
#   `writer.add_scalar` journalise les coûts, que TensorBoard affiche.
# - La descente batch est stable pour $\eta < 2/\lambda_{\max}$, où $\lambda_{\max}$ est la
#   plus grande valeur propre de la hessienne $\frac{2}{N}A^\top A$. Sans standardisation,
#   cette hessienne est si mal conditionnée qu'aucun taux unique ne convient.
# - Stochastique et mini-batch ne changent que la taille du lot (`DataLoader`) : plus de
#   pas, moins chers, au gradient estimé, qui demandent un taux plus petit ; à taux
#   constant, ils s'agitent autour de l'optimum. Sur 404 exemples, batch et mini-batch
#   arrivent près de l'optimum en une fraction de seconde, le stochastique bien plus tard ;
#   sur de grands jeux, le mini-batch l'emporte.
#
# Le {ref}`chapitre 4 <chap-optim>` confie la mise à jour et la remise à zéro à
# `torch.optim`.
#
# ## Questions
#
# ```{exercise} Exercice 3.a — standardiser
# :label: ex-3a
# :nonumber:
# Pourquoi ajuster le `StandardScaler` sur la partie apprentissage seulement ?
# ```
#
# ```{solution} ex-3a
# :class: dropdown
# Le test simule des données jamais vues. Si ses moyennes et écarts-types servaient à la
# standardisation, le modèle aurait reçu de l'information sur le test, et la MSE de test
# serait optimiste.
# ```
#
# ````{exercise} Exercice 3.b — oublier la remise à zéro
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
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
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
from tp2_src.checks import check_without_reset

check_without_reset(globals())

# %% [markdown]
# ```{solution-end}
# ```
#
# Le coût descend d'abord, puis repart vers le haut et oscille sans converger :

# %%
losses = descent_without_reset(X_train, y_train, lr=0.1, num_epochs=30)
for epoch in (1, 2, 5, 10, 15, 20, 25, 30):
    print(f"époque {epoch:>2} : MSE {losses[epoch - 1]:.4g}")

# %% [markdown]
# ```{admonition} Exécution de ce chapitre
# :class: note
# Les sorties de ce chapitre ont été calculées avec {glue:md}`environnement`. Livre construit
# à partir du dernier commit, daté du {{ date_construction }}.
# ```

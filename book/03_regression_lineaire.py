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
# # 3. Régression linéaire par descente de gradient
#
# ```{admonition} Objectifs
# :class: tip
# À la fin de ce chapitre, vous saurez :
# - écrire une descente de gradient **batch** avec autograd, sans contexte ni dérivée
#   écrite à la main (question 1.1) ;
# - suivre l'apprentissage dans **TensorBoard** avec `SummaryWriter.add_scalar`, et relire
#   ce journal (question 1.2) ;
# - comparer descente batch, **stochastique** et **mini-batch** en époques, en pas de
#   gradient et en secondes, face à la solution exacte des moindres carrés (question 1.3).
# ```

# %%
import matplotlib.pyplot as plt
import torch
from sklearn.linear_model import LinearRegression
from torch.utils.tensorboard import SummaryWriter

from tp2_src.data import load_boston, standardized_split
from tp2_src.device import get_device, make_deterministic
from tp2_src.linreg import TrainingDivergedError, fit_linear_regression, least_squares, mse
from tp2_src.logs import default_logdir, fresh_run_dir, read_scalars
from tp2_src.plots import plot_losses
from tp2_src.report import glue, show_table

make_deterministic(seed=0)  # mêmes nombres à chaque exécution
device = get_device()  # CUDA s'il y en a une, sinon le processeur

# %% tags=["remove-cell"]
# Plomberie du livre (exécutée, non affichée) : figures SVG lisibles.
from tp2_src.figures import use_book_style

use_book_style()

# %% [markdown]
# ## 3.1 Les données : Boston Housing
#
# Le jeu de données décrit 506 quartiers de la région de Boston en 1970 par 13 variables
# (taux de criminalité `CRIM`, nombre moyen de pièces `RM`, part de population modeste
# `LSTAT`…). La cible `MEDV` est la valeur médiane des logements, en milliers de dollars.
# Le fichier est livré avec `tp2_src` (empreinte vérifiée à chaque chargement).
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

# %%
data = load_boston()
print("X :", tuple(data.X.shape), data.X.dtype, "| y :", tuple(data.y.shape))
print("variables :", ", ".join(data.feature_names))
print(f"MEDV : de {data.y.min():.1f} à {data.y.max():.1f} k$, moyenne {data.y.mean():.2f} k$")

# %% [markdown]
# On garde 20 % des quartiers pour le test (découpage `train_test_split` de scikit-learn,
# tiré avec une graine fixe), et l'on **standardise** chaque variable (moyenne nulle,
# écart-type 1, `StandardScaler` de scikit-learn) avec les statistiques de la partie
# apprentissage seulement : calculées sur tout le jeu, elles laisseraient fuir
# de l'information du test. Sans standardisation, `TAX` (centaines) et `NOX` (dixièmes)
# auraient des gradients d'échelles si différentes qu'aucun taux d'apprentissage unique ne
# conviendrait.

# %%
split = standardized_split(data.X, data.y, test_size=0.2, seed=0)
X_train, y_train, X_test, y_test = split.to(device).tensors()
print(f"apprentissage : {tuple(X_train.shape)}, test : {tuple(X_test.shape)}")
print(f"apprentissage : plus grande |moyenne| {X_train.mean(0).abs().max():.1e}, "
      f"écarts-types entre {X_train.std(0, unbiased=False).min():.4f} et {X_train.std(0, unbiased=False).max():.4f}")

# %% [markdown]
# ## 3.2 Descente de gradient batch avec autograd (questions 1.1 et 1.2)
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
# 3. mise à jour $\mathbf{w} \leftarrow \mathbf{w} - \eta\,\nabla_{\mathbf{w}}\ell$ ($\eta$ est le\n#    {term}`taux d'apprentissage`, `lr` dans le code),
#    **sous `torch.no_grad()`** : la mise à jour ne doit pas entrer dans le graphe ;
# 4. remise à zéro des gradients, sinon ils s'accumulent (chapitre 2).
#
# Pour la question 1.2, on journalise à chaque époque les coûts d'apprentissage et de test
# avec `SummaryWriter.add_scalar(tag, valeur, époque)`. Chaque expérience écrit dans son
# propre dossier sous `runs/` (à la racine du dépôt, ou dans le dossier désigné par la
# variable d'environnement `TP2_LOGDIR`).
#
# ```{exercise} Question 1.1 — descente batch avec autograd
# :label: q1-1
# :nonumber:
# Reprenez la régression linéaire du TME 1, mais sans contexte ni passe arrière écrite à
# la main : les paramètres sont des tenseurs feuilles, et c'est autograd qui calcule leur
# gradient. Écrivez la boucle de descente de gradient **batch** sur les données
# d'apprentissage de Boston Housing.
# ```
#
# ```{solution-start} q1-1
# :class: dropdown
# ```
#
# La boucle ci-dessous suit les quatre étapes. Les deux lignes `writer.add_scalar`
# préparent déjà la question 1.2.

# %%
lr, num_epochs = 0.1, 100
w = torch.zeros(X_train.shape[1], device=device, requires_grad=True)
b = torch.zeros((), device=device, requires_grad=True)

run = fresh_run_dir("q1-batch-manuel")
writer = SummaryWriter(run)
writer.add_scalar("loss/train", mse(X_train, y_train, w, b), 0)  # coûts initiaux (époque 0)
writer.add_scalar("loss/test", mse(X_test, y_test, w, b), 0)
for epoch in range(1, num_epochs + 1):
    y_hat = X_train @ w + b  # 1. passe avant
    loss = ((y_hat - y_train) ** 2).mean()
    loss.backward()  # 2. passe arrière : w.grad et b.grad
    with torch.no_grad():  # 3. mise à jour, hors du graphe
        w -= lr * w.grad
        b -= lr * b.grad
    w.grad.zero_()  # 4. sinon le gradient suivant s'ajouterait à celui-ci
    b.grad.zero_()
    writer.add_scalar("loss/train", mse(X_train, y_train, w, b), epoch)
    writer.add_scalar("loss/test", mse(X_test, y_test, w, b), epoch)
writer.close()
print(f"après {num_epochs} époques : MSE apprentissage {mse(X_train, y_train, w, b):.3f}, "
      f"test {mse(X_test, y_test, w, b):.3f}")
print("journal :", run.relative_to(default_logdir().parent))

# %% [markdown]
# Pourquoi `torch.no_grad()` ? Sans lui, PyTorch refuse de modifier sur place une feuille
# qui demande un gradient — la modification devrait elle-même entrer dans le graphe :

# %%
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
try:
    w -= lr * w.grad
except RuntimeError as err:
    print("RuntimeError :", err)
w.grad = None  # on jette ce gradient : il ne servira pas
b.grad = None

# %% [markdown]
# ```{solution-end}
# ```
#
# ### Suivre l'apprentissage dans TensorBoard
#
# Pour suivre les courbes pendant l'apprentissage, lancez TensorBoard dans un terminal,
# à la racine du dépôt, puis ouvrez l'adresse qu'il affiche (http://localhost:6006) :
#
# ```bash
# tensorboard --logdir runs    # ou : nox -s tensorboard
# ```
#
# Le livre, lui, relit les mêmes fichiers d'événements avec le lecteur de TensorBoard
# (`EventAccumulator`, via `tp2_src.logs.read_scalars`) : la figure ci-dessous montre donc
# exactement ce qui a été journalisé.
#
# ```{exercise} Question 1.2 — Boston Housing et TensorBoard
# :label: q1-2
# :nonumber:
# Appliquez votre descente aux données de Boston Housing et tracez, à chaque époque, le
# coût sur l'apprentissage et le coût sur le test. Utilisez TensorBoard : un
# `SummaryWriter(chemin)` pour créer le journal, puis seulement `add_scalar`.
# ```
#
# ```{solution-start} q1-2
# :class: dropdown
# ```
#
# La boucle de la question 1.1 a écrit les deux séries `loss/train` et `loss/test` dans
# son dossier ; on les relit ({numref}`fig-q12`).

# %%
logged = read_scalars(run)
for tag, (steps, values) in logged.items():
    print(f"{tag} : {len(steps)} points, époques {steps[0]} à {steps[-1]}, de {values[0]:.1f} à {values[-1]:.3f}")

# %% mystnb={"figure": {"caption": "Question 1.2 : les coûts d'apprentissage (trait plein) et de test (tirets) de la descente batch, à chaque époque, relus dans le journal TensorBoard (MSE en échelle logarithmique).", "name": "fig-q12"}, "image": {"alt": "Deux courbes décroissantes en échelle logarithmique sur 100 époques : la MSE d'apprentissage descend continûment, la MSE de test descend puis se stabilise un peu plus haut."}}
fig, ax = plt.subplots(figsize=(7, 3.8))
plot_losses(ax, {"batch (boucle ci-dessus)": logged})
ax.set_title("Coûts journalisés dans TensorBoard, relus")
fig.tight_layout()

# %% [markdown]
# Le coût d'apprentissage décroît à chaque époque, comme on l'attend d'une descente batch
# avec un taux d'apprentissage assez petit. Le coût de test décroît aussi puis se stabilise plus haut :
# le modèle linéaire ne peut pas tout expliquer, et les quartiers du test ne sont pas ceux
# sur lesquels il a appris.
#
# ```{solution-end}
# ```
#
# ## 3.3 Stochastique, mini-batch et batch (question 1.3)
#
# La descente batch calcule le gradient exact du coût, mais sur **tous** les exemples à
# chaque pas. Deux variantes font des pas plus nombreux et moins chers, avec un gradient
# estimé :
#
# - **stochastique** : un pas par exemple, tiré dans un ordre aléatoire ;
# - **mini-batch** : un pas par lot de quelques exemples (ici 32).
#
# Les lots viennent d'un `DataLoader` sur un `TensorDataset`, mélangés par un générateur
# de graine fixe. La fonction `fit_linear_regression` de `tp2_src.linreg` reprend
# exactement la boucle de la section précédente, avec ce `DataLoader`, le chronométrage
# des pas et le journal TensorBoard. Chaque méthode reçoit son propre taux
# d'apprentissage : un gradient estimé sur un seul exemple est bruité, et demande un taux
# plus petit pour ne pas osciller.
#
# ```{exercise} Question 1.3 — stochastique et mini-batch
# :label: q1-3
# :nonumber:
# Ajoutez une descente stochastique (un exemple par pas) et une descente par mini-lots.
# Comparez-les à la descente batch : vitesse de convergence (en époques, en pas de
# gradient, en secondes) et résultats obtenus, face à la solution exacte.
# ```
#
# ```{solution-start} q1-3
# :class: dropdown
# ```

# %%
settings = {
    "batch": {"lr": 0.1},
    "mini-batch": {"lr": 0.01, "batch_size": 32},
    "stochastic": {"lr": 0.001},
}
labels = {"batch": "batch", "mini-batch": "mini-batch", "stochastic": "stochastique"}
histories, runs = {}, {}
for method, kwargs in settings.items():
    run = fresh_run_dir(method)
    with SummaryWriter(run) as writer:
        histories[method] = fit_linear_regression(
            X_train, y_train, X_test, y_test,
            method=method, num_epochs=num_epochs, seed=0, writer=writer, **kwargs,
        )
    runs[labels[method]] = read_scalars(run)
    h = histories[method]
    print(f"{labels[method]:>12} : lr={h.lr}, lots de {h.batch_size}, {h.steps[-1]} pas, "
          f"MSE apprentissage {h.train_mse[-1]:.3f}")

# La version outillée de la boucle donne exactement les poids de la boucle écrite en 3.2.
torch.testing.assert_close(histories["batch"].w, w.detach())
torch.testing.assert_close(histories["batch"].b, b.detach())

# %% [markdown]
# La {numref}`fig-q13` est relue dans les journaux. En traits pleins, l'apprentissage ;
# en tirets, le test. L'axe du nombre de pas est logarithmique (le point de départ, à 0
# pas, n'y figure donc pas), et les coûts sont journalisés une fois par époque : la courbe
# stochastique commence après 404 pas.

# %% mystnb={"figure": {"caption": "Question 1.3 : MSE d'apprentissage (traits pleins) et de test (tirets) des descentes batch, mini-batch et stochastique, par époque (à gauche) et par pas de gradient (à droite, échelle logarithmique), relues dans TensorBoard.", "name": "fig-q13"}, "image": {"alt": "Deux graphiques côte à côte, MSE en échelle logarithmique. Par époque, la descente stochastique atteint le plus vite le bas, puis le mini-batch, puis le batch. Par pas de gradient, l'ordre s'inverse : le batch arrive en bas en le moins de pas."}}
fig, axes = plt.subplots(1, 2, figsize=(7, 3.8), sharey=True)
plot_losses(axes[0], runs)
plot_losses(axes[1], runs, x_tag="progress/steps", logx=True, legend=False)
axes[0].set_title("par époque")
axes[1].set_title("par pas de gradient")
fig.tight_layout()

# %% [markdown]
# **Face à l'optimum exact.** La régression linéaire a une solution exacte : les moindres
# carrés, que `torch.linalg.lstsq` calcule sur la matrice $[X, \mathbf{1}]$ (la colonne de
# 1 porte le biais). scikit-learn (`LinearRegression`) donne la même solution ; ces deux
# lignes de référence sont calculées sur le même découpage.

# %%
w_star, b_star = least_squares(X_train, y_train)  # torch.linalg.lstsq sur [X, 1]
sk = LinearRegression().fit(X_train.cpu().numpy(), y_train.cpu().numpy())
w_sk = torch.from_numpy(sk.coef_).float().to(device)
b_sk = torch.tensor(sk.intercept_, dtype=torch.float32, device=device)
optimum = mse(X_train, y_train, w_star, b_star)
print(f"optimum (lstsq) : MSE apprentissage {optimum:.4f}")
print(f"écart max des coefficients lstsq / scikit-learn : {(w_star - w_sk).abs().max():.1e}")


def first_epoch_below(h, threshold: float) -> int | None:
    """Première époque où la MSE d'apprentissage passe sous le seuil (None si jamais)."""
    return next((e for e, v in zip(h.epochs, h.train_mse, strict=True) if v <= threshold), None)


threshold = 1.01 * optimum
reached = {method: first_epoch_below(h, threshold) for method, h in histories.items()}
rows = []
for method, h in histories.items():
    epoch = reached[method]
    rows.append([
        labels[method], f"{h.train_mse[-1]:.3f}", f"{h.test_mse[-1]:.3f}",
        f"{100 * (h.train_mse[-1] / optimum - 1):+.2f} %", h.steps[-1],
        "non atteint" if epoch is None else f"époque {epoch}, {h.steps[epoch]} pas",
    ])
for name, (wr, br) in {"moindres carrés (lstsq)": (w_star, b_star),
                       "scikit-learn LinearRegression": (w_sk, b_sk)}.items():
    rows.append([name, f"{mse(X_train, y_train, wr, br):.3f}", f"{mse(X_test, y_test, wr, br):.3f}",
                 f"{100 * (mse(X_train, y_train, wr, br) / optimum - 1):+.2f} %", "—", "—"])
show_table(
    ["méthode", "MSE apprentissage", "MSE test", "écart à l'optimum", "pas", "à 1 % de l'optimum"],
    rows,
)

# %% [markdown]
# **Et en secondes ?** Les temps ci-dessous ({numref}`fig-q13-secondes` et tableau) sont **mesurés** pendant la construction du
# livre : ils varient d'une exécution et d'une machine à l'autre, contrairement à tous
# les autres nombres du livre (seul le calcul des pas est chronométré, pas l'évaluation ni
# l'écriture du journal).

# %% tags=["timing"]
def step_cost(h) -> float:
    """Coût d'un pas (s) sur l'époque la plus rapide : robuste à une machine chargée."""
    per_epoch = [(t1 - t0) / (s1 - s0) for t0, t1, s0, s1 in
                 zip(h.seconds, h.seconds[1:], h.steps, h.steps[1:], strict=False)]
    return min(per_epoch)


show_table(
    ["méthode", "secondes (100 époques)", "µs par pas (époque la plus rapide)",
     "secondes jusqu'à 1 % de l'optimum"],
    [[labels[method], f"{h.seconds[-1]:.3f}", f"{1e6 * step_cost(h):.0f}",
      "—" if reached[method] is None else f"{h.seconds[reached[method]]:.3f}"]
     for method, h in histories.items()],
)

# %% tags=["timing"] mystnb={"figure": {"caption": "Question 1.3 : MSE d'apprentissage (traits pleins) et de test (tirets) en fonction du temps de calcul cumulé des pas de gradient, en secondes (échelles logarithmiques). Ces temps sont mesurés pendant la construction du livre et varient d'une exécution à l'autre.", "name": "fig-q13-secondes"}, "image": {"alt": "MSE en fonction des secondes de calcul, en échelles logarithmiques : les courbes batch et mini-batch atteignent le bas en une fraction de seconde, la courbe stochastique beaucoup plus tard."}}
fig, ax = plt.subplots(figsize=(7, 3.8))
plot_losses(ax, runs, x_tag="progress/seconds", logx=True)
ax.set_title("MSE par seconde de calcul (temps mesurés)")
fig.tight_layout()

# %% [markdown]
# Ce que disent les mesures (les nombres de ce paragraphe sont collés depuis les calculs
# ci-dessus, et les cellules suivantes vérifient chaque comparaison annoncée) :

# %%
batch, mini, sto = (histories[m] for m in ("batch", "mini-batch", "stochastic"))
glue("optimum_train", optimum, ".3f")
glue("optimum_test", mse(X_test, y_test, w_star, b_star), ".3f")
glue("batch_gap", 100 * (batch.train_mse[-1] / optimum - 1), ".2f")
for key, method in (("batch", "batch"), ("mini", "mini-batch"), ("sto", "stochastic")):
    glue(f"{key}_epochs", reached[method], "d")
    glue(f"{key}_steps", histories[method].steps[reached[method]], "d")
    glue(f"{key}_test", histories[method].test_mse[-1], ".2f")


def rises(values: list[float]) -> int:
    """Nombre d'époques où la MSE d'apprentissage a augmenté."""
    return sum(after > before for before, after in zip(values, values[1:], strict=False))


glue("batch_rises", rises(batch.train_mse), "d")
glue("sto_rises", rises(sto.train_mse), "d")

# Les affirmations de la prose ci-dessous, vérifiées sur les mesures :
assert batch.train_mse[-1] <= 1.01 * optimum, "batch doit finir à 1 % de l'optimum"
assert all(reached[m] is not None for m in histories), "chaque méthode atteint le seuil"
assert reached["stochastic"] < reached["mini-batch"] < reached["batch"]
assert batch.steps[reached["batch"]] < mini.steps[reached["mini-batch"]] < sto.steps[reached["stochastic"]]
assert rises(batch.train_mse) == 0 < rises(sto.train_mse)

# %% tags=["timing"]
for key, h in (("batch", batch), ("mini", mini), ("sto", sto)):
    glue(f"{key}_seconds", h.seconds[-1], ".2f")
glue("sto_per_step_us", 1e6 * step_cost(sto), ".0f")
glue("batch_per_step_us", 1e6 * step_cost(batch), ".0f")
step_cost_ratio = glue("step_cost_ratio", step_cost(batch) / step_cost(sto), ".0f")
# Comparaisons de temps annoncées ci-dessous (sans marge fragile : les temps varient) :
assert sto.seconds[-1] > max(batch.seconds[-1], mini.seconds[-1])
assert step_cost_ratio < 100, "un pas batch traite 404 fois plus d'exemples, pour bien moins cher"

# %% [markdown]
# - **Toutes les méthodes convergent** vers l'optimum des moindres carrés (MSE
#   d'apprentissage {glue:md}`optimum_train`, de test
#   {glue:md}`optimum_test`) : le coût est convexe. Après 100 époques, la
#   descente batch en est à {glue:md}`batch_gap` %.
# - **Par époque**, la descente stochastique va le plus vite : elle passe à 1 % de
#   l'optimum dès l'époque {glue:md}`sto_epochs`, contre {glue:md}`mini_epochs`
#   pour le mini-batch et {glue:md}`batch_epochs` pour le batch, car elle fait 404 pas
#   par époque au lieu d'un.
# - **Par pas de gradient**, c'est l'inverse : le batch n'a besoin que de
#   {glue:md}`batch_steps` pas, le mini-batch de {glue:md}`mini_steps`, le
#   stochastique de {glue:md}`sto_steps`. Le gradient exact supporte un grand taux
#   d'apprentissage (0,1) ; les gradients bruités en demandent de plus petits (0,01 et
#   0,001), donc des pas plus nombreux.
# - **Par seconde**, ce qui compte en pratique, le stochastique perd : un pas sur un seul
#   exemple coûte {glue:md}`sto_per_step_us` µs (sur l'époque la plus rapide), seulement
#   {glue:md}`step_cost_ratio` fois moins qu'un pas batch sur 404 exemples
#   ({glue:md}`batch_per_step_us` µs, sur la machine qui a construit ce livre) :
#   le temps part dans la surcharge de chaque pas (appels Python, graphe, mise à jour,
#   lot à préparer), pas dans le calcul. Ses 100 époques prennent
#   {glue:md}`sto_seconds` s contre {glue:md}`batch_seconds` s pour le batch
#   et {glue:md}`mini_seconds` s pour le mini-batch. Le mini-batch est le
#   compromis habituel : des pas assez nombreux pour avancer vite, des lots assez grands
#   pour profiter du calcul vectorisé.
# - Le bruit du gradient estimé se voit sur les courbes : la MSE d'apprentissage du batch
#   baisse à chaque époque ({glue:md}`batch_rises` hausse sur 100), celle du
#   stochastique remonte {glue:md}`sto_rises` fois. Avec un taux constant, les paramètres
#   s'agitent autour de l'optimum au lieu de s'y poser ; on diminue le taux au fil des
#   époques pour l'atténuer. Sur le test, les trois méthodes finissent proches
#   ({glue:md}`batch_test`, {glue:md}`mini_test` et {glue:md}`sto_test`).
#
# ```{solution-end}
# ```
#
# ## Résumé
#
# - Avec autograd, une descente de gradient tient en quatre lignes : passe avant,
#   `backward()`, mise à jour sous `torch.no_grad()`, remise à zéro des gradients.
# - `SummaryWriter.add_scalar(tag, valeur, pas)` écrit un journal que TensorBoard affiche
#   (`tensorboard --logdir runs`) et que `EventAccumulator` relit.
# - Batch, mini-batch et stochastique échangent le coût d'un pas contre la qualité du
#   gradient ; on les compare en époques, en pas et en secondes, face à l'optimum exact.
#
# Le {ref}`chapitre 4 <chap-optim>` confie la mise à jour et la remise à zéro à
# `torch.optim`.
#
# ## Questions
#
# ```{exercise} Question 3.a — le taux d'apprentissage
# :label: ex-3a
# :nonumber:
# Que se passe-t-il avec `lr=1.0` pour la descente batch de ce chapitre ?
# ```
#
# ```{solution-start} ex-3a
# :class: dropdown
# ```
#
# Le coût est quadratique, de hessien $H = \frac{2}{N}A^\top A$ avec $A = [X, \mathbf{1}]$.
# La descente batch n'est stable que si $\eta < 2/\lambda_{\max}(H)$ ; au-delà,
# l'erreur est multipliée à chaque pas par $|1 - \eta\lambda_{\max}| > 1$ et le coût
# part à l'infini. `fit_linear_regression` s'arrête dès que la perte cesse d'être finie,
# avec une erreur qui donne le taux d'apprentissage et le numéro du pas de gradient.

# %%
A = torch.cat([X_train, torch.ones(len(X_train), 1, device=device)], dim=1)
lambda_max = torch.linalg.eigvalsh(2 / len(A) * A.T @ A).max().item()
print(f"λ_max = {lambda_max:.2f} : la descente batch diverge pour lr > {2 / lambda_max:.3f}")
try:
    fit_linear_regression(X_train, y_train, X_test, y_test, method="batch", lr=1.0, num_epochs=500)
except TrainingDivergedError as err:
    print("TrainingDivergedError :", err)

# %% [markdown]
# ```{solution-end}
# ```

# %% [markdown]
# ```{exercise} Question 3.b — standardiser
# :label: ex-3b
# :nonumber:
# Pourquoi ajuster le `StandardScaler` sur la partie apprentissage seulement ?
# ```
#
# ```{solution} ex-3b
# :class: dropdown
# Le test simule des données jamais vues. Si ses moyennes et écarts-types servaient à la
# standardisation, le modèle aurait reçu de l'information sur le test, et la MSE de test
# serait optimiste.
# ```

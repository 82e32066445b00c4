"""Les vérifications de l'édition étudiant : une par exercice, qui juge le code de l'étudiant.

Dans l'édition étudiant des notebooks, chaque exercice de code demande d'écrire une
fonction (ou une classe) ; la cellule qui suit l'appelle ainsi ::

    from tp2_src.checks import check_batch_descent
    check_batch_descent(globals())

La vérification cherche la fonction dans ``globals()`` et l'appelle elle-même (voir
``tp2_src.grading``) : d'abord sur un petit jeu de données où elle relève chaque pas
(``backward()``, valeurs et gradients des paramètres) pour juger la **méthode** demandée,
puis sur Boston Housing pour juger le résultat. Elle ne lit aucune variable que d'autres
cellules pourraient changer, ne modifie rien du notebook (générateur aléatoire compris),
et peut être relancée à tout moment. Un échec lève ``CheckError`` avec un message en
français qui dit la cause et quoi faire ; un succès affiche une ligne « ✅ ».
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import torch
from torch import nn

from tp2_src.data import Split, boston_split
from tp2_src.french import french_number
from tp2_src.grading import (
    CheckError,
    RecordingWriter,
    call,
    fail,
    lookup,
    passed,
    percent,
    recording,
    student_function,
)
from tp2_src.linreg import least_squares, linear_mse

__all__ = [
    "CheckError",
    "check_scalar_engine",
    "check_autoencoder_gradients",
    "check_batch_descent",
    "check_boston_log",
    "check_minibatch_descent",
    "check_without_reset",
    "check_sgd_descent",
    "check_momentum_descent",
    "check_sin_derivatives",
    "check_tanh_function",
    "check_two_layer_net",
    "check_sequential",
]

#: Écart relatif toléré à l'optimum des moindres carrés, sur Boston Housing.
MSE_TOLERANCE = 0.01
#: Tolérance relative des comparaisons de gradients et de pas (float32).
STEP_RTOL = 1e-3

DESCENT_PARAMETERS = ("X_train", "y_train", "X_test", "y_test", "lr", "num_epochs", "writer")


@cache
def _boston() -> Split:
    """Boston Housing découpé et standardisé comme au chapitre 3 (sur le processeur)."""
    return boston_split()


def _tiny(n: int = 12, d: int = 13, seed: int = 0) -> Split:
    """Un petit problème de régression (``n`` exemples, ``d`` variables), où chaque pas se
    lit exactement : avec n ≤ d + 1, le gradient d'un mini-batch dit quels exemples il contient."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n + n // 2, d, generator=g)
    y = X @ torch.randn(d, generator=g) + 0.5 * torch.randn(n + n // 2, generator=g) + 3.0
    return Split(X[:n], y[:n], X[n:], y[n:])


def _isolated(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` appelée sans toucher au générateur aléatoire du notebook."""

    def run(*args: Any, **kwargs: Any) -> Any:
        with torch.random.fork_rng(devices=[]):
            return function(*args, **kwargs)

    return run


# --- Les descentes de gradient sur la régression linéaire (chapitres 3 et 4) -------------


@dataclass
class _Audit:
    """Ce qu'une descente a fait, pas à pas : ses paramètres (w, b) et ses pas."""

    w: torch.Tensor
    b: torch.Tensor
    steps: int
    result: Any


def _params_of(
    question: str, name: str, leaves: list[torch.Tensor], d: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, b) parmi les feuilles du coût : un vecteur de ``d`` poids et un biais."""
    ws = [t for t in leaves if t.numel() == d]
    bs = [t for t in leaves if t.numel() == 1]
    if len(leaves) != 2 or len(ws) != 1 or len(bs) != 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in leaves) or "aucun"
        fail(question, f"le coût de {name} dépend de {len(leaves)} tenseur(s) qui demandent un gradient "
                       f"(formes : {shapes}) ; il en faut deux : w de forme ({d},) et b de forme ().")
    w, b = ws[0], bs[0]
    if tuple(w.shape) != (d,):
        fail(question, f"w a la forme {tuple(w.shape)} au lieu de ({d},). Avec cette forme, X @ w a la "
                       f"forme (n, 1), et l'écart à y, de forme (n,), est diffusé en une matrice (n, n) : "
                       f"le coût est faux. Créez w avec torch.zeros({d}).")
    if tuple(b.shape) != ():
        fail(question, f"b a la forme {tuple(b.shape)} au lieu de () : créez-le avec torch.zeros(()).")
    return w, b


def _batch_weights(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
                   gradient: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Les poids ``a`` des exemples dans ``gradient`` = Σ aᵢ ∇(xᵢ·w + b − yᵢ)², et l'écart relatif.

    Un pas de MSE sur un mini-batch B donne aᵢ = 1/|B| pour i ∈ B, 0 ailleurs.
    """
    X64, y64 = X.double(), y.double()
    residual = X64 @ w.double() + b.double() - y64
    per_example = 2 * residual[:, None] * torch.cat([X64, torch.ones(len(X64), 1, dtype=X64.dtype)], 1)
    target = gradient.double()
    weights = torch.linalg.lstsq(per_example.T, target[:, None]).solution[:, 0]
    error = (per_example.T @ weights - target).norm() / max(target.norm().item(), 1e-12)
    return weights, error.item()


def _audit_descent(
    question: str,
    name: str,
    run: Callable[[Split], Any],
    *,
    batch_size: int,
    lr: float,
    num_epochs: int,
    reset: bool = True,
) -> _Audit:
    """Appelle ``run(données)`` sur ``_tiny()`` et juge chaque pas de la descente.

    Attendu : ``num_epochs`` époques de mini-batchs de ``batch_size`` exemples qui couvrent les
    données une fois par époque ; à chaque pas, le gradient de la MSE moyenne du mini-batch ; puis
    ``w ← w − lr·.grad`` ; ``.grad`` remis à zéro entre deux pas (``reset``), ou au contraire
    jamais (la question 3.b).
    """
    data = _tiny()
    n, d = data.X_train.shape
    with recording() as rec:
        result = call(question, f"votre fonction {name}", _isolated(run), data)
    records = rec.backwards
    if not records:
        fail(question, f"{name} n'appelle jamais backward() : la question demande une descente de "
                       "gradient où autograd calcule le gradient à chaque pas (ni solution exacte, ni "
                       "dérivée écrite à la main).")
    w, b = _params_of(question, name, rec.leaves(), d)
    per_epoch = math.ceil(n / batch_size)
    expected = per_epoch * num_epochs
    what = "un pas par époque" if batch_size >= n else f"un pas par mini-batch de {batch_size}"
    if len(records) != expected:
        fail(question, f"appelée pour {num_epochs} époques sur {n} exemples, {name} fait "
                       f"{len(records)} pas (appels à backward()) au lieu de {expected} ({what}).")
    for k, record in enumerate(records):
        if {id(t) for t in record.leaves} != {id(w), id(b)}:
            fail(question, f"au pas {k + 1}, le coût ne dépend pas de w et de b à la fois.")
    _check_resets(question, records, (w, b), per_epoch, reset)
    seen_in_epoch: set[int] = set()
    for k, record in enumerate(records):
        iw, ib = _position(record.leaves, w), _position(record.leaves, b)
        value_w, value_b = record.values[iw], record.values[ib]
        gradient = torch.cat([record.gradient(iw).reshape(-1), record.gradient(ib).reshape(1)])
        weights, error = _batch_weights(data.X_train, data.y_train, value_w, value_b, gradient)
        if error > STEP_RTOL:
            fail(question, f"au pas {k + 1}, le gradient ne correspond à la MSE d'aucun mini-batch de vos "
                           "données : le coût est-il bien ((X @ w + b - y) ** 2).mean(), sur le mini-batch "
                           "en cours ?")
        members = {i for i, a in enumerate(weights.tolist()) if abs(a) > 0.5 * weights.abs().max().item()}
        size = len(members)
        expected_size = min(batch_size, n - (k % per_epoch) * batch_size)
        if size != expected_size:
            if batch_size < n and size == n:
                fail(question, f"au pas {k + 1}, le coût porte sur les {n} exemples au lieu d'un mini-batch "
                               f"de {batch_size} : calculez-le sur le mini-batch (X, y) que rend le "
                               "DataLoader, pas sur tout X_train.")
            fail(question, f"au pas {k + 1}, le gradient vient de {size} exemple(s) au lieu de "
                           f"{expected_size} : chaque pas doit utiliser un mini-batch de {batch_size}.")
        mean = sum(weights[i].item() for i in members) / size
        if abs(mean - 1.0) < 0.1 and size > 1:
            fail(question, f"au pas {k + 1}, le coût est la somme des écarts au carré du mini-batch, pas "
                           "leur moyenne : utilisez .mean() (la MSE).")
        if abs(mean * size - 1.0) > 0.05:
            fail(question, f"au pas {k + 1}, le coût n'est pas la MSE du mini-batch (poids "
                           f"{french_number(mean, '.3g')} par exemple au lieu de 1/{size}) : utilisez "
                           "((X @ w + b - y) ** 2).mean().")
        if members & seen_in_epoch:
            fail(question, f"au pas {k + 1}, un exemple sert deux fois dans la même époque : chaque "
                           "époque doit parcourir les données une fois (un DataLoader le fait).")
        seen_in_epoch |= members
        if (k + 1) % per_epoch == 0:
            seen_in_epoch = set()
        # La mise à jour : de ces valeurs aux suivantes (ou aux valeurs finales).
        if k + 1 < len(records):
            nxt = records[k + 1]
            new_w, new_b = nxt.values[_position(nxt.leaves, w)], nxt.values[_position(nxt.leaves, b)]
        else:
            new_w, new_b = w.detach(), b.detach()
        used_w = record.after[iw] if record.after[iw] is not None else torch.zeros_like(value_w)
        used_b = record.after[ib] if record.after[ib] is not None else torch.zeros_like(value_b)
        _check_update(question, k, lr, (value_w, value_b), (new_w, new_b), (used_w, used_b))
    return _Audit(w, b, len(records), result)


def _check_resets(
    question: str, records: list, params: tuple[torch.Tensor, torch.Tensor], per_epoch: int, reset: bool
) -> None:
    """Les ``.grad`` remis à zéro entre deux pas (``reset``), ou au contraire jamais."""
    for k, record in enumerate(records):
        for label, param in zip(("w", "b"), params, strict=True):
            i = _position(record.leaves, param)
            if reset and record.accumulated(i):
                when = "entre deux pas d'une même époque" if k % per_epoch else "d'une époque à l'autre"
                fail(question, f"au pas {k + 1}, {label}.grad contenait déjà un gradient avant "
                               f"backward() : les gradients s'accumulent {when}. Remettez-les à "
                               "zéro à chaque pas (w.grad.zero_() après la mise à jour, ou "
                               "optimizer.zero_grad() avant backward()).")
            if not reset and k > 0:
                last = records[k - 1]
                previous, kept = last.after[_position(last.leaves, param)], record.before[i]
                if kept is None or previous is None or not torch.allclose(kept, previous):
                    fail(question, f"au pas {k + 1}, {label}.grad a été remis à zéro : la question "
                                   "demande d'oublier la remise à zéro (retirez w.grad.zero_() et "
                                   "b.grad.zero_(), ou optimizer.zero_grad()).")


def _position(leaves: list[torch.Tensor], tensor: torch.Tensor) -> int:
    """La place de ``tensor`` (par identité) dans ``leaves``."""
    return next(i for i, leaf in enumerate(leaves) if leaf is tensor)


def _check_update(
    question: str,
    k: int,
    lr: float,
    before: tuple[torch.Tensor, torch.Tensor],
    after: tuple[torch.Tensor, torch.Tensor],
    grads: tuple[torch.Tensor, torch.Tensor],
) -> None:
    """Le pas ``k`` a fait ``p ← p − lr·p.grad`` pour w et pour b."""
    for label, old, new, grad in zip(("w", "b"), before, after, grads, strict=True):
        delta = (new - old).double().reshape(-1)
        g = grad.double().reshape(-1)
        if not g.any():
            if delta.any():
                fail(question, f"au pas {k + 1}, {label} bouge alors que son gradient est nul.")
            continue
        if not delta.any():
            fail(question, f"au pas {k + 1}, {label} ne bouge pas : mettez {label} à jour à chaque pas "
                           f"({label} -= lr * {label}.grad sous torch.no_grad(), ou optimizer.step()), "
                           "et ne remettez pas son gradient à zéro avant la mise à jour.")
        rate = -(delta @ g).item() / (g @ g).item()
        straight = (delta + rate * g).norm().item() <= STEP_RTOL * max(delta.norm().item(), 1e-30) * 10
        if not straight:
            fail(question, f"au pas {k + 1}, la mise à jour de {label} ne suit pas son gradient : "
                           f"{label} ← {label} − η·{label}.grad (η = {french_number(lr, 'g')}).")
        if math.isclose(rate, 2 * lr, rel_tol=0.02):
            fail(question, f"au pas {k + 1}, {label} bouge de deux fois η·{label}.grad : la mise à jour "
                           "est faite deux fois (à la main et par optimizer.step() ?).")
        if not math.isclose(rate, lr, rel_tol=0.02):
            fail(question, f"au pas {k + 1}, {label} bouge de {french_number(rate, '.3g')} × "
                           f"{label}.grad, au lieu de η = {french_number(lr, 'g')} : utilisez le taux lr "
                           "reçu en paramètre.")


def _scalars(question: str, writer: RecordingWriter, name: str, num_epochs: int) -> list[float]:
    """Les coûts ``loss/train`` journalisés (un par époque), après vérification des étiquettes."""
    if not writer.scalars:
        fail(question, f"{name} n'écrit rien dans writer : journalisez loss/train et loss/test à "
                       "chaque époque avec writer.add_scalar(étiquette, coût, époque).")
    for tag in ("loss/train", "loss/test"):
        if tag not in writer.scalars:
            found = ", ".join(sorted(writer.scalars))
            fail(question, f"l'étiquette « {tag} » manque (trouvée(s) : {found}) : écrivez "
                           f"writer.add_scalar('{tag}', coût, époque).")
        points = writer.scalars[tag]
        if len(points) not in (num_epochs, num_epochs + 1):
            fail(question, f"« {tag} » a {len(points)} point(s) pour {num_epochs} époques : "
                           "journalisez le coût une fois par époque.")
        steps = [s for s, _ in points]
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            fail(question, f"les époques de « {tag} » ne croissent pas ({steps[:4]}…) : passez le "
                           "numéro de l'époque en troisième argument de add_scalar.")
    return [v for _, v in writer.scalars["loss/train"]]


def _optimum_gap(question: str, w: Any, b: Any, data: Split) -> tuple[float, float, float]:
    """MSE d'apprentissage de (w, b), MSE des moindres carrés, écart relatif (≤ 1 %)."""
    for label, value in (("w", w), ("b", b)):
        if not isinstance(value, torch.Tensor) or not value.is_floating_point():
            fail(question, f"la fonction doit rendre (w, b), deux tenseurs ; {label} est un "
                           f"{type(value).__name__}.")
    w, b = w.detach().reshape(-1).cpu(), b.detach().reshape(()).cpu()
    if not (torch.isfinite(w).all() and torch.isfinite(b)):
        fail(question, "les paramètres rendus contiennent nan ou inf : la descente a divergé.")
    w_star, b_star = least_squares(data.X_train, data.y_train)
    optimum = linear_mse(data.X_train, data.y_train, w_star, b_star)
    mse = linear_mse(data.X_train, data.y_train, w, b)
    gap = mse / optimum - 1
    if gap > MSE_TOLERANCE:
        fail(question, f"sur Boston Housing, la MSE d'apprentissage atteinte vaut "
                       f"{french_number(mse, '.3f')}, {percent(gap)} au-dessus de l'optimum des "
                       "moindres carrés "
                       f"({french_number(optimum, '.3f')} ; tolérance {percent(MSE_TOLERANCE, '.0f')}).")
    return mse, optimum, gap


def check_batch_descent(namespace: Any) -> None:
    """Question 1.1 (chapitre 3) : ``batch_descent``, la descente batch écrite à la main.

    Sur un petit jeu : un pas par époque sur toutes les données, gradients remis à zéro,
    ``w ← w − η ∇ℓ``, coûts journalisés à chaque époque. Sur Boston Housing (η = 0,1,
    100 époques) : un coût d'apprentissage qui baisse à chaque époque, jusqu'à 1 % de
    l'optimum.
    """
    question = "Question 1.1"
    descent = student_function(question, namespace, "batch_descent", DESCENT_PARAMETERS)
    _audit_descent(question, "batch_descent",
                   lambda data: descent(*data.tensors(), 0.1, 3, RecordingWriter()),
                   batch_size=12, lr=0.1, num_epochs=3)
    data, writer = _boston(), RecordingWriter()
    w, b = _pair(question, call(question, "votre fonction batch_descent",
                                _isolated(descent), *data.tensors(), 0.1, 100, writer))
    train = _scalars(question, writer, "batch_descent", 100)
    rises = sum(after > before for before, after in zip(train, train[1:], strict=False))
    if rises:
        fail(question, f"le coût d'apprentissage journalisé remonte {rises} fois : une descente batch "
                       "à η = 0,1 doit le faire baisser à chaque époque.")
    mse, optimum, gap = _optimum_gap(question, w, b, data)
    passed(question, f"un pas de gradient par époque, gradients remis à zéro ; sur Boston Housing, "
                     f"MSE d'apprentissage {french_number(mse, '.3f')}, à {percent(gap)} de l'optimum "
                     f"({french_number(optimum, '.3f')} ; tolérance {percent(MSE_TOLERANCE, '.0f')}).")


def _pair(question: str, result: Any) -> tuple[Any, Any]:
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(question, f"la fonction doit rendre le couple (w, b) ; elle rend un {type(result).__name__}.")
    return result[0], result[1]


def check_boston_log(namespace: Any) -> None:
    """Question 1.2 (chapitre 3) : ``boston_log(run_dir)`` journalise la descente de la
    question 1.1 sur Boston Housing dans ``run_dir``, avec un ``SummaryWriter``.

    Le journal est relu sur le disque par le lecteur de TensorBoard : ``loss/train`` et
    ``loss/test`` à chaque époque, le coût d'apprentissage qui baisse.
    """
    from tp2_src.logs import read_scalars

    question = "Question 1.2"
    log = student_function(question, namespace, "boston_log", ("run_dir",))
    with TemporaryDirectory(prefix="tp2-verification-") as tmp:
        run_dir = Path(tmp) / "q1-batch"
        run_dir.mkdir()
        call(question, "votre fonction boston_log", _isolated(log), run_dir)
        if not any(run_dir.glob("events.out.tfevents.*")):
            fail(question, "aucun journal dans le dossier run_dir reçu en paramètre : créez le "
                           "SummaryWriter avec ce dossier, SummaryWriter(run_dir).")
        logged = read_scalars(run_dir)
    if not logged:
        fail(question, "le journal est vide : fermez le SummaryWriter à la fin (writer.close(), ou un "
                       "bloc with SummaryWriter(run_dir) as writer:), pour qu'il écrive tout sur le disque.")
    writer = RecordingWriter()
    for tag, (steps, values) in logged.items():
        for step, value in zip(steps, values, strict=True):
            writer.add_scalar(tag, value, step)
    train = _scalars(question, writer, "boston_log", 100)
    if not train[-1] < train[0]:
        fail(question, "le coût d'apprentissage journalisé ne baisse pas : la descente de la question "
                       "1.1 (η = 0,1, 100 époques) est-elle bien celle qui écrit dans ce journal ?")
    passed(question, f"'loss/train' et 'loss/test' relus sur le disque ({len(train)} points) ; le coût "
                     f"d'apprentissage passe de {french_number(train[0], '.1f')} à "
                     f"{french_number(train[-1], '.3f')}.")


def check_minibatch_descent(namespace: Any) -> None:
    """Question 1.3 (chapitre 3) : ``descent``, la descente par mini-batchs de ``batch_size``.

    Sur un petit jeu : un pas par mini-batch (stochastique : un exemple ; mini-batch : 4), chaque
    exemple une fois par époque, gradients remis à zéro, coûts journalisés à chaque
    époque. Sur Boston Housing : le mini-batch (32 exemples, η = 0,01, 100 époques) arrive
    à 1 % de l'optimum.
    """
    question = "Question 1.3"
    descent = student_function(question, namespace, "descent", ("X_train", "y_train", "X_test", "y_test",
                                                                  "batch_size", "lr", "num_epochs", "writer"))
    for batch_size in (1, 4):
        writer = RecordingWriter()
        _audit_descent(question, f"descent (batch_size={batch_size})",
                       lambda data, size=batch_size, writer=writer:
                       descent(*data.tensors(), size, 0.01, 2, writer),
                       batch_size=batch_size, lr=0.01, num_epochs=2)
        _scalars(question, writer, f"descent (batch_size={batch_size})", 2)
    data, writer = _boston(), RecordingWriter()
    w, b = _pair(question, call(question, "votre fonction descent", _isolated(descent),
                                *data.tensors(), 32, 0.01, 100, writer))
    _scalars(question, writer, "descent", 100)
    mse, optimum, gap = _optimum_gap(question, w, b, data)
    passed(question, f"un pas par mini-batch, chaque exemple une fois par époque (tailles 1 et 4 "
                     f"vérifiés) ; mini-batch sur Boston Housing à {percent(gap)} de l'optimum "
                     f"(tolérance {percent(MSE_TOLERANCE, '.0f')}).")


def check_without_reset(namespace: Any) -> None:
    """Exercice 3.b (chapitre 3) : ``descent_without_reset``, la descente batch sans remise
    à zéro des gradients ; elle rend le coût de chaque époque.

    Sur un petit jeu : des pas batch, où chaque ``.grad`` garde la somme des gradients
    passés et la mise à jour la suit. Sur Boston Housing (η = 0,1, 30 époques) : le coût
    finit par remonter.
    """
    question = "Exercice 3.b"
    descent = student_function(question, namespace, "descent_without_reset",
                               ("X_train", "y_train", "lr", "num_epochs"))
    _audit_descent(question, "descent_without_reset",
                   lambda data: descent(data.X_train, data.y_train, 0.1, 3),
                   batch_size=12, lr=0.1, num_epochs=3, reset=False)
    data = _boston()
    losses = call(question, "votre fonction descent_without_reset", _isolated(descent),
                  data.X_train, data.y_train, 0.1, 30)
    values = _floats(question, "descent_without_reset", losses, 30)
    rises = sum(after > before for before, after in zip(values, values[1:], strict=False))
    if rises == 0:
        fail(question, "sur Boston Housing, le coût baisse à chacune des 30 époques : sans remise à "
                       "zéro, il devrait finir par remonter. La fonction rend-elle le coût de chaque "
                       "époque ?")
    low = min(range(len(values)), key=values.__getitem__)
    passed(question, f"les gradients s'accumulent, et sur Boston Housing le coût remonte {rises} fois "
                     f"en 30 époques (minimum {french_number(values[low], '.4g')} à l'époque {low + 1}).")


def _floats(question: str, name: str, values: Any, count: int | None = None) -> list[float]:
    """Une liste de coûts (nombres ou tenseurs d'un élément), tous finis."""
    if not isinstance(values, list | tuple) or len(values) < 2:
        fail(question, f"{name} doit rendre la liste des coûts ; elle rend un {type(values).__name__}.")
    try:
        floats = [float(v) for v in values]
    except (TypeError, ValueError, RuntimeError):
        fail(question, f"{name} doit rendre une liste de nombres (loss.item()).")
    if count is not None and len(floats) != count:
        fail(question, f"{name} rend {len(floats)} coûts pour {count} époques : un par époque.")
    if not all(math.isfinite(v) for v in floats):
        fail(question, f"{name} rend des coûts non finis : l'apprentissage a divergé.")
    return floats


def check_sgd_descent(namespace: Any) -> None:
    """Exercice 4.a (chapitre 4) : ``sgd_descent``, la boucle de l'énoncé corrigée.

    ``w`` et ``b`` en ``nn.Parameter``, un seul ``torch.optim.SGD`` créé avant la boucle,
    et à chaque pas ``zero_grad()``, passe avant, ``backward()``, ``step()`` : sur un
    petit jeu, chaque pas est vérifié ; sur Boston Housing (η = 0,1, 100 pas), 1 % de
    l'optimum.
    """
    question = "Exercice 4.a"
    descent = student_function(question, namespace, "sgd_descent", ("X_train", "y_train", "lr", "num_epochs"))
    with recording() as rec:
        audit = _audit_descent(question, "sgd_descent",
                               lambda data: descent(data.X_train, data.y_train, 0.1, 3),
                               batch_size=12, lr=0.1, num_epochs=3)
    for label, param in (("w", audit.w), ("b", audit.b)):
        if not isinstance(param, nn.Parameter):
            fail(question, f"{label} devrait être un nn.Parameter (c'est un {type(param).__name__}) : "
                           f"{label} = nn.Parameter(torch.zeros(…)).")
    if len(rec.optimizers) != 1:
        fail(question, f"sgd_descent crée {len(rec.optimizers)} optimiseur(s) pour 3 pas : créez-en un "
                       "seul, avant la boucle.")
    optimizer = rec.optimizers[0]
    if not isinstance(optimizer, torch.optim.SGD):
        fail(question, f"l'optimiseur est un {type(optimizer).__name__} : la question demande "
                       "torch.optim.SGD.")
    data = _boston()
    w, b = _pair(question, call(question, "votre fonction sgd_descent", _isolated(descent),
                                data.X_train, data.y_train, 0.1, 100))
    mse, optimum, gap = _optimum_gap(question, w, b, data)
    passed(question, f"un SGD créé une fois, zero_grad() à chaque pas ; sur Boston Housing, MSE "
                     f"{french_number(mse, '.3f')}, à {percent(gap)} de l'optimum (tolérance "
                     f"{percent(MSE_TOLERANCE, '.0f')}).")


# --- Le produit vecteur–jacobienne (chapitre 2) ------------------------------------------


def check_sin_derivatives(namespace: Any) -> None:
    """Exercice 2.d (chapitre 2) : ``sin_derivatives(x)`` rend ``x.grad``, obtenu par
    ``torch.sin(x).backward(gradient=…)``, et la jacobienne de ``torch.sin`` en ``x``."""
    question = "Exercice 2.d"
    derivatives = student_function(question, namespace, "sin_derivatives", ("x",))
    x = torch.linspace(-2.0, 2.0, 7, dtype=torch.float64, requires_grad=True)
    with recording() as rec:
        result = call(question, "votre fonction sin_derivatives", derivatives, x)
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(question, "sin_derivatives doit rendre le couple (x.grad, J).")
    grad, J = result
    if not any(any(leaf is x for leaf in r.leaves) for r in rec.backwards):
        fail(question, "sin_derivatives n'appelle pas backward() sur torch.sin(x) : la question "
                       "demande y.backward(gradient=…), qui remplit x.grad.")
    expected = torch.cos(x.detach())
    if not isinstance(grad, torch.Tensor) or grad.shape != x.shape:
        fail(question, f"le premier élément rendu devrait être x.grad, de forme {tuple(x.shape)}.")
    if torch.allclose(grad, 2 * expected):
        fail(question, "x.grad vaut deux fois cos(x) : backward a été appelé deux fois et les gradients "
                       "se sont ajoutés. Un seul appel suffit.")
    if not torch.allclose(grad.double(), expected, rtol=1e-5, atol=1e-7):
        fail(question, "x.grad diffère de cos(x) : le vecteur passé à backward doit valoir 1 pour chaque "
                       "coordonnée, torch.ones_like(y).")
    if not isinstance(J, torch.Tensor) or tuple(J.shape) != (len(x), len(x)):
        shape = tuple(J.shape) if isinstance(J, torch.Tensor) else type(J).__name__
        fail(question, f"J devrait être une matrice ({len(x)}, {len(x)}) ; reçu {shape}.")
    if not torch.allclose(J.double(), torch.diag(expected), rtol=1e-5, atol=1e-7):
        fail(question, "J n'est pas diag(cos x) : calculez-la avec jacobian(torch.sin, x.detach()).")
    passed(question, "x.grad = cos(x) par backward(gradient=…), et J = diag(cos x) (tolérance relative "
                     "10⁻⁵, sur 7 points).")


# --- Les modules (chapitre 5) ------------------------------------------------------------

#: Les attributs que nn.Module gère lui-même (``_modules``, ``_parameters``…).
_MODULE_INTERNALS = frozenset(vars(nn.Module()))


def _module(question: str, name: str, value: Any) -> nn.Module:
    """Un ``nn.Module`` dont aucune couche n'est cachée dans une liste ou un dict Python."""
    if not isinstance(value, nn.Module):
        fail(question, f"{name} devrait rendre un nn.Module ; il rend un {type(value).__name__}.")
    for module in value.modules():
        for attribute, content in vars(module).items():
            if attribute in _MODULE_INTERNALS:
                continue
            items = content.values() if isinstance(content, dict) else content
            if isinstance(content, list | tuple | dict) and any(isinstance(v, nn.Module) for v in items):
                fail(question, f"l'attribut `{attribute}` range des couches dans une "
                               f"{'liste' if isinstance(content, list) else type(content).__name__} "
                               "Python : nn.Module ne regarde pas dedans, et ni parameters() ni "
                               "l'optimiseur ne voient leurs poids. Utilisez nn.ModuleList (ou "
                               "nn.ModuleDict, nn.Sequential), ou des attributs.")
    return value


def _two_layers(question: str, name: str, net: nn.Module, d: int, hidden: int) -> tuple[nn.Linear, nn.Linear]:
    """Les deux ``nn.Linear`` de ``net`` (d → hidden → 1), avec une tanh entre elles."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        fail(question, f"{name} a {len(linears)} couche(s) nn.Linear ; il en faut deux ({d} → {hidden}, "
                       f"puis {hidden} → 1).")
    first, last = linears
    if (first.in_features, first.out_features, last.in_features, last.out_features) != (d, hidden, hidden, 1):
        fail(question, f"les couches vont de {first.in_features} à {first.out_features}, puis de "
                       f"{last.in_features} à {last.out_features} : il faut {d} → {hidden}, puis "
                       f"{hidden} → 1.")
    size = sum(p.numel() for p in net.parameters())
    expected = sum(p.numel() for layer in linears for p in layer.parameters())
    if size != expected:
        fail(question, f"{name} a {size} paramètres ; ses deux couches linéaires en ont {expected}.")
    X = torch.randn(6, d, generator=torch.Generator().manual_seed(1)) * 3
    with torch.no_grad():
        out = call(question, f"le forward de {name}", net, X)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) not in {(6, 1), (6,)}:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            fail(question, f"pour 6 exemples, {name} rend {shape} au lieu de (6, 1) (ou (6,)).")
        reference = last(torch.tanh(first(X))).reshape(out.shape)
        if not torch.allclose(out, reference, rtol=1e-5, atol=1e-6):
            affine = last(first(X)).reshape(out.shape)
            if torch.allclose(out, affine, rtol=1e-5, atol=1e-6):
                fail(question, f"{name} enchaîne les deux couches linéaires sans tanh entre elles : le "
                               "réseau reste affine, et la couche cachée n'apporte rien. Ajoutez "
                               "nn.Tanh() (ou torch.tanh) entre les deux.")
            fail(question, f"{name} ne calcule pas linéaire → tanh → linéaire : sa sortie diffère de "
                           "couche2(tanh(couche1(X))).")
    return first, last


def _nonlinear_problem(n: int = 240, d: int = 13) -> Split:
    """Un problème où aucune régression linéaire ne convient : y = Σ sin(2 xⱼ) sur 3 variables."""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(n, d, generator=g)
    y = torch.sin(2 * X[:, :3]).sum(1)
    return Split(X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4:], y[n * 3 // 4:])


TRAIN_PARAMETERS = ("net", "X", "y", "num_epochs", "batch_size", "lr")


def _audit_training(question: str, train_net: Callable, make: Callable[[], nn.Module], name: str) -> None:
    """``train_net`` sur un petit jeu : un optimiseur, un pas par mini-batch, gradients
    remis à zéro, tous les paramètres mis à jour, la liste des coûts de chaque pas."""
    data = _tiny(n=40)
    net = make()
    start = [p.detach().clone() for p in net.parameters()]
    with recording() as rec:
        losses = call(question, "votre fonction train_net", _isolated(train_net),
                      net, data.X_train, data.y_train, 2, 10, 1e-2)
    if len(rec.optimizers) != 1:
        fail(question, f"train_net crée {len(rec.optimizers)} optimiseurs pour 8 pas : créez-en un seul, "
                       "avant la boucle (Adam garde en mémoire ses moments d'un pas à l'autre).")
    if len(rec.backwards) != 8:
        fail(question, f"train_net fait {len(rec.backwards)} pas (appels à backward()) pour 2 époques de "
                       "40 exemples en mini-batchs de 10, au lieu de 8 : un pas par mini-batch.")
    params = {id(p) for p in net.parameters()}
    given = {id(p) for group in rec.optimizers[0].param_groups for p in group["params"]}
    if params - given:
        fail(question, "l'optimiseur ne reçoit pas tous les paramètres du réseau : passez-lui "
                       "net.parameters().")
    for k, record in enumerate(rec.backwards):
        if {id(t) for t in record.leaves} != params:
            fail(question, f"au pas {k + 1}, le coût ne dépend pas de tous les paramètres de {name}.")
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(question, f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                           "appelez optimizer.zero_grad() à chaque pas, avant backward().")
    values = _floats(question, "train_net", losses)
    recorded = [r.loss for r in rec.backwards]
    if len(values) != len(recorded) or not all(math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
                                               for a, b in zip(values, recorded, strict=True)):
        fail(question, "train_net doit rendre le coût de chaque pas (loss.item()), dans l'ordre.")
    if any(torch.equal(before, p.detach()) for before, p in zip(start, net.parameters(), strict=True)):
        fail(question, "un paramètre du réseau n'a pas bougé pendant l'apprentissage : "
                       "optimizer.step() est-il appelé à chaque pas ?")


def check_two_layer_net(namespace: Any) -> None:
    """Question 2 (chapitre 5) : ``TwoLayerNet(dim_in, hidden)`` (linéaire → tanh → linéaire)
    et ``train_net(net, X, y, num_epochs, batch_size, lr)``, qui l'entraîne avec un optimiseur.

    La classe : deux couches inscrites, une tanh entre elles, une sortie (n, 1) ou (n,).
    L'apprentissage, sur un petit jeu : un optimiseur créé une fois, un pas par
    mini-batch, ``zero_grad()`` à chaque pas, le coût de chaque pas. Sur un problème non linéaire, le
    réseau entraîné bat la régression linéaire.
    """
    question = "Question 2"
    cls = lookup(question, namespace, "TwoLayerNet")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        fail(question, "TwoLayerNet devrait être une classe qui hérite de nn.Module.")
    train_net = student_function(question, namespace, "train_net", TRAIN_PARAMETERS)

    def make(d: int = 13, hidden: int = 8) -> nn.Module:
        return _module(question, "TwoLayerNet", call(question, "TwoLayerNet(13, 8)", cls, d, hidden))

    _two_layers(question, "TwoLayerNet(13, 8)", make(), 13, 8)
    _audit_training(question, train_net, make, "TwoLayerNet")
    data = _nonlinear_problem()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = make(13, 16)
        call(question, "votre fonction train_net", train_net, net, data.X_train, data.y_train, 60, 16, 1e-2)
    with torch.no_grad():
        out = net(data.X_train).reshape(-1)
    mse = ((out - data.y_train) ** 2).mean().item()
    w_star, b_star = least_squares(data.X_train, data.y_train)
    linear = linear_mse(data.X_train, data.y_train, w_star, b_star)
    if not mse < 0.5 * linear:
        fail(question, f"sur un problème non linéaire, le réseau entraîné (60 époques, η = 0,01) atteint "
                       f"une MSE de {french_number(mse, '.3f')}, pas mieux que la moitié de celle de la "
                       f"régression linéaire ({french_number(linear, '.3f')}) : l'apprentissage "
                       "avance-t-il (zero_grad, backward, step à chaque mini-batch) ?")
    passed(question, f"linéaire → tanh → linéaire, tous les paramètres inscrits ; un optimiseur, un pas "
                     f"par mini-batch ; sur un problème non linéaire, MSE {french_number(mse, '.3f')} contre "
                     f"{french_number(linear, '.3f')} pour la régression linéaire.")


def check_sequential(namespace: Any) -> None:
    """Question 2, suite (chapitre 5) : ``make_sequential(dim_in, hidden)`` rend le même réseau
    dans un ``nn.Sequential`` : mêmes couches, dans le même ordre, donc, créé juste après la
    même graine, les mêmes paramètres que ``TwoLayerNet`` et le même apprentissage."""
    question = "Question 2 (suite)"
    make = student_function(question, namespace, "make_sequential", ("dim_in", "hidden"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        seq = call(question, "votre fonction make_sequential", make, 13, 8)
    if not isinstance(seq, nn.Sequential):
        fail(question, f"make_sequential doit rendre un nn.Sequential ; elle rend un {type(seq).__name__}.")
    _two_layers(question, "le Sequential", _module(question, "make_sequential", seq), 13, 8)
    cls = namespace.get("TwoLayerNet") if isinstance(namespace, dict) else None
    train_net = namespace.get("train_net") if isinstance(namespace, dict) else None
    if isinstance(cls, type) and issubclass(cls, nn.Module) and callable(train_net):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net = call(question, "TwoLayerNet(13, 8)", cls, 13, 8)
        shapes_seq = [tuple(p.shape) for p in seq.parameters()]
        shapes_net = [tuple(p.shape) for p in net.parameters()]
        if shapes_seq != shapes_net:
            fail(question, f"formes des paramètres : {shapes_seq} pour le Sequential, {shapes_net} pour "
                           "TwoLayerNet : rangez les couches dans le même ordre.")
        if not all(torch.equal(a, b) for a, b in zip(seq.parameters(), net.parameters(), strict=True)):
            fail(question, "créés juste après torch.manual_seed(0), le Sequential et TwoLayerNet n'ont "
                           "pas les mêmes valeurs initiales : les couches sont-elles créées dans le même "
                           "ordre (linéaire, tanh, linéaire) ?")
        data = _tiny(n=40)
        losses = [_floats(question, "train_net", call(question, "train_net", _isolated(train_net), model,
                                                      data.X_train, data.y_train, 1, 10, 1e-2))
                  for model in (seq, net)]
        if losses[0] != losses[1]:
            fail(question, "le Sequential et TwoLayerNet, partis des mêmes valeurs, n'apprennent pas de la "
                           "même façon avec train_net : leurs coûts diffèrent.")
    passed(question, "un nn.Sequential linéaire → tanh → linéaire, avec les paramètres et "
                     "l'apprentissage de TwoLayerNet.")


# --- Le moteur scalaire et le gradient à la main (chapitre 1) ----------------------------

#: Des expressions sur des scalaires, écrites avec les opérations du moteur : chacune prend
#: trois nombres (ou trois ``Value``) et rend le résultat.
_EXPRESSIONS: tuple[tuple[str, Callable[[Any, Any, Any], Any]], ...] = (
    ("ℓ = (a·b + c)²", lambda a, b, c: (a * b + c) ** 2),
    ("ℓ = q·q, où q = a·b + c sert deux fois", lambda a, b, c: (lambda q: q * q)(a * b + c)),
    ("ℓ = tanh(a·b) + exp(c)", lambda a, b, c: (a * b).tanh() + c.exp()),
    ("ℓ = 3·a³ + a·b + 2 (des nombres mêlés aux nœuds)", lambda a, b, c: 3 * a**3 + a * b + 2),
    ("ℓ = d + d·c, où d = a·b (deux chemins de d vers ℓ)", lambda a, b, c: (lambda d: d + d * c)(a * b)),
)


def _torch_reference(expression: Callable, values: tuple[float, float, float]) -> tuple[float, list[float]]:
    """La valeur et les gradients de ``expression`` en (a, b, c), par autograd (float64)."""
    leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]

    class T:  # un tenseur scalaire qui accepte .tanh() et .exp() comme le moteur
        def __init__(self, t: torch.Tensor) -> None:
            self.t = t

        def _wrap(self, other: Any) -> torch.Tensor:
            return other.t if isinstance(other, T) else other

        def __add__(self, other: Any) -> T:
            return T(self.t + self._wrap(other))

        __radd__ = __add__

        def __mul__(self, other: Any) -> T:
            return T(self.t * self._wrap(other))

        __rmul__ = __mul__

        def __pow__(self, k: float) -> T:
            return T(self.t**k)

        def tanh(self) -> T:
            return T(torch.tanh(self.t))

        def exp(self) -> T:
            return T(torch.exp(self.t))

    out = expression(*(T(t) for t in leaves)).t
    grads = torch.autograd.grad(out, leaves, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in grads]


def check_scalar_engine(namespace: Any) -> None:
    """Exercice 1.a (chapitre 1) : la classe ``Value``, un moteur de différentiation
    automatique sur des scalaires.

    Sur plusieurs expressions (+, ·, puissance, tanh, exp, nombres mêlés aux nœuds, un
    nœud utilisé deux fois, deux chemins vers le résultat), la valeur et les gradients de
    ``backward()`` doivent être ceux d'autograd, à 10⁻⁹ près.
    """
    question = "Exercice 1.a"
    engine = lookup(question, namespace, "Value")
    if not isinstance(engine, type):
        fail(question, "Value devrait être une classe.")
    values = (0.7, -1.3, 0.4)
    a, b = (call(question, "Value(…)", engine, v) for v in values[:2])
    operations = {
        "a + b": (lambda: a + b, "__add__"), "a * b": (lambda: a * b, "__mul__"),
        "a ** 3": (lambda: a**3, "__pow__"), "a.tanh()": (lambda: a.tanh(), "tanh"),
        "a.exp()": (lambda: a.exp(), "exp"), "2 + a": (lambda: 2 + a, "__radd__"),
        "3 * a": (lambda: 3 * a, "__rmul__"),
    }  # fmt: skip
    for text, (operation, method) in operations.items():
        result = call(question, text, operation)
        if not isinstance(result, engine):
            fail(question, f"{text} rend {type(result).__name__} au lieu d'une nouvelle Value : "
                           f"complétez la méthode {method}.")
    for text, expression in _EXPRESSIONS:
        a, b, c = (call(question, "Value(…)", engine, v) for v in values)
        out = call(question, f"le calcul de {text}", expression, a, b, c)
        if not isinstance(out, engine):
            fail(question, f"{text} ne rend pas une Value (mais un {type(out).__name__}) : chaque "
                           "opération doit rendre une nouvelle Value.")
        expected_value, expected_grads = _torch_reference(expression, values)
        data = getattr(out, "data", None)
        if not isinstance(data, int | float) or not math.isclose(data, expected_value, rel_tol=1e-9):
            fail(question, f"{text} : la valeur calculée à l'aller vaut {data!r} au lieu de "
                           f"{french_number(expected_value, '.6g')} : vérifiez la passe avant de "
                           "chaque opération.")
        call(question, f"backward() sur {text}", out.backward)
        grads = [getattr(v, "grad", None) for v in (a, b, c)]
        if all(g == 0 for g in grads):
            fail(question, f"{text} : après backward(), tous les gradients valent 0. La passe arrière "
                           "part du gradient initial : le résultat reçoit grad = 1.")
        for name, got, want in zip("abc", grads, expected_grads, strict=True):
            if not isinstance(got, int | float):
                fail(question, f"{text} : {name}.grad devrait être un nombre ; c'est un "
                               f"{type(got).__name__}.")
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                fail(question, f"{text} : ∂ℓ/∂{name} vaut {french_number(got, '.6g')} au lieu de "
                               f"{french_number(want, '.6g')}. "
                               + _engine_hint(text, got / want if want else 0.0))
    passed(question, f"valeurs et gradients égaux à ceux d'autograd sur {len(_EXPRESSIONS)} expressions, "
                     "dont un nœud utilisé deux fois et deux chemins vers le résultat.")


def _engine_hint(text: str, ratio: float) -> str:
    """La cause probable d'un gradient faux, d'après l'expression qui l'a révélé et le
    rapport du gradient obtenu au bon."""
    if ("deux fois" in text or "deux chemins" in text) and 0 < ratio < 1:
        return ("Quand un nœud sert deux fois, les messages qu'il reçoit s'additionnent : "
                "parent.grad += …, jamais parent.grad = ….")
    if ("deux fois" in text or "deux chemins" in text) and ratio > 1:
        return ("Un nœud a transmis ses messages avant de les avoir tous reçus, et certains "
                "chemins comptent deux fois : parcourez les nœuds dans l'ordre topologique "
                "inverse (le résultat d'abord, chaque nœud avant ses parents), et chaque nœud "
                "une seule fois.")
    if "tanh" in text:
        return "La dérivée locale de tanh est 1 − tanh², celle de exp est exp."
    if "nombres" in text:
        return "Un nombre mêlé au calcul devient une Value constante ; la dérivée de xᵏ est k·xᵏ⁻¹."
    return "Vérifiez les dérivées locales : ∂(u·v)/∂u = v, ∂(u + v)/∂u = 1, ∂(uᵏ)/∂u = k·uᵏ⁻¹."


def _autoencoder(d: int, d_y: int, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes = {"x": (d,), "θ": (d_y, d), "b₁": (d_y,), "b₂": (d,)}
    return {k: torch.randn(*shape, generator=g, dtype=torch.float64) for k, shape in shapes.items()}


def check_autoencoder_gradients(namespace: Any) -> None:
    """Exercice 1.b (chapitre 1) : ``autoencoder_gradients(x, theta, b1, b2)``, les gradients de
    ℓ = ‖x − (θᵀ(θx + b₁) + b₂)‖² écrits à la main (sans autograd).

    Comparés à autograd à 10⁻¹⁰ près (float64), sur deux tailles d'auto-encodeur ; aucun
    ``backward()`` ne doit être appelé.
    """
    question = "Exercice 1.b"
    gradients = student_function(question, namespace, "autoencoder_gradients", ("x", "theta", "b1", "b2"))
    for d, d_y, seed in ((4, 2, 1), (6, 3, 2)):
        tensors = _autoencoder(d, d_y, seed)
        with recording() as rec:
            result = call(question, "votre fonction autoencoder_gradients", gradients, *tensors.values())
        if rec.backwards:
            fail(question, "autoencoder_gradients appelle backward() : la question demande le gradient "
                           "écrit à la main, avec les formules de la règle de chaîne.")
        if not isinstance(result, dict) or set(result) != set(tensors):
            got = sorted(result) if isinstance(result, dict) else type(result).__name__
            fail(question, f"la fonction doit rendre un dictionnaire aux clés {sorted(tensors)} ; "
                           f"reçu {got}.")
        leaves = {k: t.clone().requires_grad_() for k, t in tensors.items()}
        x, theta, b1, b2 = leaves.values()
        loss = ((x - (theta.T @ (theta @ x + b1) + b2)) ** 2).sum()
        expected = dict(zip(leaves, torch.autograd.grad(loss, list(leaves.values())), strict=True))
        for name, want in expected.items():
            got = result[name]
            if not isinstance(got, torch.Tensor) or got.shape != want.shape:
                shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
                fail(question, f"∂ℓ/∂{name} devrait avoir la forme {tuple(want.shape)} (celle de {name}) ; "
                               f"reçu {shape}.")
            if not torch.allclose(got.double(), want, rtol=1e-10, atol=1e-12):
                hint = {
                    "x": " x sert deux fois : le terme direct −δ et le chemin par y.",
                    "θ": " θ sert deux fois : par θᵀ (y δᵀ… transposé) et par θx.",
                }.get(name, "")
                fail(question, f"pour d = {d}, ∂ℓ/∂{name} diffère d'autograd (écart max "
                               f"{french_number((got.double() - want).abs().max().item(), '.1e')}).{hint}")
    passed(question, "les quatre gradients égaux à ceux d'autograd (tolérance relative 10⁻¹⁰), pour "
                     "deux tailles d'auto-encodeur, sans backward().")


def check_tanh_function(namespace: Any) -> None:
    """Exercice 2.a (chapitre 2) : ``Tanh``, une ``torch.autograd.Function`` écrite à la main.

    Sa passe avant doit être ``torch.tanh`` ; sa passe arrière, vérifiée par ``gradcheck``
    (float64), doit multiplier le gradient reçu (pas seulement 1) par ``1 − tanh²``.
    """
    question = "Exercice 2.a"
    cls = lookup(question, namespace, "Tanh")
    if not (isinstance(cls, type) and issubclass(cls, torch.autograd.Function)):
        fail(question, "Tanh devrait être une classe qui hérite de torch.autograd.Function.")
    x = torch.linspace(-2.5, 2.5, 9, dtype=torch.float64, requires_grad=True)
    y = call(question, "Tanh.apply(x)", cls.apply, x)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        fail(question, "Tanh.apply(x) doit rendre un tenseur de la forme de x : forward rend "
                       "y = torch.tanh(x).")
    if not torch.allclose(y, torch.tanh(x)):
        fail(question, "la passe avant ne calcule pas tanh(x) : forward doit rendre torch.tanh(x).")
    if y.grad_fn is None or type(y.grad_fn).__name__ != "TanhBackward":
        fail(question, "la sortie n'est pas enregistrée par votre Function : appelez Tanh.apply(x), "
                       "et calculez y dans forward.")
    v = torch.linspace(0.5, 2.0, 9, dtype=torch.float64)  # un gradient reçu qui n'est pas 1
    got = call(question, "la passe arrière de Tanh", torch.autograd.grad, y, x, v)[0]
    if got is None:
        fail(question, "backward rend None : il doit rendre le gradient par rapport à x.")
    expected = v * (1 - torch.tanh(x.detach()) ** 2)
    if torch.allclose(got, 1 - torch.tanh(x.detach()) ** 2):
        fail(question, "backward ignore le gradient reçu : multipliez grad_output par la dérivée locale.")
    if not torch.allclose(got, expected, rtol=1e-10, atol=1e-12):
        fail(question, "la passe arrière ne donne pas le bon gradient : la dérivée locale de tanh est "
                       "1 − tanh²(x) = 1 − y², multipliée par le gradient reçu.")
    ok = call(question, "gradcheck(Tanh.apply, (x,))", torch.autograd.gradcheck, cls.apply, (x,),
              raise_exception=False)
    if not ok:
        fail(question, "gradcheck refuse la passe arrière : elle ne donne pas la jacobienne des "
                       "différences finies.")
    passed(question, "tanh à l'aller, gradient reçu × (1 − y²) au retour ; gradcheck (float64) l'accepte.")


def _momentum_reference(data: Split, lr: float, mu: float, num_epochs: int,
                        variant: str = "sgd") -> list[torch.Tensor]:
    """Les valeurs (w, b) aplaties avant chaque pas d'une descente batch de référence :
    ``torch.optim.SGD(momentum=mu)`` ; ``variant="plain"`` sans moment, ``"average"`` avec
    la vitesse moyenne v ← μ·v + (1 − μ)·g partie de zéro (deux erreurs à reconnaître)."""
    d = data.X_train.shape[1]
    w = nn.Parameter(torch.zeros(d, dtype=torch.float64))
    b = nn.Parameter(torch.zeros((), dtype=torch.float64))
    optimizer = torch.optim.SGD([w, b], lr=lr, momentum=mu if variant == "sgd" else 0.0)
    velocity = [torch.zeros_like(w), torch.zeros_like(b)]
    X, y = data.X_train.double(), data.y_train.double()
    values = []
    for _ in range(num_epochs):
        values.append(torch.cat([w.detach().reshape(-1), b.detach().reshape(1)]).clone())
        optimizer.zero_grad()
        ((X @ w + b - y) ** 2).mean().backward()
        if variant == "average":
            with torch.no_grad():
                for p, v in zip((w, b), velocity, strict=True):
                    v.mul_(mu).add_((1 - mu) * p.grad)
                    p -= lr * v
        else:
            optimizer.step()
    values.append(torch.cat([w.detach().reshape(-1), b.detach().reshape(1)]).clone())
    return values


def check_momentum_descent(namespace: Any) -> None:
    """Exercice 4.b (chapitre 4) : ``momentum_descent``, la descente batch avec moment
    écrite à la main (``v ← μ·v + ∇ℓ``, ``p ← p − η·v``), sans ``torch.optim``.

    Sur un petit jeu, chaque pas doit suivre ``torch.optim.SGD(momentum=μ)`` ; sur Boston
    Housing (η = 0,01, μ = 0,9, 100 époques), les paramètres rendus aussi.
    """
    question = "Exercice 4.b"
    descent = student_function(question, namespace, "momentum_descent",
                               ("X_train", "y_train", "lr", "mu", "num_epochs"))
    data, lr, mu, epochs = _tiny(), 0.05, 0.9, 6
    with recording() as rec:
        result = call(question, "votre fonction momentum_descent", _isolated(descent),
                      data.X_train, data.y_train, lr, mu, epochs)
    if rec.optimizers:
        fail(question, "momentum_descent crée un optimiseur de torch.optim : écrivez la vitesse et la "
                       "mise à jour à la main, sous torch.no_grad().")
    if len(rec.backwards) != epochs:
        fail(question, f"momentum_descent fait {len(rec.backwards)} pas (appels à backward()) pour "
                       f"{epochs} époques : un pas par époque, sur toutes les données.")
    w, b = _params_of(question, "momentum_descent", rec.leaves(), data.X_train.shape[1])
    for k, record in enumerate(rec.backwards):
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(question, f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                           "remettez-les à zéro à chaque pas (la vitesse garde la mémoire, pas .grad).")
    got = [torch.cat([r.values[_position(r.leaves, w)].reshape(-1),
                      r.values[_position(r.leaves, b)].reshape(1)]).double() for r in rec.backwards]
    pair = _pair(question, result)
    got.append(torch.cat([pair[0].detach().reshape(-1), pair[1].detach().reshape(1)]).double())
    expected = _momentum_reference(data, lr, mu, epochs)
    for k, (mine, ref) in enumerate(zip(got, expected, strict=True)):
        if not torch.allclose(mine, ref, rtol=1e-4, atol=1e-6):
            without = _momentum_reference(data, lr, mu, epochs, "plain")[k]
            averaged = _momentum_reference(data, lr, mu, epochs, "average")[k]
            if torch.allclose(mine, without, rtol=1e-4, atol=1e-6):
                hint = ("les pas sont ceux d'une descente sans moment : la vitesse doit garder la "
                        "mémoire des pas précédents, v ← μ·v + ∇ℓ, et le pas suivre v.")
            elif torch.allclose(mine, averaged, rtol=1e-4, atol=1e-6):
                hint = ("la vitesse est une moyenne, v ← μ·v + (1 − μ)·∇ℓ : la convention de "
                        "torch.optim.SGD (et de ce livre) est v ← μ·v + ∇ℓ.")
            else:
                hint = "vérifiez v ← μ·v + ∇ℓ, puis p ← p − η·v, pour w et pour b, sous torch.no_grad()."
            where = "les paramètres rendus" if k == epochs else f"au début du pas {k + 1}, les paramètres"
            reference = f"torch.optim.SGD(momentum={french_number(mu, 'g')})"
            fail(question, f"{where} diffèrent de ceux de {reference} : {hint}")
    boston = _boston()
    w_b, b_b = _pair(question, call(question, "votre fonction momentum_descent", _isolated(descent),
                                    boston.X_train, boston.y_train, 0.01, 0.9, 100))
    reference = _momentum_reference(boston, 0.01, 0.9, 100)[-1]
    mine = torch.cat([w_b.detach().reshape(-1), b_b.detach().reshape(1)]).double()
    if not torch.allclose(mine, reference, rtol=1e-3, atol=1e-3):
        fail(question, "sur Boston Housing, les paramètres rendus diffèrent de ceux de "
                       "torch.optim.SGD(momentum=0,9) : la fonction utilise-t-elle bien lr et mu ?")
    passed(question, f"chaque pas suit torch.optim.SGD(momentum={french_number(mu, 'g')}), sur un petit jeu "
                     "comme sur Boston Housing, sans optimiseur ni gradient accumulé.")

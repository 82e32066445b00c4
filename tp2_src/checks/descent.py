"""L'audit pas à pas d'une descente de gradient sur la régression linéaire : ce que les
vérifications des chapitres 3 et 4 partagent."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from tp2_src.checks.common import MSE_TOLERANCE, STEP_RTOL, isolated, tiny_data
from tp2_src.checks.grading import RecordingWriter, call, fail, percent, recording
from tp2_src.data import Split
from tp2_src.french import french_number
from tp2_src.linreg import least_squares, linear_mse


@dataclass
class Audit:
    """Ce qu'une descente a fait, pas à pas : ses paramètres (w, b) et ses pas."""

    w: torch.Tensor
    b: torch.Tensor
    steps: int
    result: Any


def params_of(
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


def batch_weights(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor,
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


def audit_descent(
    question: str,
    name: str,
    run: Callable[[Split], Any],
    *,
    batch_size: int,
    lr: float,
    num_epochs: int,
    reset: bool = True,
    namespace: Any = None,
) -> Audit:
    """Appelle ``run(données)`` sur ``tiny_data()`` et juge chaque pas de la descente.

    Attendu : ``num_epochs`` époques de mini-batchs de ``batch_size`` exemples qui couvrent les
    données une fois par époque ; à chaque pas, le gradient de la MSE moyenne du mini-batch ; puis
    ``w ← w − lr·.grad`` ; ``.grad`` remis à zéro entre deux pas (``reset``), ou au contraire
    jamais (la question 3.b).
    """
    data = tiny_data()
    n, d = data.X_train.shape
    with recording(namespace) as rec:
        result = call(question, f"votre fonction {name}", isolated(run), data)
    records = rec.backwards
    if not records:
        fail(question, f"{name} n'appelle jamais backward() : la question demande une descente de "
                       "gradient où autograd calcule le gradient à chaque pas (ni solution exacte, ni "
                       "dérivée écrite à la main).")
    w, b = params_of(question, name, rec.leaves(), d)
    per_epoch = math.ceil(n / batch_size)
    expected = per_epoch * num_epochs
    what = "un pas par époque" if batch_size >= n else f"un pas par mini-batch de {batch_size}"
    if len(records) != expected:
        fail(question, f"appelée pour {num_epochs} époques sur {n} exemples, {name} fait "
                       f"{len(records)} pas (appels à backward()) au lieu de {expected} ({what}).")
    for k, record in enumerate(records):
        if {id(t) for t in record.leaves} != {id(w), id(b)}:
            fail(question, f"au pas {k + 1}, le coût ne dépend pas de w et de b à la fois.")
    check_resets(question, records, (w, b), per_epoch, reset)
    seen_in_epoch: set[int] = set()
    for k, record in enumerate(records):
        iw, ib = position(record.leaves, w), position(record.leaves, b)
        value_w, value_b = record.values[iw], record.values[ib]
        gradient = torch.cat([record.gradient(iw).reshape(-1), record.gradient(ib).reshape(1)])
        weights, error = batch_weights(data.X_train, data.y_train, value_w, value_b, gradient)
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
            new_w, new_b = nxt.values[position(nxt.leaves, w)], nxt.values[position(nxt.leaves, b)]
        else:
            new_w, new_b = w.detach(), b.detach()
        used_w = record.after[iw] if record.after[iw] is not None else torch.zeros_like(value_w)
        used_b = record.after[ib] if record.after[ib] is not None else torch.zeros_like(value_b)
        check_update(question, k, lr, (value_w, value_b), (new_w, new_b), (used_w, used_b))
    return Audit(w, b, len(records), result)


def check_resets(
    question: str, records: list, params: tuple[torch.Tensor, torch.Tensor], per_epoch: int, reset: bool
) -> None:
    """Les ``.grad`` remis à zéro entre deux pas (``reset``), ou au contraire jamais."""
    for k, record in enumerate(records):
        for label, param in zip(("w", "b"), params, strict=True):
            i = position(record.leaves, param)
            if reset and record.accumulated(i):
                when = "entre deux pas d'une même époque" if k % per_epoch else "d'une époque à l'autre"
                fail(question, f"au pas {k + 1}, {label}.grad contenait déjà un gradient avant "
                               f"backward() : les gradients s'accumulent {when}. Remettez-les à "
                               "zéro à chaque pas (w.grad.zero_() après la mise à jour, ou "
                               "optimizer.zero_grad() avant backward()).")
            if not reset and k > 0:
                last = records[k - 1]
                previous, kept = last.after[position(last.leaves, param)], record.before[i]
                if kept is None or previous is None or not torch.allclose(kept, previous):
                    fail(question, f"au pas {k + 1}, {label}.grad a été remis à zéro : la question "
                                   "demande d'oublier la remise à zéro (retirez w.grad.zero_() et "
                                   "b.grad.zero_(), ou optimizer.zero_grad()).")


def position(leaves: list[torch.Tensor], tensor: torch.Tensor) -> int:
    """La place de ``tensor`` (par identité) dans ``leaves``."""
    return next(i for i, leaf in enumerate(leaves) if leaf is tensor)


def check_update(
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


def scalars(question: str, writer: RecordingWriter, name: str, num_epochs: int) -> list[float]:
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


def optimum_gap(question: str, w: Any, b: Any, data: Split) -> tuple[float, float, float]:
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

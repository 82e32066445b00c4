"""L'audit pas à pas d'une descente de gradient sur la régression linéaire : ce que les
vérifications des chapitres 3 et 4 partagent."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.overrides import TorchFunctionMode

from tp2_src.checks.common import (
    MSE_TOLERANCE,
    STEP_RTOL,
    isolated,
    tiny_data,
)
from tp2_src.checks.grading import (
    Backward,
    RecordingWriter,
    call,
    fail,
    percent,
    recording,
)
from tp2_src.data import Split
from tp2_src.french import french_number
from tp2_src.linreg import least_squares, linear_mse

#: Ce qu'un calcul de gradient peut être, dans les messages.
GRADIENT_APIS = "loss.backward(), torch.autograd.grad ou torch.func.grad"


@dataclass
class Audit:
    """Ce qu'une descente a fait, pas à pas : ses paramètres (w, b) au premier pas, ses
    pas, ce qu'elle a rendu, les exemples de chaque mini-batch, les valeurs de (w, b)
    avant chaque pas puis à la fin, et le coût de chaque pas."""

    w: torch.Tensor
    b: torch.Tensor
    steps: int
    result: Any
    batches: list[list[int]] = field(default_factory=list)
    states: list[tuple[torch.Tensor, torch.Tensor]] = field(
        default_factory=list
    )
    losses: list[float] = field(default_factory=list)


def params_of(
    question: str,
    name: str,
    leaves: list[torch.Tensor],
    d: int,
    step: int | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(w, b) parmi les tenseurs dont le coût prend le gradient : un vecteur de ``d`` poids et
    un biais, reconnus à leur forme (``step`` : le numéro du pas, dans le message)."""
    ws = [t for t in leaves if t.numel() == d]
    bs = [t for t in leaves if t.numel() == 1]
    if len(leaves) != 2 or len(ws) != 1 or len(bs) != 1:
        shapes = ", ".join(str(tuple(t.shape)) for t in leaves) or "aucun"
        where = f"au pas {step + 1}, " if step else ""
        fail(
            question,
            f"{where}le coût de {name} dépend de {len(leaves)} tenseur(s) dont autograd "
            f"calcule le gradient (formes : {shapes}) ; il en faut deux : w de forme ({d},) "
            "et b de forme ().",
        )
    w, b = ws[0], bs[0]  # b : un scalaire, de forme () ou (1,)
    if tuple(w.shape) != (d,):
        fail(
            question,
            f"w a la forme {tuple(w.shape)} au lieu de ({d},). Avec cette forme, X @ w a la "
            f"forme (n, 1), et l'écart à y, de forme (n,), est diffusé en une matrice (n, n) : "
            f"le coût est faux. Créez w avec torch.zeros({d}).",
        )
    return w, b


#: Les opérations terme à terme où une diffusion (n, 1) avec (n,) fait une matrice (n, n).
_ELEMENTWISE = frozenset(
    {
        "add",
        "sub",
        "mul",
        "div",
        "rsub",
        "subtract",
        "multiply",
        "true_divide",
        "__add__",
        "__sub__",
        "__mul__",
        "__truediv__",
        "__radd__",
        "__rsub__",
        "__rmul__",
        "__rtruediv__",
    }
)


class BroadcastWatch(TorchFunctionMode):
    """Relève la première opération terme à terme entre deux tenseurs non scalaires dont le
    résultat est plus grand que chacun d'eux (``(n, 1) − (n,)`` → ``(n, n)``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: (
            tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]] | None
        ) = None

    def __torch_function__(
        self, func: Any, types: Any, args: Any = (), kwargs: Any = None
    ) -> Any:
        out = func(*args, **(kwargs or {}))
        named = getattr(func, "__name__", "") in _ELEMENTWISE
        if self.found is None and named and isinstance(out, torch.Tensor):
            ins = [a for a in args if isinstance(a, torch.Tensor)]
            sizes = [t.numel() for t in ins]
            if (
                len(ins) == 2
                and min(sizes) > 1
                and out.numel() > max(sizes)
            ):
                self.found = (
                    tuple(ins[0].shape),
                    tuple(ins[1].shape),
                    tuple(out.shape),
                )
        return out


def batch_weights(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    gradient: torch.Tensor,
) -> tuple[torch.Tensor, float]:
    """Les poids ``a`` des exemples dans ``gradient`` = Σ aᵢ ∇(xᵢ·w + b − yᵢ)², et l'écart relatif.

    Un pas de MSE sur un mini-batch B donne aᵢ = 1/|B| pour i ∈ B, 0 ailleurs.
    """
    X64, y64 = X.double(), y.double()
    residual = X64 @ w.double() + b.double() - y64
    per_example = (
        2
        * residual[:, None]
        * torch.cat([X64, torch.ones(len(X64), 1, dtype=X64.dtype)], 1)
    )
    target = gradient.double()
    weights = torch.linalg.lstsq(per_example.T, target[:, None]).solution[
        :, 0
    ]
    error = (per_example.T @ weights - target).norm() / max(
        target.norm().item(), 1e-12
    )
    return weights, error.item()


def _pair(
    record: Backward, question: str, name: str, d: int, k: int
) -> tuple[int, int]:
    """Les places de w et de b parmi les tenseurs du calcul ``record`` (reconnus à leur forme)."""
    graded = [
        leaf
        for i, leaf in enumerate(record.leaves)
        if record.api == "backward" or record.after[i] is not None
    ]
    w, b = params_of(question, name, graded, d, k)
    return position(record.leaves, w), position(record.leaves, b)


def _final_pair(
    result: Any, d: int
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(w, b) rendus par la descente, s'ils en ont la forme."""
    if (
        isinstance(result, tuple | list)
        and len(result) == 2
        and all(isinstance(t, torch.Tensor) for t in result)
    ):
        w, b = result
        if w.numel() == d and b.numel() == 1:
            return w.detach().reshape(d), b.detach().reshape(())
    return None


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
    """Appelle ``run(données)`` sur ``tiny_data()`` (12 exemples, 13 variables) et juge chaque
    pas de la descente.

    Attendu : ``num_epochs`` époques de mini-batchs de ``batch_size`` exemples qui couvrent les
    données une fois par époque (le dernier, incomplet, compris) ; à chaque pas, le gradient de
    la MSE moyenne du mini-batch, calculé par autograd (``backward()``, ``torch.autograd.grad``
    ou ``torch.func.grad`` ; w et b sont reconnus à leur forme, même remplacés à chaque pas) ;
    puis ``w ← w − lr·gradient`` ; ``.grad`` remis à zéro entre deux pas (``reset``), ou au
    contraire jamais (l'exercice 3.b, qui demande alors ``backward()``).
    """
    data = tiny_data()
    n, d = data.X_train.shape
    watch = BroadcastWatch()
    with recording(namespace) as rec:
        with watch:
            result = call(
                question, f"votre fonction {name}", isolated(run), data
            )
    records = rec.backwards
    if not records:
        fail(
            question,
            f"{name} ne calcule jamais de gradient avec autograd ({GRADIENT_APIS}) : la "
            "question demande une descente de gradient où autograd calcule le gradient à "
            "chaque pas (ni solution exacte, ni dérivée écrite à la main).",
        )
    if not reset:
        other = sorted({r.api for r in records} - {"backward"})
        if other:
            fail(
                question,
                f"{name} calcule ses gradients avec {', '.join(other)} : cet exercice étudie "
                "l'accumulation dans .grad, que seul loss.backward() remplit (les autres "
                "interfaces rendent le gradient sans le ranger dans .grad). Utilisez "
                "loss.backward().",
            )
    pairs = [_pair(records[0], question, name, d, 0)]
    if watch.found is not None:
        left, right, out = watch.found
        fail(
            question,
            f"dans {name}, une opération entre des tenseurs de formes {left} et {right} donne "
            f"une matrice {out} : la diffusion des formes rend le coût faux. Gardez "
            "X @ w + b et y de forme (n,) (pas de y[:, None], ni de w de forme (d, 1)).",
        )
    pairs += [
        _pair(record, question, name, d, k)
        for k, record in enumerate(records)
        if k > 0
    ]
    per_epoch = math.ceil(n / batch_size)
    expected = per_epoch * num_epochs
    what = (
        "un pas par époque"
        if batch_size >= n
        else f"un pas par mini-batch de {batch_size}"
    )
    if len(records) != expected:
        if (
            n % batch_size
            and len(records) == (n // batch_size) * num_epochs
        ):
            fail(
                question,
                f"appelée pour {num_epochs} époques sur {n} exemples en mini-batchs de "
                f"{batch_size}, {name} fait {len(records)} pas au lieu de {expected} : le "
                f"dernier mini-batch de chaque époque ({n % batch_size} exemples) est oublié. "
                "Gardez-le (pas de drop_last=True) : chaque exemple sert à chaque époque.",
            )
        fail(
            question,
            f"appelée pour {num_epochs} époques sur {n} exemples, {name} fait "
            f"{len(records)} pas (calculs de gradient) au lieu de {expected} ({what}).",
        )
    check_resets(question, records, pairs, per_epoch, reset)
    w0, b0 = records[0].leaves[pairs[0][0]], records[0].leaves[pairs[0][1]]
    final = _final_pair(result, d)
    if final is None:
        last, (iw, ib) = records[-1], pairs[-1]
        final = last.leaves[iw].detach(), last.leaves[ib].detach()
    audit = Audit(w0, b0, len(records), result)
    seen_in_epoch: set[int] = set()
    for k, (record, (iw, ib)) in enumerate(
        zip(records, pairs, strict=True)
    ):
        value_w, value_b = record.values[iw], record.values[ib]
        audit.states.append((value_w, value_b))
        audit.losses.append(record.loss)
        gradient = torch.cat(
            [
                record.gradient(iw).reshape(-1),
                record.gradient(ib).reshape(1),
            ]
        )
        weights, error = batch_weights(
            data.X_train, data.y_train, value_w, value_b, gradient
        )
        members = [
            i
            for i, a in enumerate(weights.tolist())
            if abs(a) > 0.5 * weights.abs().max().item()
        ]
        chosen = weights[members]
        if (
            error > STEP_RTOL
            or chosen.min() <= 0
            or chosen.max() > 1.05 * chosen.min()
        ):
            fail(
                question,
                f"au pas {k + 1}, le gradient ne correspond à la MSE d'aucun mini-batch de vos "
                "données : le coût est-il bien ((X @ w + b - y) ** 2).mean(), sur le mini-batch "
                "en cours ?",
            )
        size = len(members)
        expected_size = min(batch_size, n - (k % per_epoch) * batch_size)
        if size != expected_size:
            if batch_size < n and size == n:
                fail(
                    question,
                    f"au pas {k + 1}, le coût porte sur les {n} exemples au lieu d'un mini-batch "
                    f"de {batch_size} : calculez-le sur le mini-batch (X, y) que rend le "
                    "DataLoader, pas sur tout X_train.",
                )
            fail(
                question,
                f"au pas {k + 1}, le gradient vient de {size} exemple(s) au lieu de "
                f"{expected_size} : chaque pas doit utiliser un mini-batch de {batch_size}.",
            )
        mean = sum(weights[i].item() for i in members) / size
        if abs(mean - 1.0) < 0.1 and size > 1:
            fail(
                question,
                f"au pas {k + 1}, le coût est la somme des écarts au carré du mini-batch, pas "
                "leur moyenne : utilisez .mean() (la MSE).",
            )
        if abs(mean * size - 1.0) > 0.05:
            fail(
                question,
                f"au pas {k + 1}, le coût n'est pas la MSE du mini-batch (poids "
                f"{french_number(mean, '.3g')} par exemple au lieu de 1/{size}) : utilisez "
                "((X @ w + b - y) ** 2).mean().",
            )
        if seen_in_epoch & set(members):
            fail(
                question,
                f"au pas {k + 1}, un exemple sert deux fois dans la même époque : chaque "
                "époque doit parcourir les données une fois (un DataLoader le fait).",
            )
        seen_in_epoch |= set(members)
        audit.batches.append(members)
        if (k + 1) % per_epoch == 0:
            seen_in_epoch = set()
        # La mise à jour : de ces valeurs aux suivantes (ou aux valeurs finales).
        if k + 1 < len(records):
            nxt, (jw, jb) = records[k + 1], pairs[k + 1]
            new_w, new_b = nxt.values[jw], nxt.values[jb]
        else:
            new_w, new_b = final
        used_w = (
            record.after[iw]
            if record.after[iw] is not None
            else torch.zeros_like(value_w)
        )
        used_b = (
            record.after[ib]
            if record.after[ib] is not None
            else torch.zeros_like(value_b)
        )
        check_update(
            question,
            k,
            lr,
            (value_w, value_b),
            (new_w, new_b),
            (used_w, used_b),
        )
    audit.states.append(final)
    return audit


def check_resets(
    question: str,
    records: list,
    pairs: list[tuple[int, int]],
    per_epoch: int,
    reset: bool,
) -> None:
    """Les ``.grad`` remis à zéro entre deux pas (``reset``), ou au contraire jamais ; ``pairs``
    donne les places de w et de b dans chaque calcul."""
    for k, (record, places) in enumerate(zip(records, pairs, strict=True)):
        for j, (label, i) in enumerate(
            zip(("w", "b"), places, strict=True)
        ):
            if reset and record.accumulated(i):
                when = (
                    "entre deux pas d'une même époque"
                    if k % per_epoch
                    else "d'une époque à l'autre"
                )
                fail(
                    question,
                    f"au pas {k + 1}, {label}.grad contenait déjà un gradient avant "
                    f"backward() : les gradients s'accumulent {when}. Remettez-les à "
                    "zéro à chaque pas (w.grad.zero_() après la mise à jour, ou "
                    "optimizer.zero_grad() avant backward()).",
                )
            if not reset and k > 0:
                previous, kept = (
                    records[k - 1].after[pairs[k - 1][j]],
                    record.before[i],
                )
                if (
                    kept is None
                    or previous is None
                    or not torch.allclose(kept, previous)
                ):
                    fail(
                        question,
                        f"au pas {k + 1}, {label}.grad a été remis à zéro : la question "
                        "demande d'oublier la remise à zéro (retirez w.grad.zero_() et "
                        "b.grad.zero_(), ou optimizer.zero_grad()).",
                    )


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
    """Le pas ``k`` a fait ``p ← p − lr·gradient`` pour w et pour b."""
    for label, old, new, grad in zip(
        ("w", "b"), before, after, grads, strict=True
    ):
        delta = (new - old).double().reshape(-1)
        g = grad.double().reshape(-1)
        if not g.any() and not delta.any():
            continue
        if not delta.any():
            fail(
                question,
                f"au pas {k + 1}, {label} ne bouge pas : mettez {label} à jour à chaque pas "
                f"({label} -= lr * {label}.grad sous torch.no_grad(), ou optimizer.step()), "
                "et ne remettez pas son gradient à zéro avant la mise à jour.",
            )
        rate = (
            -(delta @ g).item() / (g @ g).item() if g.any() else math.nan
        )
        straight = g.any() and (
            (delta + rate * g).norm().item()
            <= STEP_RTOL * max(delta.norm().item(), 1e-30) * 10
        )
        if not straight:
            fail(
                question,
                f"au pas {k + 1}, la mise à jour de {label} ne suit pas son gradient : "
                f"{label} ← {label} − η·{label}.grad (η = {french_number(lr, 'g')}).",
            )
        if rate < 0:
            fail(
                question,
                f"au pas {k + 1}, {label} monte le long de son gradient : le signe de la mise à "
                f"jour est faux. Une descente retire η·gradient : {label} -= lr * {label}.grad.",
            )
        if math.isclose(rate, 2 * lr, rel_tol=0.02):
            fail(
                question,
                f"au pas {k + 1}, {label} bouge de deux fois η·{label}.grad : la mise à jour "
                "est faite deux fois (à la main et par optimizer.step() ?).",
            )
        if not math.isclose(rate, lr, rel_tol=0.02):
            fail(
                question,
                f"au pas {k + 1}, {label} bouge de {french_number(rate, '.3g')} × "
                f"{label}.grad alors que le taux reçu vaut η = {french_number(lr, 'g')} : la "
                "fonction n'utilise pas le taux lr reçu en paramètre (un taux écrit en dur ?).",
            )


def scalars(
    question: str, writer: RecordingWriter, name: str, num_epochs: int
) -> list[float]:
    """Les coûts ``loss/train`` journalisés (un par époque), après vérification des étiquettes."""
    if not writer.scalars:
        fail(
            question,
            f"{name} n'écrit rien dans writer : journalisez loss/train et loss/test à "
            "chaque époque avec writer.add_scalar(étiquette, coût, époque).",
        )
    for tag in ("loss/train", "loss/test"):
        if tag not in writer.scalars:
            found = ", ".join(sorted(writer.scalars))
            fail(
                question,
                f"l'étiquette « {tag} » manque (trouvée(s) : {found}) : écrivez "
                f"writer.add_scalar('{tag}', coût, époque).",
            )
        points = writer.scalars[tag]
        if len(points) not in (num_epochs, num_epochs + 1):
            fail(
                question,
                f"« {tag} » a {len(points)} point(s) pour {num_epochs} époques : "
                "journalisez le coût une fois par époque.",
            )
        steps = [s for s, _ in points]
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            fail(
                question,
                f"les époques de « {tag} » ne croissent pas ({steps[:4]}…) : passez le "
                "numéro de l'époque en troisième argument de add_scalar.",
            )
    return [v for _, v in writer.scalars["loss/train"]]


def follows(
    values: list[float], reference: list[float], rtol: float = 1e-3
) -> bool:
    """``values`` (un point par époque, avec ou sans le point de départ) suit ``reference``
    (le point de départ puis un par époque)."""
    count = len(values)
    return any(
        len(part) == count
        and all(
            math.isclose(a, r, rel_tol=rtol, abs_tol=1e-6)
            for a, r in zip(values, part, strict=True)
        )
        for part in (
            reference[:count],
            reference[len(reference) - count :],
        )
    )


def check_logged(
    question: str,
    name: str,
    writer: RecordingWriter,
    audit: Audit,
    data: Split,
    per_epoch: int,
) -> None:
    """Les coûts journalisés sont les MSE d'apprentissage et de test de (w, b) au début de
    chaque époque (et à la fin) de la descente ``audit``."""
    epochs = audit.states[
        ::per_epoch
    ]  # le départ, puis la fin de chaque époque
    sets = {
        "train": (data.X_train, data.y_train),
        "test": (data.X_test, data.y_test),
    }
    curves = {
        split: [linear_mse(X, y, w, b) for w, b in epochs]
        for split, (X, y) in sets.items()
    }
    logged = {
        split: [v for _, v in writer.scalars[f"loss/{split}"]]
        for split in ("train", "test")
    }
    if follows(logged["train"], curves["test"]) and follows(
        logged["test"], curves["train"]
    ):
        fail(
            question,
            f"{name} journalise le coût de test sous « loss/train » et celui d'apprentissage "
            "sous « loss/test » : les étiquettes sont inversées.",
        )
    for split, what, X in (
        ("train", "d'apprentissage", "X_train, y_train"),
        ("test", "de test", "X_test, y_test"),
    ):
        if not follows(logged[split], curves[split]):
            fail(
                question,
                f"« loss/{split} » ne suit pas la MSE {what} de (w, b) à chaque époque : "
                f"journalisez linear_mse({X}, w, b) sur tout le jeu, à la fin de chaque "
                "époque, comme dans le squelette.",
            )


def descent_curves(
    X: torch.Tensor,
    y: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    lr: float,
    num_epochs: int,
) -> tuple[list[float], list[float]]:
    """Les MSE d'apprentissage et de test d'une descente batch de référence (float64), au
    départ puis après chaque époque."""
    X, y, X_test, y_test = (
        X.double(),
        y.double(),
        X_test.double(),
        y_test.double(),
    )
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    b = torch.zeros((), dtype=torch.float64)
    train, test = [], []
    for epoch in range(num_epochs + 1):
        if epoch:
            residual = X @ w + b - y
            w, b = (
                w - lr * 2 * X.T @ residual / len(X),
                b - lr * 2 * residual.mean(),
            )
        train.append(((X @ w + b - y) ** 2).mean().item())
        test.append(((X_test @ w + b - y_test) ** 2).mean().item())
    return train, test


def optimum_gap(
    question: str, w: Any, b: Any, data: Split
) -> tuple[float, float, float]:
    """MSE d'apprentissage de (w, b), MSE des moindres carrés, écart relatif (≤ 1 %).

    ``(w, b)`` a passé ``as_pair`` : deux tenseurs flottants, b d'un élément."""
    w, b = w.detach().reshape(-1).cpu(), b.detach().reshape(()).cpu()
    if not (torch.isfinite(w).all() and torch.isfinite(b)):
        fail(
            question,
            "les paramètres rendus contiennent nan ou inf : la descente a divergé.",
        )
    w_star, b_star = least_squares(data.X_train, data.y_train)
    optimum = linear_mse(data.X_train, data.y_train, w_star, b_star)
    mse = linear_mse(data.X_train, data.y_train, w, b)
    gap = mse / optimum - 1
    if gap > MSE_TOLERANCE:
        fail(
            question,
            f"sur Boston Housing, la MSE d'apprentissage atteinte vaut "
            f"{french_number(mse, '.3f')}, {percent(gap)} au-dessus de l'optimum des "
            "moindres carrés "
            f"({french_number(optimum, '.3f')} ; tolérance {percent(MSE_TOLERANCE, '.0f')}).",
        )
    return mse, optimum, gap

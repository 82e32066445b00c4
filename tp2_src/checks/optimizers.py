"""Les vérifications du chapitre 4 : exercices 4.a et 4.b.

Les taux, moments et nombres d'époques des jugements ne sont pas ceux du chapitre (η = 0,1
ou 0,01, μ = 0,9, 100 pas) : une valeur écrite en dur dans la fonction échoue, avec un
message qui la nomme.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from tp2_src.checks.common import (
    STEP_RTOL,
    as_pair,
    boston_data,
    isolated,
    tiny_data,
)
from tp2_src.checks.descent import audit_descent, params_of, position
from tp2_src.checks.grading import (
    CheckError,
    Recorder,
    call,
    fail,
    passed,
    recording,
    student_function,
)
from tp2_src.checks.registry import exercise
from tp2_src.data import Split
from tp2_src.french import french_number

#: 4.a : le petit jeu (taux, époques), puis Boston Housing.
SGD_TINY = (0.07, 3)
SGD_BOSTON = (0.03, 40)
#: 4.b : le petit jeu (taux, moment, époques), puis Boston Housing.
MOMENTUM_TINY = (0.04, 0.8, 6)
MOMENTUM_BOSTON = (0.02, 0.7, 40)

#: Les options de torch.optim.SGD que 4.a laisse à leur valeur par défaut.
_PLAIN_SGD = (
    ("momentum", 0),
    ("weight_decay", 0),
    ("nesterov", False),
    ("maximize", False),
)


def _number(value: float) -> str:
    return french_number(value, "g")


def _flat(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.cat(
        [w.detach().reshape(-1), b.detach().reshape(1)]
    ).double()


def _label(param: torch.Tensor) -> str:
    return "b" if param.numel() == 1 else "w"


def _judge_optimizers(question: str, rec: Recorder, lr: float) -> None:
    """Les optimiseurs créés par ``sgd_descent`` : des ``torch.optim.SGD`` simples, de taux
    ``lr``, qui reçoivent w et b (les feuilles du coût)."""
    given: set[int] = set()
    for optimizer in rec.optimizers:
        if not isinstance(optimizer, torch.optim.SGD):
            fail(
                question,
                f"l'optimiseur est un {type(optimizer).__name__} : la question demande "
                "torch.optim.SGD, la descente w ← w − η·∇ℓ (torch.optim.SGD([w, b], lr=lr)).",
            )
        for group in optimizer.param_groups:
            given |= {id(p) for p in group["params"]}
            for key, default in _PLAIN_SGD:
                if group.get(key, default) != default:
                    fail(
                        question,
                        f"torch.optim.SGD est créé avec {key}={group[key]} : la question demande "
                        "la descente batch simple, w ← w − η·∇ℓ (le moment vient à l'exercice "
                        "4.b). Créez-le avec torch.optim.SGD([w, b], lr=lr), sans autre option.",
                    )
            if not math.isclose(group["lr"], lr, rel_tol=1e-6):
                fail(
                    question,
                    f"l'optimiseur a le taux {_number(group['lr'])} alors que sgd_descent a reçu "
                    f"lr = {_number(lr)} : passez le taux reçu, torch.optim.SGD([w, b], lr=lr), "
                    "plutôt qu'un taux écrit en dur.",
                )
    if rec.optimizers:
        for leaf in rec.leaves():
            if id(leaf) not in given:
                name = _label(leaf)
                fail(
                    question,
                    f"{name} n'est pas confié à l'optimiseur : optimizer.step() ne le met pas à "
                    f"jour, et zero_grad() n'efface pas {name}.grad. Passez-lui les deux "
                    "paramètres : torch.optim.SGD([w, b], lr=lr).",
                )


def _sgd_reference(
    data: Split, lr: float, num_epochs: int
) -> torch.Tensor:
    """(w, b) aplatis après ``num_epochs`` pas de ``torch.optim.SGD`` partis de zéro."""
    w = nn.Parameter(torch.zeros(data.X_train.shape[1]))
    b = nn.Parameter(torch.zeros(()))
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        ((data.X_train @ w + b - data.y_train) ** 2).mean().backward()
        optimizer.step()
    return _flat(w, b)


@exercise(
    "ex-4a", "Exercice 4.a", "la boucle corrigée, section 3 de l'énoncé"
)
def check_sgd_descent(question: str, namespace: Any) -> None:
    """Exercice 4.a (chapitre 4) : ``sgd_descent``, la boucle de l'énoncé corrigée.

    ``w`` et ``b`` en ``nn.Parameter`` partis de zéro, un seul ``torch.optim.SGD`` (sans
    option) de taux ``lr`` sur [w, b], créé avant la boucle, et à chaque pas
    ``zero_grad()``, passe avant, ``backward()``, ``step()`` : sur un petit jeu
    (η = 0,07, 3 pas), chaque pas est vérifié ; sur Boston Housing (η = 0,03, 40 pas),
    les paramètres rendus sont ceux de ``torch.optim.SGD``.
    """
    descent = student_function(
        question,
        namespace,
        "sgd_descent",
        ("X_train", "y_train", "lr", "num_epochs"),
    )
    lr, epochs = SGD_TINY
    with recording(namespace) as rec:
        try:
            audit = audit_descent(
                question,
                "sgd_descent",
                lambda data: descent(
                    data.X_train, data.y_train, lr, epochs
                ),
                batch_size=12,
                lr=lr,
                num_epochs=epochs,
                namespace=namespace,
            )
        except CheckError:
            _judge_optimizers(
                question, rec, lr
            )  # une cause plus précise, s'il y en a une
            raise
    _judge_optimizers(question, rec, lr)
    for label, param in (("w", audit.w), ("b", audit.b)):
        if not isinstance(param, nn.Parameter):
            fail(
                question,
                f"{label} devrait être un nn.Parameter (c'est un {type(param).__name__}) : "
                f"{label} = nn.Parameter(torch.zeros(…)).",
            )
        start = rec.backwards[0].values[
            position(rec.backwards[0].leaves, param)
        ]
        if start.any():
            fail(
                question,
                f"{label} ne part pas de zéro : la question demande w et b initialisés à zéro, "
                f"{label} = nn.Parameter(torch.zeros(…)).",
            )
    if not rec.optimizers:
        fail(
            question,
            "sgd_descent ne crée pas d'optimiseur : la question demande torch.optim.SGD([w, b], "
            "lr=lr), créé une fois avant la boucle, puis zero_grad() et step() à chaque pas.",
        )
    if len(rec.optimizers) != 1:
        fail(
            question,
            f"sgd_descent crée {len(rec.optimizers)} optimiseurs pour {epochs} pas : créez-en un "
            "seul, avant la boucle.",
        )
    data = boston_data()
    lr_b, epochs_b = SGD_BOSTON
    w, b = as_pair(
        question,
        call(
            question,
            "votre fonction sgd_descent",
            isolated(descent),
            data.X_train,
            data.y_train,
            lr_b,
            epochs_b,
        ),
    )
    if not torch.allclose(
        _flat(w, b),
        _sgd_reference(data, lr_b, epochs_b),
        rtol=1e-3,
        atol=1e-4,
    ):
        fail(
            question,
            f"sur Boston Housing (η = {_number(lr_b)}, {epochs_b} pas), les paramètres rendus "
            "diffèrent de ceux de torch.optim.SGD : chaque pas doit porter sur toutes les "
            "données reçues, X_train et y_train, et il en faut num_epochs.",
        )
    passed(
        question,
        f"un torch.optim.SGD de taux lr créé une fois, zero_grad() à chaque pas (petit jeu, "
        f"η = {_number(lr)}) ; sur Boston Housing (η = {_number(lr_b)}, {epochs_b} pas), les "
        "paramètres de torch.optim.SGD.",
    )


def _momentum_reference(
    data: Split,
    lr: float,
    mu: float,
    num_epochs: int,
    variant: str = "sgd",
) -> list[torch.Tensor]:
    """Les valeurs (w, b) aplaties avant chaque pas d'une descente batch de référence :
    ``torch.optim.SGD(momentum=mu)`` ; ``variant="plain"`` sans moment, ``"average"`` avec
    la vitesse moyenne v ← μ·v + (1 − μ)·g partie de zéro (deux erreurs à reconnaître)."""
    d = data.X_train.shape[1]
    w = nn.Parameter(torch.zeros(d, dtype=torch.float64))
    b = nn.Parameter(torch.zeros((), dtype=torch.float64))
    optimizer = torch.optim.SGD(
        [w, b], lr=lr, momentum=mu if variant == "sgd" else 0.0
    )
    velocity = [torch.zeros_like(w), torch.zeros_like(b)]
    X, y = data.X_train.double(), data.y_train.double()
    values = []
    for _ in range(num_epochs):
        values.append(_flat(w, b).clone())
        optimizer.zero_grad()
        ((X @ w + b - y) ** 2).mean().backward()
        if variant == "average":
            with torch.no_grad():
                for p, v in zip((w, b), velocity, strict=True):
                    v.mul_(mu).add_((1 - mu) * p.grad)
                    p -= lr * v
        else:
            optimizer.step()
    values.append(_flat(w, b).clone())
    return values


def _close(a: torch.Tensor, b: torch.Tensor) -> bool:
    return torch.allclose(a, b, rtol=1e-4, atol=1e-6)


def _momentum_hint(
    data: Split,
    lr: float,
    mu: float,
    epochs: int,
    k: int,
    got: list[torch.Tensor],
    grads: list[torch.Tensor],
) -> str:
    """Ce qui distingue la trajectoire ``got`` de celle de ``torch.optim.SGD(momentum=mu)``,
    qui en diffère d'abord avant le pas ``k + 1`` (les paramètres rendus si ``k == epochs``)."""
    if k == 0:
        return "w et b doivent partir de zéro, torch.zeros(…)."
    if _close(
        got[k], _momentum_reference(data, lr, mu, epochs, "plain")[k]
    ):
        return (
            "les pas sont ceux d'une descente sans moment : la vitesse doit garder la mémoire des "
            "pas précédents, v ← μ·v + ∇ℓ, et le pas suivre v."
        )
    if _close(
        got[k], _momentum_reference(data, lr, mu, epochs, "average")[k]
    ):
        return (
            "la vitesse est une moyenne, v ← μ·v + (1 − μ)·∇ℓ : la convention de torch.optim.SGD "
            "(et de ce livre) est v ← μ·v + ∇ℓ."
        )
    delta = got[k] - got[k - 1]
    if k == 1:  # au premier pas, v = ∇ℓ : le pas vaut −η·∇ℓ
        g = grads[0]
        rate = -(delta @ g).item() / (g @ g).item()
        if (
            delta + rate * g
        ).norm() <= 10 * STEP_RTOL * delta.norm() and rate > 0:
            return (
                f"au premier pas (v = ∇ℓ), les paramètres bougent de {french_number(rate, '.3g')} × ∇ℓ "
                f"au lieu de η = {_number(lr)} : utilisez le taux lr reçu en paramètre."
            )
    elif (
        k == 2
    ):  # au deuxième pas, v = μ·∇ℓ₁ + ∇ℓ₂ : le pas dit le μ employé
        g1, g2 = grads[0], grads[1]
        rest = -delta / lr - g2
        used = (rest @ g1).item() / (g1 @ g1).item()
        if (rest - used * g1).norm() <= 10 * STEP_RTOL * (
            delta / lr
        ).norm() and used > 0:
            return (
                f"au deuxième pas, la vitesse garde μ = {french_number(used, '.3g')} au lieu du "
                f"mu reçu ({_number(mu)}) : utilisez le moment mu reçu en paramètre."
            )
    return "vérifiez v ← μ·v + ∇ℓ, puis p ← p − η·v, pour w et pour b, sous torch.no_grad()."


@exercise("ex-4b", "Exercice 4.b", "le moment, à la main")
def check_momentum_descent(question: str, namespace: Any) -> None:
    """Exercice 4.b (chapitre 4) : ``momentum_descent``, la descente batch avec moment
    écrite à la main (``v ← μ·v + ∇ℓ``, ``p ← p − η·v``), sans ``torch.optim``.

    « À la main », c'est la mise à jour : le gradient vient de ``loss.backward()``, comme
    dans le squelette, et ``.grad`` est remis à zéro à chaque pas. Sur un petit jeu
    (η = 0,04, μ = 0,8, 6 époques), chaque pas doit suivre ``torch.optim.SGD(momentum=μ)`` ;
    sur Boston Housing (η = 0,02, μ = 0,7, 40 époques), les paramètres rendus aussi.
    """
    descent = student_function(
        question,
        namespace,
        "momentum_descent",
        ("X_train", "y_train", "lr", "mu", "num_epochs"),
    )
    data = tiny_data()
    lr, mu, epochs = MOMENTUM_TINY
    with recording(namespace) as rec:
        result = call(
            question,
            "votre fonction momentum_descent",
            isolated(descent),
            data.X_train,
            data.y_train,
            lr,
            mu,
            epochs,
        )
    if rec.optimizers:
        fail(
            question,
            "momentum_descent crée un optimiseur de torch.optim : écrivez la vitesse et la "
            "mise à jour à la main, sous torch.no_grad().",
        )
    others = [api for api in rec.used() if api != "backward"]
    if others:
        fail(
            question,
            f"momentum_descent calcule le gradient avec {others[0]} : ce que l'exercice fait "
            "écrire à la main, c'est la mise à jour (la vitesse, puis le pas). Gardez "
            "loss.backward() du squelette, qui remplit .grad, et remettez .grad à zéro à "
            "chaque pas.",
        )
    if len(rec.backwards) != epochs:
        fail(
            question,
            f"momentum_descent fait {len(rec.backwards)} pas (appels à backward()) pour "
            f"{epochs} époques : un pas par époque, sur toutes les données.",
        )
    w, b = params_of(
        question, "momentum_descent", rec.leaves(), data.X_train.shape[1]
    )
    for k, record in enumerate(rec.backwards):
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(
                question,
                f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                "remettez-les à zéro à chaque pas (la vitesse garde la mémoire, pas .grad).",
            )
    got = [
        _flat(
            r.values[position(r.leaves, w)],
            r.values[position(r.leaves, b)],
        )
        for r in rec.backwards
    ]
    grads = [
        _flat(
            r.gradient(position(r.leaves, w)),
            r.gradient(position(r.leaves, b)),
        )
        for r in rec.backwards
    ]
    pair = as_pair(question, result)
    got.append(_flat(pair[0], pair[1]))
    expected = _momentum_reference(data, lr, mu, epochs)
    for k, (mine, ref) in enumerate(zip(got, expected, strict=True)):
        if not _close(mine, ref):
            hint = _momentum_hint(data, lr, mu, epochs, k, got, grads)
            where = (
                "les paramètres rendus"
                if k == epochs
                else f"au début du pas {k + 1}, les paramètres"
            )
            fail(
                question,
                f"{where} diffèrent de ceux de torch.optim.SGD(momentum={_number(mu)}) "
                f"(η = {_number(lr)}) : {hint}",
            )
    boston = boston_data()
    lr_b, mu_b, epochs_b = MOMENTUM_BOSTON
    w_b, b_b = as_pair(
        question,
        call(
            question,
            "votre fonction momentum_descent",
            isolated(descent),
            boston.X_train,
            boston.y_train,
            lr_b,
            mu_b,
            epochs_b,
        ),
    )
    reference = _momentum_reference(boston, lr_b, mu_b, epochs_b)[-1]
    if not torch.allclose(
        _flat(w_b, b_b), reference, rtol=1e-3, atol=1e-3
    ):
        fail(
            question,
            f"sur Boston Housing (η = {_number(lr_b)}, μ = {_number(mu_b)}, {epochs_b} époques), "
            f"les paramètres rendus diffèrent de ceux de torch.optim.SGD(momentum="
            f"{_number(mu_b)}) : chaque pas doit porter sur toutes les données reçues, "
            "X_train et y_train, et il en faut num_epochs.",
        )
    passed(
        question,
        f"chaque pas suit torch.optim.SGD(momentum=μ), sur un petit jeu (η = {_number(lr)}, "
        f"μ = {_number(mu)}) comme sur Boston Housing (η = {_number(lr_b)}, "
        f"μ = {_number(mu_b)}), sans optimiseur ni gradient accumulé.",
    )

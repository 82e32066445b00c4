"""Les vérifications du chapitre 4 : exercices 4.a et 4.b."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from tp2_src.checks.common import MSE_TOLERANCE, as_pair, boston_data, isolated, tiny_data
from tp2_src.checks.descent import audit_descent, optimum_gap, params_of, position
from tp2_src.checks.grading import call, fail, passed, percent, recording, student_function
from tp2_src.checks.registry import exercise
from tp2_src.data import Split
from tp2_src.french import french_number


@exercise("ex-4a", "Exercice 4.a", "la boucle corrigée, section 3 de l'énoncé")
def check_sgd_descent(question: str, namespace: Any) -> None:
    """Exercice 4.a (chapitre 4) : ``sgd_descent``, la boucle de l'énoncé corrigée.

    ``w`` et ``b`` en ``nn.Parameter``, un seul ``torch.optim.SGD`` créé avant la boucle,
    et à chaque pas ``zero_grad()``, passe avant, ``backward()``, ``step()`` : sur un
    petit jeu, chaque pas est vérifié ; sur Boston Housing (η = 0,1, 100 pas), 1 % de
    l'optimum.
    """
    descent = student_function(question, namespace, "sgd_descent", ("X_train", "y_train", "lr", "num_epochs"))
    with recording(namespace) as rec:
        audit = audit_descent(question, "sgd_descent",
                               lambda data: descent(data.X_train, data.y_train, 0.1, 3),
                               batch_size=12, lr=0.1, num_epochs=3, namespace=namespace)
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
    data = boston_data()
    w, b = as_pair(question, call(question, "votre fonction sgd_descent", isolated(descent),
                                data.X_train, data.y_train, 0.1, 100))
    mse, optimum, gap = optimum_gap(question, w, b, data)
    passed(question, f"un SGD créé une fois, zero_grad() à chaque pas ; sur Boston Housing, MSE "
                     f"{french_number(mse, '.3f')}, à {percent(gap)} de l'optimum (tolérance "
                     f"{percent(MSE_TOLERANCE, '.0f')}).")


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


@exercise("ex-4b", "Exercice 4.b", "le moment, à la main")
def check_momentum_descent(question: str, namespace: Any) -> None:
    """Exercice 4.b (chapitre 4) : ``momentum_descent``, la descente batch avec moment
    écrite à la main (``v ← μ·v + ∇ℓ``, ``p ← p − η·v``), sans ``torch.optim``.

    Sur un petit jeu, chaque pas doit suivre ``torch.optim.SGD(momentum=μ)`` ; sur Boston
    Housing (η = 0,01, μ = 0,9, 100 époques), les paramètres rendus aussi.
    """
    descent = student_function(question, namespace, "momentum_descent",
                               ("X_train", "y_train", "lr", "mu", "num_epochs"))
    data, lr, mu, epochs = tiny_data(), 0.05, 0.9, 6
    with recording(namespace) as rec:
        result = call(question, "votre fonction momentum_descent", isolated(descent),
                      data.X_train, data.y_train, lr, mu, epochs)
    if rec.optimizers:
        fail(question, "momentum_descent crée un optimiseur de torch.optim : écrivez la vitesse et la "
                       "mise à jour à la main, sous torch.no_grad().")
    if len(rec.backwards) != epochs:
        fail(question, f"momentum_descent fait {len(rec.backwards)} pas (appels à backward()) pour "
                       f"{epochs} époques : un pas par époque, sur toutes les données.")
    w, b = params_of(question, "momentum_descent", rec.leaves(), data.X_train.shape[1])
    for k, record in enumerate(rec.backwards):
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(question, f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                           "remettez-les à zéro à chaque pas (la vitesse garde la mémoire, pas .grad).")
    got = [torch.cat([r.values[position(r.leaves, w)].reshape(-1),
                      r.values[position(r.leaves, b)].reshape(1)]).double() for r in rec.backwards]
    pair = as_pair(question, result)
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
    boston = boston_data()
    w_b, b_b = as_pair(question, call(question, "votre fonction momentum_descent", isolated(descent),
                                    boston.X_train, boston.y_train, 0.01, 0.9, 100))
    reference = _momentum_reference(boston, 0.01, 0.9, 100)[-1]
    mine = torch.cat([w_b.detach().reshape(-1), b_b.detach().reshape(1)]).double()
    if not torch.allclose(mine, reference, rtol=1e-3, atol=1e-3):
        fail(question, "sur Boston Housing, les paramètres rendus diffèrent de ceux de "
                       "torch.optim.SGD(momentum=0,9) : la fonction utilise-t-elle bien lr et mu ?")
    passed(question, f"chaque pas suit torch.optim.SGD(momentum={french_number(mu, 'g')}), sur un petit jeu "
                     "comme sur Boston Housing, sans optimiseur ni gradient accumulé.")

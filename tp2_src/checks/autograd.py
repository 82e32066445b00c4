"""Les vérifications du chapitre 2 : exercices 2.a et 2.d."""

from __future__ import annotations

from typing import Any

import torch

from tp2_src.checks.grading import call, fail, lookup, passed, recording, student_function
from tp2_src.checks.registry import exercise


@exercise("ex-2a", "Exercice 2.a", "tanh, avec sa passe arrière")
def check_tanh_function(question: str, namespace: Any) -> None:
    """Exercice 2.a (chapitre 2) : ``Tanh``, une ``torch.autograd.Function`` écrite à la main.

    Sa passe avant doit être ``torch.tanh`` ; sa passe arrière, vérifiée par ``gradcheck``
    (float64), doit multiplier le gradient reçu (pas seulement 1) par ``1 − tanh²``.
    """
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


@exercise("ex-2d", "Exercice 2.d", "dériver coordonnée par coordonnée")
def check_sin_derivatives(question: str, namespace: Any) -> None:
    """Exercice 2.d (chapitre 2) : ``sin_derivatives(x)`` rend ``x.grad``, obtenu par
    ``torch.sin(x).backward(gradient=…)``, et la jacobienne de ``torch.sin`` en ``x``."""
    derivatives = student_function(question, namespace, "sin_derivatives", ("x",))
    x = torch.linspace(-2.0, 2.0, 7, dtype=torch.float64, requires_grad=True)
    with recording(namespace) as rec:
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

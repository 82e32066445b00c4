"""Les vérifications du chapitre 2 : exercices 2.a et 2.d."""

from __future__ import annotations

from typing import Any

import torch

from tp2_src.checks.grading import (
    call,
    fail,
    lookup,
    passed,
    recording,
    shape_of,
    student_function,
)
from tp2_src.checks.registry import exercise


def _tanh_forward(
    question: str, cls: type, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor]:
    """``Tanh.apply(x)`` sur 9 points de [−2,5 ; 2,5] en ``dtype`` : x et y, y jugé (forme,
    dtype, x intact, valeur)."""
    x = torch.linspace(-2.5, 2.5, 9, dtype=dtype, requires_grad=True)
    before = x.detach().clone()
    y = call(question, "Tanh.apply(x)", cls.apply, x)
    if not isinstance(y, torch.Tensor) or y.shape != x.shape:
        fail(
            question,
            "Tanh.apply(x) doit rendre un tenseur de la forme de x : forward rend "
            f"y = torch.tanh(x) ; reçu {type(y).__name__}.",
        )
    if not torch.equal(x.detach(), before):
        fail(
            question,
            "forward modifie x sur place (x.tanh_() ou x[...] = …) : l'entrée est écrasée. "
            "Rendez un nouveau tenseur, y = torch.tanh(x).",
        )
    if y.dtype != x.dtype:
        fail(
            question,
            f"pour une entrée en {str(x.dtype)[6:]}, la passe avant rend du {str(y.dtype)[6:]} : "
            "elle doit garder le dtype de x. Calculez avec torch.tanh(x), sans passer par "
            "NumPy ni math.",
        )
    expected = torch.tanh(before)
    if not torch.allclose(y.detach(), expected, rtol=1e-4, atol=1e-6):
        fail(
            question,
            "la passe avant ne calcule pas tanh(x) : forward doit rendre torch.tanh(x).",
        )
    if dtype == torch.float64 and not torch.allclose(
        y.detach(), expected, rtol=1e-12, atol=1e-14
    ):
        fail(
            question,
            "la passe avant perd de la précision : pour x en float64, tanh(x) n'est juste "
            "qu'à 10⁻⁴ près (un calcul en float32 ?). Calculez torch.tanh(x), sans conversion.",
        )
    return x, y


@exercise("ex-2a", "Exercice 2.a", "tanh, avec sa passe arrière")
def check_tanh_function(question: str, namespace: Any) -> None:
    """Exercice 2.a (chapitre 2) : ``Tanh``, une ``torch.autograd.Function`` écrite à la main.

    Sa passe avant, essayée en float32 et en float64 sur 9 points de [−2,5 ; 2,5], doit être
    ``torch.tanh`` : même dtype que l'entrée, entrée intacte. Sa passe arrière (float64) doit
    multiplier le gradient reçu v = (0,5 … 2), pas seulement 1, par ``1 − tanh²`` ; puis
    ``gradcheck`` la vérifie.
    """
    cls = lookup(question, namespace, "Tanh")
    if not (
        isinstance(cls, type) and issubclass(cls, torch.autograd.Function)
    ):
        fail(
            question,
            "Tanh devrait être une classe qui hérite de torch.autograd.Function.",
        )
    _tanh_forward(question, cls, torch.float32)
    x, y = _tanh_forward(question, cls, torch.float64)
    backward_cls = getattr(cls, "_backward_cls", None)
    if y.grad_fn is None or (
        backward_cls is not None
        and not isinstance(y.grad_fn, backward_cls)
    ):
        fail(
            question,
            "la sortie n'est pas enregistrée par votre Function : y.grad_fn est "
            f"{type(y.grad_fn).__name__}. Appelez Tanh.apply(x), calculez y dans forward, "
            "sans ctx.mark_non_differentiable.",
        )
    v = torch.linspace(
        0.5, 2.0, 9, dtype=torch.float64
    )  # un gradient reçu qui n'est pas 1
    expected = v * (1 - torch.tanh(x.detach()) ** 2)
    got = call(
        question,
        "la passe arrière de Tanh",
        torch.autograd.grad,
        y,
        x,
        v.clone(),
        allow_unused=True,
    )[0]
    if got is None:
        fail(
            question,
            "backward rend None : il doit rendre le gradient par rapport à x (return …).",
        )
    # La passe arrière rejouée sous relevé, lancée par l'original de torch.autograd.grad :
    # seuls les calculs de gradient que backward fait lui-même sont relevés.
    driver = torch.autograd.grad
    x2 = x.detach().clone().requires_grad_()
    with recording(namespace) as rec:
        driver(cls.apply(x2), x2, v.clone())
    if rec.used():
        fail(
            question,
            f"la passe arrière de Tanh calcule le gradient avec autograd "
            f"({', '.join(rec.used())}) : l'exercice demande la dérivée écrite à la "
            "main, grad_output × (1 − y²), avec le y rangé par forward.",
        )
    if torch.allclose(got, 1 - torch.tanh(x.detach()) ** 2):
        fail(
            question,
            "backward ignore le gradient reçu : multipliez grad_output par la dérivée locale.",
        )
    if not torch.allclose(got, expected, rtol=1e-10, atol=1e-12):
        fail(
            question,
            "la passe arrière ne donne pas le bon gradient : la dérivée locale de tanh est "
            "1 − tanh²(x) = 1 − y², multipliée par le gradient reçu.",
        )
    ok = call(
        question,
        "gradcheck(Tanh.apply, (x,))",
        torch.autograd.gradcheck,
        cls.apply,
        (x,),
        raise_exception=False,
    )
    if not ok:
        fail(
            question,
            "gradcheck refuse la passe arrière : elle ne donne pas la jacobienne des "
            "différences finies.",
        )
    passed(
        question,
        "tanh à l'aller (float32 et float64), gradient reçu × (1 − y²) au retour ; "
        "gradcheck (float64) l'accepte.",
    )


#: Les interfaces qui calculent une jacobienne, ou un produit vecteur–jacobienne ligne par ligne.
_JACOBIAN_APIS = (
    "functional.jacobian",
    "func.jacrev",
    "func.jacfwd",
    "func.vjp",
    "func.jvp",
    "functional.vjp",
    "functional.jvp",
    "autograd.grad",
    "func.grad",
)


#: Les interfaces qui rendent le produit vecteur–jacobienne au lieu de le ranger dans x.grad.
_GRADIENT_APIS = {
    "autograd.grad": "torch.autograd.grad",
    "func.grad": "torch.func.grad",
    "func.vjp": "torch.func.vjp",
    "func.grad_and_value": "torch.func.grad_and_value",
}


@exercise("ex-2d", "Exercice 2.d", "dériver coordonnée par coordonnée")
def check_sin_derivatives(question: str, namespace: Any) -> None:
    """Exercice 2.d (chapitre 2) : ``sin_derivatives(x)`` rend ``x.grad``, obtenu par
    ``torch.sin(x).backward(gradient=…)``, et J, la jacobienne de ``torch.sin`` en ``x``,
    calculée par autograd (``jacobian``, ``torch.func.jacrev``…, ou ligne par ligne), pas
    recopiée de la réponse.

    Sur 7 points de [−2, 2] (float64), tolérance relative 10⁻⁵.
    """
    derivatives = student_function(
        question, namespace, "sin_derivatives", ("x",)
    )
    x = torch.linspace(
        -2.0, 2.0, 7, dtype=torch.float64, requires_grad=True
    )
    with recording(namespace) as rec:
        result = call(
            question, "votre fonction sin_derivatives", derivatives, x
        )
    if not isinstance(result, tuple | list) or len(result) != 2:
        fail(
            question,
            f"sin_derivatives doit rendre le couple (x.grad, J) ; elle rend un "
            f"{type(result).__name__}.",
        )
    grad, J = result
    on_x = [
        r.api for r in rec.backwards if any(leaf is x for leaf in r.leaves)
    ]
    if "backward" not in on_x:
        others = [api for api in on_x if api in _GRADIENT_APIS]
        if others:
            fail(
                question,
                f"x.grad est calculé par {_GRADIENT_APIS[others[0]]}, "
                "qui ne remplit pas x.grad : la question demande y.backward(gradient=…), le "
                "produit vecteur–jacobienne rangé dans x.grad.",
            )
        fail(
            question,
            "sin_derivatives n'appelle pas backward() sur torch.sin(x) : la question "
            "demande y.backward(gradient=…), qui remplit x.grad.",
        )
    expected = torch.cos(x.detach())
    if not isinstance(grad, torch.Tensor) or grad.shape != x.shape:
        shape = shape_of(grad)
        fail(
            question,
            f"le premier élément rendu devrait être x.grad, de forme {tuple(x.shape)} ; "
            f"reçu {shape}.",
        )
    if torch.allclose(grad, 2 * expected):
        fail(
            question,
            "x.grad vaut deux fois cos(x) : backward a été appelé deux fois et les gradients "
            "se sont ajoutés. Un seul appel suffit.",
        )
    if not torch.allclose(grad.double(), expected, rtol=1e-5, atol=1e-7):
        fail(
            question,
            "x.grad diffère de cos(x) : le vecteur passé à backward doit valoir 1 pour chaque "
            "coordonnée, torch.ones_like(y).",
        )
    if not isinstance(J, torch.Tensor) or tuple(J.shape) != (
        len(x),
        len(x),
    ):
        shape = shape_of(J)
        fail(
            question,
            f"J devrait être une matrice ({len(x)}, {len(x)}) ; reçu {shape}.",
        )
    if not torch.allclose(
        J.double(), torch.diag(expected), rtol=1e-5, atol=1e-7
    ):
        fail(
            question,
            "J n'est pas diag(cos x) : calculez-la avec jacobian(torch.sin, x.detach()).",
        )
    if not rec.used(*_JACOBIAN_APIS) and len(rec.backwards) < 2:
        fail(
            question,
            "J est écrite à la main, sans autograd : la question demande de vérifier votre "
            "réponse diag(cos x) en calculant J avec jacobian(torch.sin, x.detach()).",
        )
    passed(
        question,
        "x.grad = cos(x) par backward(gradient=…), et J = diag(cos x), calculée par "
        "autograd (tolérance relative 10⁻⁵, sur 7 points).",
    )

"""Les vérifications du chapitre 1 : exercices 1.a et 1.b."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from tp2_src.checks.grading import (
    KNOWN_ERRORS,
    CheckError,
    call,
    fail,
    lookup,
    passed,
    recording,
    shape_of,
    student_function,
)
from tp2_src.checks.registry import exercise
from tp2_src.french import french_number

#: Des expressions sur des scalaires, écrites avec les opérations du moteur : chacune prend
#: trois nombres (ou trois ``Value``) et rend le résultat.
_EXPRESSIONS: tuple[tuple[str, Callable[[Any, Any, Any], Any]], ...] = (
    ("ℓ = (a·b + c)²", lambda a, b, c: (a * b + c) ** 2),
    (
        "ℓ = q·q, où q = a·b + c sert deux fois",
        lambda a, b, c: (lambda q: q * q)(a * b + c),
    ),
    ("ℓ = tanh(a·b) + exp(c)", lambda a, b, c: (a * b).tanh() + c.exp()),
    (
        "ℓ = 3·a³ + a·b + 2 (des nombres mêlés aux nœuds)",
        lambda a, b, c: 3 * a**3 + a * b + 2,
    ),
    (
        "ℓ = d + d·c, où d = a·b (deux chemins de d vers ℓ)",
        lambda a, b, c: (lambda d: d + d * c)(a * b),
    ),
)


def _torch_reference(
    expression: Callable, values: tuple[float, float, float]
) -> tuple[float, list[float]]:
    """La valeur et les gradients de ``expression`` en (a, b, c), par autograd (float64)."""
    leaves = [
        torch.tensor(v, dtype=torch.float64, requires_grad=True)
        for v in values
    ]

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


@exercise(
    "ex-1a", "Exercice 1.a", "un moteur de différentiation automatique"
)
def check_scalar_engine(question: str, namespace: Any) -> None:
    """Exercice 1.a (chapitre 1) : la classe ``Value``, un moteur de différentiation
    automatique sur des scalaires.

    Sur plusieurs expressions (+, ·, puissance, tanh, exp, nombres mêlés aux nœuds, un
    nœud utilisé deux fois, deux chemins vers le résultat), la valeur et les gradients de
    ``backward()`` doivent être ceux d'autograd, à 10⁻⁹ près, en a = 0,7, b = −1,3,
    c = 0,4. Chaque opération, seule, doit rendre une nouvelle ``Value`` (y compris
    ``a + 2`` et ``a * 3``) ; ``backward()`` ne doit employer aucune interface d'autograd.
    """
    engine = lookup(question, namespace, "Value")
    if not isinstance(engine, type):
        fail(
            question,
            f"Value devrait être une classe ; c'est un {type(engine).__name__} : le nom a-t-il "
            "été réutilisé après class Value: ?",
        )
    values = (0.7, -1.3, 0.4)
    a, b = (call(question, "Value(…)", engine, v) for v in values[:2])
    operations = {
        "a + b": (lambda: a + b, "__add__"), "a * b": (lambda: a * b, "__mul__"),
        "a + 2": (lambda: a + 2, "__add__"), "a * 3": (lambda: a * 3, "__mul__"),
        "a ** 3": (lambda: a**3, "__pow__"), "a.tanh()": (lambda: a.tanh(), "tanh"),
        "a.exp()": (lambda: a.exp(), "exp"), "2 + a": (lambda: 2 + a, "__radd__"),
        "3 * a": (lambda: 3 * a, "__rmul__"),
    }  # fmt: skip
    for text, (operation, method) in operations.items():
        result = call(question, text, operation)
        if not isinstance(result, engine):
            fail(
                question,
                f"{text} rend {type(result).__name__} au lieu d'une nouvelle Value : "
                f"complétez la méthode {method}.",
            )
    for text, expression in _EXPRESSIONS:
        a, b, c = (call(question, "Value(…)", engine, v) for v in values)
        out = call(question, f"le calcul de {text}", expression, a, b, c)
        expected_value, expected_grads = _torch_reference(
            expression, values
        )
        data = getattr(out, "data", None)
        if not isinstance(data, int | float) or not math.isclose(
            data, expected_value, rel_tol=1e-9
        ):
            shown = (
                french_number(data, ".6g")
                if isinstance(data, int | float)
                else repr(data)
            )
            fail(
                question,
                f"{text} : la valeur calculée à l'aller vaut {shown} au lieu de "
                f"{french_number(expected_value, '.6g')} : vérifiez la passe avant de "
                "chaque opération.",
            )
        with recording(namespace) as rec:
            call(question, f"backward() sur {text}", out.backward)
        if rec.used():
            fail(
                question,
                f"Value.backward emploie {_api_names(rec.used())} : le moteur fait sa propre "
                "passe arrière, sans autograd, avec les .parents et les .local_grads de "
                "chaque nœud.",
            )
        grads = [getattr(v, "grad", None) for v in (a, b, c)]
        if all(g == 0 for g in grads) and getattr(out, "grad", None) != 1:
            fail(
                question,
                f"{text} : après backward(), tous les gradients valent 0. La passe arrière "
                "part du gradient initial : le résultat reçoit grad = 1.",
            )
        if all(g == 0 for g in grads):
            fail(
                question,
                f"{text} : après backward(), le résultat a grad = 1 mais les feuilles ont "
                "grad = 0 : les messages n'arrivent pas jusqu'à elles. Parcourez la liste "
                "à l'envers, du résultat vers les feuilles.",
            )
        for name, got, want in zip(
            "abc", grads, expected_grads, strict=True
        ):
            if not isinstance(got, int | float):
                fail(
                    question,
                    f"{text} : {name}.grad devrait être un nombre ; c'est un "
                    f"{type(got).__name__}.",
                )
            if not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
                fail(
                    question,
                    f"{text} : ∂ℓ/∂{name} vaut {french_number(got, '.6g')} au lieu de "
                    f"{french_number(want, '.6g')}. "
                    + _engine_hint(text, got / want if want else 0.0),
                )
    passed(
        question,
        f"valeurs et gradients égaux à ceux d'autograd sur {len(_EXPRESSIONS)} expressions, "
        "dont un nœud utilisé deux fois et deux chemins vers le résultat.",
    )


def _engine_hint(text: str, ratio: float) -> str:
    """La cause probable d'un gradient faux, d'après l'expression qui l'a révélé et le
    rapport du gradient obtenu au bon."""
    if ("deux fois" in text or "deux chemins" in text) and 0 < ratio < 1:
        return (
            "Quand un nœud sert deux fois, les messages qu'il reçoit s'additionnent : "
            "parent.grad += …, jamais parent.grad = …."
        )
    if ("deux fois" in text or "deux chemins" in text) and ratio > 1:
        return (
            "Un nœud a transmis ses messages avant de les avoir tous reçus, et certains "
            "chemins comptent deux fois : parcourez les nœuds dans l'ordre topologique "
            "inverse (le résultat d'abord, chaque nœud avant ses parents), et chaque nœud "
            "une seule fois."
        )
    if "tanh" in text:
        return "La dérivée locale de tanh est 1 − tanh², celle de exp est exp."
    if "nombres" in text:
        return "Un nombre mêlé au calcul devient une Value constante ; la dérivée de xᵏ est k·xᵏ⁻¹."
    return "Vérifiez les dérivées locales : ∂(u·v)/∂u = v, ∂(u + v)/∂u = 1, ∂(uᵏ)/∂u = k·uᵏ⁻¹."


def _autoencoder(d: int, d_y: int, seed: int) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    shapes = {"x": (d,), "θ": (d_y, d), "b₁": (d_y,), "b₂": (d,)}
    return {
        k: torch.randn(*shape, generator=g, dtype=torch.float64)
        for k, shape in shapes.items()
    }


#: Les interfaces d'autograd, telles qu'un message les nomme.
_API_NAMES = {
    "backward": "backward()",
    "autograd.grad": "torch.autograd.grad",
}


def _api_names(apis: list[str]) -> str:
    """« backward() », « torch.func.grad »… : les interfaces relevées, nommées comme dans le code."""
    return " et ".join(
        _API_NAMES.get(
            a,
            a.replace("func.", "torch.func.").replace(
                "functional.", "torch.autograd.functional."
            ),
        )
        for a in apis
    )


#: Les formes des tenseurs de l'auto-encodeur, dans les mots du chapitre.
_SHAPES = (
    "des formes incompatibles dans un produit : θ a la forme (d_y, d), x, x̂, b₂ et δ la "
    "forme (d,), y, b₁ et γ la forme (d_y,) ; n'écrivez aucune taille en dur."
)

#: L'ordre de l'énoncé : δ d'abord (∂ℓ/∂b₂), puis γ (∂ℓ/∂b₁), puis les feuilles qui servent deux fois.
_ORDER = ("b₂", "b₁", "θ", "x")

_HINTS = {
    "b₂": " ∂ℓ/∂b₂ = δ = 2(x̂ − x), le message venu de L.",
    "b₁": " ∂ℓ/∂b₁ = γ = θδ, le message transmis à y.",
    "θ": " θ sert deux fois : par θᵀ (y δᵀ) et par θx (γ xᵀ).",
    "x": " x sert deux fois : le terme direct −δ et le chemin par y (θᵀγ).",
}


def _shape_error(err: CheckError) -> bool:
    return (
        err.known is not None
        and "formes incompatibles" in KNOWN_ERRORS[err.known][1]
    )


@exercise(
    "ex-1b", "Exercice 1.b", "le gradient de l'auto-encodeur, à la main"
)
def check_autoencoder_gradients(question: str, namespace: Any) -> None:
    """Exercice 1.b (chapitre 1) : ``autoencoder_gradients(x, theta, b1, b2)``, les gradients de
    ℓ = ‖x − (θᵀ(θx + b₁) + b₂)‖² écrits à la main (sans autograd).

    Comparés à autograd à 10⁻¹⁰ près (float64), sur deux tailles d'auto-encodeur (d = 4,
    d_y = 2 ; d = 6, d_y = 3) ; aucune interface d'autograd (``backward()``,
    ``torch.autograd.grad``, ``torch.func``, ``torch.autograd.functional``) ne doit être employée.
    """
    gradients = student_function(
        question,
        namespace,
        "autoencoder_gradients",
        ("x", "theta", "b1", "b2"),
    )
    for d, d_y, seed in ((4, 2, 1), (6, 3, 2)):
        tensors = _autoencoder(d, d_y, seed)
        with recording(namespace) as rec:
            try:
                result = call(
                    question,
                    "votre fonction autoencoder_gradients",
                    gradients,
                    *tensors.values(),
                )
            except CheckError as err:
                if not _shape_error(err):
                    raise
                text, pytorch = (
                    str(err).split(" : ", 1)[1],
                    str(err).rpartition(" (PyTorch")[2],
                )
                fail(
                    question,
                    f"pour d = {d}, d_y = {d_y}, {text.split(' : ', 1)[0]} sur {_SHAPES} "
                    f"(PyTorch{pytorch}",
                    known=err.known,
                )
        if rec.used():
            fail(
                question,
                f"autoencoder_gradients emploie {_api_names(rec.used())} : la question demande "
                "les gradients écrits à la main, avec les formules de la règle de chaîne, "
                "sans autograd.",
            )
        if not isinstance(result, dict) or set(result) != set(tensors):
            got = (
                sorted(result)
                if isinstance(result, dict)
                else type(result).__name__
            )
            fail(
                question,
                f"la fonction doit rendre un dictionnaire aux clés {sorted(tensors)} ; "
                f"reçu {got}.",
            )
        leaves = {
            k: t.clone().requires_grad_() for k, t in tensors.items()
        }
        x, theta, b1, b2 = leaves.values()
        loss = ((x - (theta.T @ (theta @ x + b1) + b2)) ** 2).sum()
        expected = dict(
            zip(
                leaves,
                torch.autograd.grad(loss, list(leaves.values())),
                strict=True,
            )
        )
        for name in _ORDER:
            got, want = result[name], expected[name]
            if (
                not isinstance(got, torch.Tensor)
                or got.shape != want.shape
            ):
                shape = shape_of(got)
                fail(
                    question,
                    f"∂ℓ/∂{name} devrait avoir la forme {tuple(want.shape)}, celle de {name} ; "
                    f"reçu {shape}.",
                )
            if not torch.allclose(
                got.double(), want, rtol=1e-10, atol=1e-12
            ):
                fail(
                    question,
                    f"pour d = {d}, ∂ℓ/∂{name} diffère d'autograd (écart max "
                    f"{french_number((got.double() - want).abs().max().item(), '.1e')})."
                    + _factor_hint(got.double(), want)
                    + _HINTS[name],
                )
    passed(
        question,
        "les quatre gradients égaux à ceux d'autograd (tolérance relative 10⁻¹⁰), pour "
        "deux tailles d'auto-encodeur, sans autograd.",
    )


def _factor_hint(got: torch.Tensor, want: torch.Tensor) -> str:
    """« le signe », « un facteur 2 » : ce que dit un gradient proportionnel au bon."""
    for factor, text in (
        (-1.0, " Le signe est inversé."),
        (0.5, " Il manque un facteur 2."),
        (2.0, " Un facteur 2 de trop."),
    ):
        if torch.allclose(got, factor * want, rtol=1e-8, atol=1e-12):
            return text
    return ""

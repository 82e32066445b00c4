"""Les tentatives du chapitre 2 : exercices 2.a (Tanh) et 2.d (sin_derivatives)."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

CHAPTER = "02_autograd"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import torch
from torch.autograd.functional import jacobian
"""

ATTEMPTS: list[Attempt] = []

# --- Exercice 2.a : Tanh ------------------------------------------------------------------

TANH = """
class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - y**2)
"""

ATTEMPTS += [
    Attempt("ex-2a", "la solution du livre", book_solution("ex-2a"), None),
    Attempt(
        "ex-2a",
        "l'entrée rangée, tanh recalculée",
        """
class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.tanh()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / torch.cosh(x) ** 2
""",
        None,
    ),
    Attempt(
        "ex-2a",
        "le gradient reçu ignoré",
        TANH.replace("grad_output * (1 - y**2)", "1 - y**2"),
        r"ignore le gradient reçu",
    ),
    Attempt(
        "ex-2a", "la dérivée écrite 1 − y", TANH.replace("(1 - y**2)", "(1 - y)"), r"1 − tanh²\(x\) = 1 − y²"
    ),
    Attempt(
        "ex-2a",
        "un None de plus après le gradient (PyTorch l'accepte)",
        TANH.replace("return grad_output * (1 - y**2)", "return grad_output * (1 - y**2), None"),
        None,
    ),
    Attempt(
        "ex-2a",
        "forward qui rend l'entrée, tanh appliquée dans backward",
        TANH.replace("        return y\n", "        return x.clone()\n"),
        r"ne calcule pas tanh",
    ),
]

# --- Exercice 2.d : sin_derivatives ------------------------------------------------------

ATTEMPTS += [
    Attempt("ex-2d", "la solution du livre", book_solution("ex-2d"), None),
    Attempt(
        "ex-2d",
        "le gradient par torch.ones(len(x))",
        """
def sin_derivatives(x):
    torch.sin(x).backward(torch.ones(len(x), dtype=x.dtype))
    return x.grad, jacobian(torch.sin, x.detach())
""",
        None,
    ),
    Attempt(
        "ex-2d",
        "cos(x) écrit directement, sans backward",
        """
def sin_derivatives(x):
    return torch.cos(x.detach()), torch.diag(torch.cos(x.detach()))
""",
        r"n'appelle pas backward\(\)",
    ),
    Attempt(
        "ex-2d",
        "backward() sans vecteur",
        """
def sin_derivatives(x):
    y = torch.sin(x)
    y.backward()
    return x.grad, jacobian(torch.sin, x.detach())
""",
        r"sortie scalaire",
    ),
    Attempt(
        "ex-2d",
        "backward appelé deux fois",
        """
def sin_derivatives(x):
    torch.sin(x).backward(gradient=torch.ones_like(x))
    torch.sin(x).backward(gradient=torch.ones_like(x))
    return x.grad, jacobian(torch.sin, x.detach())
""",
        r"deux fois cos\(x\)",
    ),
]

# --- Exercice 2.a : d'autres écritures, justes et fausses ---------------------------------

BOOK_TANH = book_solution("ex-2a")
SAVE_Y = "        y = torch.tanh(x)\n        ctx.save_for_backward(y)\n"

ATTEMPTS += [
    Attempt(
        "ex-2a",
        "x rangé dans ctx, 1 − tanh²(x) recalculée",
        mutate(
            BOOK_TANH,
            (SAVE_Y, "        ctx.save_for_backward(x)\n        y = torch.tanh(x)\n"),
            (
                "(y,) = ctx.saved_tensors\n        return grad_output * (1 - y**2)",
                "(x,) = ctx.saved_tensors\n        return grad_output * (1 - torch.tanh(x) ** 2)",
            ),
        ),
        None,
    ),
    Attempt(
        "ex-2a",
        "y rangé comme attribut de ctx",
        mutate(
            BOOK_TANH, ("ctx.save_for_backward(y)", "ctx.y = y"), ("(y,) = ctx.saved_tensors", "y = ctx.y")
        ),
        None,
    ),
    Attempt(
        "ex-2a",
        "tanh écrite avec exp",
        mutate(BOOK_TANH, ("y = torch.tanh(x)", "e = torch.exp(2 * x)\n        y = (e - 1) / (e + 1)")),
        None,
    ),
    Attempt(
        "ex-2a",
        "la passe avant par NumPy, au dtype de x",
        "import numpy as np\n"
        + mutate(BOOK_TANH, ("y = torch.tanh(x)", "y = torch.from_numpy(np.tanh(x.detach().numpy()))")),
        None,
    ),
    Attempt(
        "ex-2a",
        "la passe avant par NumPy, toujours en float64",
        "import numpy as np\n"
        + mutate(
            BOOK_TANH,
            ("y = torch.tanh(x)", "y = torch.tensor(np.tanh(x.detach().numpy()), dtype=torch.float64)"),
        ),
        r"pour une entrée en float32, la passe avant rend du float64",
    ),
    Attempt(
        "ex-2a",
        "la passe avant par math.tanh, nombre par nombre",
        "import math\n"
        + mutate(BOOK_TANH, ("y = torch.tanh(x)", "y = torch.tensor([math.tanh(v) for v in x.tolist()])")),
        r"pour une entrée en float64, la passe avant rend du float32",
    ),
    Attempt(
        "ex-2a",
        "x.tanh_() sur place",
        mutate(BOOK_TANH, ("y = torch.tanh(x)", "y = x.tanh_()")),
        r"forward modifie x sur place",
    ),
    Attempt(
        "ex-2a",
        "une classe qui n'hérite pas de Function",
        mutate(BOOK_TANH, ("class Tanh(torch.autograd.Function):", "class Tanh:")),
        r"devrait être une classe qui hérite",
    ),
    Attempt(
        "ex-2a",
        "la classe nommée TanH",
        mutate(BOOK_TANH, ("class Tanh(", "class TanH(")),
        r"`Tanh` n'est pas défini",
    ),
    Attempt(
        "ex-2a",
        "forward rend un tuple (y,)",
        mutate(BOOK_TANH, ("        return y\n", "        return (y,)\n")),
        r"Tanh.apply\(x\) doit rendre un tenseur de la forme de x .*reçu tuple",
    ),
    Attempt(
        "ex-2a",
        "forward sans return",
        mutate(BOOK_TANH, ("        return y\n", "")),
        r"Tanh.apply\(x\) doit rendre un tenseur de la forme de x .*reçu NoneType",
    ),
    Attempt(
        "ex-2a",
        "backward sans return",
        mutate(BOOK_TANH, ("return grad_output * (1 - y**2)", "grad_x = grad_output * (1 - y**2)")),
        r"backward rend None",
    ),
    Attempt(
        "ex-2a",
        "la sortie marquée non différentiable",
        mutate(
            BOOK_TANH,
            ("ctx.save_for_backward(y)", "ctx.save_for_backward(y)\n        ctx.mark_non_differentiable(y)"),
        ),
        r"la sortie n'est pas enregistrée par votre Function",
    ),
    Attempt(
        "ex-2a",
        "tanh calculée en float32",
        mutate(BOOK_TANH, ("y = torch.tanh(x)", "y = torch.tanh(x.float()).to(x.dtype)")),
        r"la passe avant perd de la précision",
    ),
    Attempt(
        "ex-2a",
        "x rangé mais lu comme y",
        mutate(BOOK_TANH, ("ctx.save_for_backward(y)", "ctx.save_for_backward(x)")),
        r"la passe arrière ne donne pas le bon gradient",
    ),
]

# --- Exercice 2.d : d'autres écritures, justes et fausses ---------------------------------

BOOK_SIN = book_solution("ex-2d")
JACOBIAN = "J = jacobian(torch.sin, x.detach())"

ATTEMPTS += [
    Attempt(
        "ex-2d",
        "J par torch.func.jacrev",
        mutate(BOOK_SIN, (JACOBIAN, "J = torch.func.jacrev(torch.sin)(x.detach())")),
        None,
    ),
    Attempt(
        "ex-2d",
        "J par jacfwd importé de torch.func",
        "from torch.func import jacfwd\n" + mutate(BOOK_SIN, (JACOBIAN, "J = jacfwd(torch.sin)(x.detach())")),
        None,
    ),
    Attempt(
        "ex-2d",
        "J ligne par ligne, avec torch.autograd.grad",
        mutate(
            BOOK_SIN,
            (
                JACOBIAN,
                """x0 = x.detach().requires_grad_()
    rows = []
    for i in range(len(x0)):
        (row,) = torch.autograd.grad(torch.sin(x0)[i], x0)
        rows.append(row)
    J = torch.stack(rows)""",
            ),
        ),
        None,
    ),
    Attempt(
        "ex-2d",
        "J ligne par ligne, avec backward sur une copie",
        mutate(
            BOOK_SIN,
            (
                JACOBIAN,
                """rows = []
    for i in range(len(x)):
        x0 = x.detach().clone().requires_grad_()
        torch.sin(x0)[i].backward()
        rows.append(x0.grad)
    J = torch.stack(rows)""",
            ),
        ),
        None,
    ),
    Attempt(
        "ex-2d",
        "J calculée avant backward, x.grad copié",
        """
def sin_derivatives(x):
    J = jacobian(torch.sin, x)
    y = torch.sin(x)
    y.backward(gradient=torch.ones_like(x))
    return x.grad.clone(), J
""",
        None,
    ),
    Attempt(
        "ex-2d",
        "J écrite à la main",
        mutate(BOOK_SIN, (JACOBIAN, "J = torch.diag(torch.cos(x.detach()))")),
        r"J est écrite à la main, sans autograd",
    ),
    Attempt(
        "ex-2d",
        "J déduite de x.grad",
        mutate(BOOK_SIN, (JACOBIAN, "J = torch.diag(x.grad)")),
        r"J est écrite à la main, sans autograd",
    ),
    Attempt(
        "ex-2d",
        "x.grad remplacé par torch.autograd.grad",
        """
def sin_derivatives(x):
    y = torch.sin(x)
    (grad,) = torch.autograd.grad(y, x, grad_outputs=torch.ones_like(y))
    return grad, jacobian(torch.sin, x.detach())
""",
        r"x.grad est calculé par torch.autograd.grad, qui ne remplit pas x.grad",
    ),
    Attempt(
        "ex-2d",
        "le couple rendu à l'envers",
        mutate(BOOK_SIN, ("return x.grad, J", "return J, x.grad")),
        r"le premier élément rendu devrait être x.grad, de forme \(7,\) ; reçu \(7, 7\)",
    ),
    Attempt(
        "ex-2d",
        "y.grad rendu au lieu de x.grad",
        mutate(BOOK_SIN, ("return x.grad, J", "return y.grad, J")),
        r"le premier élément rendu devrait être x.grad, de forme \(7,\) ; reçu NoneType",
    ),
    Attempt(
        "ex-2d",
        "x.grad rendu seul",
        mutate(BOOK_SIN, ("return x.grad, J", "return x.grad")),
        r"sin_derivatives doit rendre le couple \(x.grad, J\) ; elle rend un Tensor",
    ),
    Attempt(
        "ex-2d",
        "y passé à backward",
        mutate(BOOK_SIN, ("gradient=torch.ones_like(y)", "gradient=y")),
        r"x.grad diffère de cos\(x\)",
    ),
    Attempt(
        "ex-2d",
        "la diagonale de J rendue au lieu de J",
        mutate(BOOK_SIN, (JACOBIAN, JACOBIAN + ".diagonal()")),
        r"J devrait être une matrice \(7, 7\) ; reçu \(7,\)",
    ),
    Attempt(
        "ex-2d",
        "la jacobienne de cos au lieu de sin",
        mutate(BOOK_SIN, (JACOBIAN, "J = jacobian(torch.cos, x.detach())")),
        r"J n'est pas diag\(cos x\)",
    ),
]

ATTEMPTS += [
    Attempt(
        "ex-2d",
        "backward deux fois sur le même y",
        mutate(
            BOOK_SIN,
            (
                "    y.backward(gradient=torch.ones_like(y))\n",
                "    y.backward(gradient=torch.ones_like(y))\n    y.backward(gradient=torch.ones_like(y))\n",
            ),
        ),
        r"backward\(\) est appelé deux fois sur le même graphe",
    ),
    Attempt(
        "ex-2d",
        "y calculé sur x.detach()",
        mutate(BOOK_SIN, ("y = torch.sin(x)", "y = torch.sin(x.detach())")),
        r"ne dépend d'aucun tenseur qui demande un gradient",
    ),
]

# --- La passe arrière doit être écrite à la main (essai du kit à l'aveugle) ----------------

ATTEMPTS += [
    Attempt(
        "ex-2a",
        "backward confié à autograd (torch.autograd.grad sur une copie)",
        """
class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.tanh(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        with torch.enable_grad():
            x2 = x.detach().requires_grad_()
            return torch.autograd.grad(torch.tanh(x2), x2, grad_output)[0]
""",
        r"la passe arrière de Tanh calcule le gradient avec autograd \(autograd\.grad\)",
    ),
    Attempt(
        "ex-2a",
        "backward qui appelle .backward() sur une copie",
        """
class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.tanh(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        with torch.enable_grad():
            x2 = x.detach().requires_grad_()
            torch.tanh(x2).backward(grad_output)
        return x2.grad
""",
        r"la passe arrière de Tanh calcule le gradient avec autograd \(backward\)",
    ),
]

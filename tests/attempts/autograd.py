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

TANH = '''
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
'''

ATTEMPTS += [
    Attempt("ex-2a", "la solution du livre", book_solution("ex-2a"), None),
    Attempt("ex-2a", "l'entrée rangée, tanh recalculée", '''
class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.tanh()

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / torch.cosh(x) ** 2
''', None),
    Attempt("ex-2a", "le gradient reçu ignoré", TANH.replace("grad_output * (1 - y**2)", "1 - y**2"),
            r"ignore le gradient reçu"),
    Attempt("ex-2a", "la dérivée écrite 1 − y", TANH.replace("(1 - y**2)", "(1 - y)"), r"1 − tanh²\(x\) = 1 − y²"),
    Attempt("ex-2a", "un None de plus après le gradient (PyTorch l'accepte)", TANH.replace(
        "return grad_output * (1 - y**2)", "return grad_output * (1 - y**2), None"), None),
    Attempt("ex-2a", "forward qui rend l'entrée, tanh appliquée dans backward", TANH.replace(
        "        return y\n", "        return x.clone()\n"), r"ne calcule pas tanh"),
]

# --- Exercice 2.d : sin_derivatives ------------------------------------------------------

ATTEMPTS += [
    Attempt("ex-2d", "la solution du livre", book_solution("ex-2d"), None),
    Attempt("ex-2d", "le gradient par torch.ones(len(x))", '''
def sin_derivatives(x):
    torch.sin(x).backward(torch.ones(len(x), dtype=x.dtype))
    return x.grad, jacobian(torch.sin, x.detach())
''', None),
    Attempt("ex-2d", "cos(x) écrit directement, sans backward", '''
def sin_derivatives(x):
    return torch.cos(x.detach()), torch.diag(torch.cos(x.detach()))
''', r"n'appelle pas backward\(\)"),
    Attempt("ex-2d", "backward() sans vecteur", '''
def sin_derivatives(x):
    y = torch.sin(x)
    y.backward()
    return x.grad, jacobian(torch.sin, x.detach())
''', r"sortie scalaire"),
    Attempt("ex-2d", "backward appelé deux fois", '''
def sin_derivatives(x):
    torch.sin(x).backward(gradient=torch.ones_like(x))
    torch.sin(x).backward(gradient=torch.ones_like(x))
    return x.grad, jacobian(torch.sin, x.detach())
''', r"deux fois cos\(x\)"),
]


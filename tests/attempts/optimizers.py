"""Les tentatives du chapitre 4 : exercices 4.a et 4.b."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

CHAPTER = "04_optimiseurs"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tp2_src.data import boston_split
from tp2_src.linreg import linear_mse
device = torch.device("cpu")
split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
"""

ATTEMPTS: list[Attempt] = []

# --- Exercice 4.a : sgd_descent ----------------------------------------------------------

SGD = '''
def sgd_descent(X_train, y_train, lr, num_epochs):
    w = nn.Parameter(torch.zeros(X_train.shape[1],
                                 device=X_train.device))
    b = nn.Parameter(torch.zeros((), device=X_train.device))
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()
        optimizer.step()
    return w, b
'''

ATTEMPTS += [
    Attempt("ex-4a", "la solution du livre", book_solution("ex-4a"), None),
    Attempt("ex-4a", "zero_grad() après step(), avec MSELoss", SGD.replace(
        "        optimizer.zero_grad()\n", "").replace(
        "        loss = ((X_train @ w + b - y_train) ** 2).mean()",
        "        loss = nn.MSELoss()(X_train @ w + b, y_train)").replace(
        "        optimizer.step()", "        optimizer.step()\n        optimizer.zero_grad()"), None),
    Attempt("ex-4a", "l'optimiseur recréé à chaque itération", SGD.replace(
        "    optimizer = torch.optim.SGD([w, b], lr=lr)\n", "").replace(
        "        optimizer.zero_grad()", "        optimizer = torch.optim.SGD([w, b], lr=lr)\n"
        "        optimizer.zero_grad()"), r"crée 3 optimiseur\(s\) pour 3 pas"),
    Attempt("ex-4a", "zero_grad() oublié, comme dans l'énoncé", SGD.replace("        optimizer.zero_grad()\n", ""),
            r"s'accumulent"),
    Attempt("ex-4a", "zero_grad() entre backward() et step()", SGD.replace(
        "        optimizer.zero_grad()\n", "").replace(
        "        loss.backward()\n", "        loss.backward()\n        optimizer.zero_grad()\n"),
            r"ne bouge pas"),
    Attempt("ex-4a", "des tenseurs au lieu de nn.Parameter", SGD.replace(
        "nn.Parameter(torch.zeros(X_train.shape[1],\n                                 device=X_train.device))",
        "torch.zeros(X_train.shape[1], requires_grad=True)").replace(
        "nn.Parameter(torch.zeros((), device=X_train.device))", "torch.zeros((), requires_grad=True)"),
            r"w devrait être un nn.Parameter"),
    Attempt("ex-4a", "Adam au lieu de SGD", SGD.replace("torch.optim.SGD", "torch.optim.Adam"),
            r"la question demande torch.optim.SGD"),
]

# --- Exercice 4.b : momentum_descent -------------------------------------------------------

MOMENTUM = '''
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    v_w, v_b = torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(num_epochs):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            v_w = mu * v_w + w.grad
            v_b = mu * v_b + b.grad
            w -= lr * v_w
            b -= lr * v_b
        w.grad.zero_()
        b.grad.zero_()
    return w, b
'''

ATTEMPTS += [
    Attempt("ex-4b", "la solution du livre", book_solution("ex-4b"), None),
    Attempt("ex-4b", "vitesses mises à jour sur place, .grad remis à None", MOMENTUM.replace(
        "            v_w = mu * v_w + w.grad\n            v_b = mu * v_b + b.grad\n",
        "            v_w.mul_(mu).add_(w.grad)\n            v_b.mul_(mu).add_(b.grad)\n").replace(
        "        w.grad.zero_()\n        b.grad.zero_()\n", "        w.grad = None\n        b.grad = None\n"), None),
    Attempt("ex-4b", "la vitesse oubliée : SGD sans moment", MOMENTUM.replace(
        "mu * v_w + w.grad", "w.grad").replace("mu * v_b + b.grad", "b.grad"),
            r"descente sans moment"),
    Attempt("ex-4b", "une vitesse moyenne, μ·v + (1 − μ)·g", MOMENTUM.replace(
        "mu * v_w + w.grad", "mu * v_w + (1 - mu) * w.grad").replace(
        "mu * v_b + b.grad", "mu * v_b + (1 - mu) * b.grad"),
            r"la vitesse est une moyenne"),
    Attempt("ex-4b", "torch.optim.SGD(momentum=mu) au lieu de la règle", '''
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    w = torch.nn.Parameter(torch.zeros(X_train.shape[1]))
    b = torch.nn.Parameter(torch.zeros(()))
    optimizer = torch.optim.SGD([w, b], lr=lr, momentum=mu)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        ((X_train @ w + b - y_train) ** 2).mean().backward()
        optimizer.step()
    return w, b
''', r"crée un optimiseur de torch.optim"),
    Attempt("ex-4b", "gradients jamais remis à zéro", MOMENTUM.replace(
        "        w.grad.zero_()\n        b.grad.zero_()\n", ""), r"contenaient déjà ceux du pas précédent"),
    Attempt("ex-4b", "le pas suit le gradient, pas la vitesse", MOMENTUM.replace(
        "w -= lr * v_w", "w -= lr * w.grad").replace("b -= lr * v_b", "b -= lr * b.grad"),
            r"diffèrent de ceux de torch.optim.SGD"),
    Attempt("ex-4b", "le biais sans vitesse", MOMENTUM.replace("b -= lr * v_b", "b -= lr * b.grad"),
            r"diffèrent de ceux de torch.optim.SGD"),
]


"""Un corpus de tentatives d'étudiants, justes et fausses, pour chaque exercice de code.

Chaque tentative est le contenu de la cellule de l'exercice, telle qu'un étudiant l'a
écrite ; ``expected`` vaut ``None`` si la vérification doit l'accepter, sinon un motif du
message d'échec (en français) qu'elle doit afficher : la cause de l'erreur. Le corpus
sert deux fois : dans ``test_checks.py`` (palier rapide, dans le processus des tests) et
dans ``test_kit.py`` (dans les notebooks de l'édition étudiant, installés depuis le kit).

``CONTEXT`` donne, pour chaque chapitre, les noms que le notebook a définis avant les
exercices (imports, données) : ce dont une tentative a besoin pour tourner hors du notebook.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Attempt:
    exercise: str  # l'étiquette de l'exercice (:label:)
    name: str  # ce que l'étudiant a tenté
    code: str  # la cellule de l'exercice
    expected: str | None  # None : accepté ; sinon, un motif du message d'échec


CONTEXT = {
    "01_graphe_de_fonctions": """
import math
import torch
""",
    "02_autograd": """
import torch
from torch.autograd.functional import jacobian
""",
    "03_regression_lineaire": """
import torch
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter
from tp2_src.data import boston_split
from tp2_src.linreg import linear_mse
from tp2_src.logs import fresh_run_dir, read_scalars
device = torch.device("cpu")
split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
""",
    "04_optimiseurs": """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tp2_src.data import boston_split
from tp2_src.linreg import linear_mse
device = torch.device("cpu")
split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
""",
    "05_modules": """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tp2_src.data import boston_split
device = torch.device("cpu")
split = boston_split(device=device, val_size=0.2)
X_train, y_train, X_test, y_test = split.tensors()
""",
}

#: Le chapitre de chaque exercice.
CHAPTER = {
    "ex-1a": "01_graphe_de_fonctions",
    "ex-1b": "01_graphe_de_fonctions",
    "ex-2a": "02_autograd",
    "ex-2d": "02_autograd",
    "q1-1": "03_regression_lineaire",
    "q1-2": "03_regression_lineaire",
    "q1-3": "03_regression_lineaire",
    "ex-3b": "03_regression_lineaire",
    "ex-4a": "04_optimiseurs",
    "ex-4b": "04_optimiseurs",
    "q2": "05_modules",
    "q2-sequential": "05_modules",
}

# --- Question 1.1 : batch_descent --------------------------------------------------------

BATCH_HEAD = '''
def batch_descent(X_train, y_train, X_test, y_test,
                  lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    for epoch in range(num_epochs + 1):
        if epoch > 0:
'''
BATCH_LOG = '''
        writer.add_scalar("loss/train",
                          linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test",
                          linear_mse(X_test, y_test, w, b), epoch)
    return w, b
'''


def batch(step: str, log: str = BATCH_LOG) -> str:
    """Une ``batch_descent`` dont le corps de l'époque est ``step`` (indenté de 12 espaces)."""
    body = "\n".join("            " + line if line else "" for line in step.strip("\n").splitlines())
    return BATCH_HEAD + body + "\n" + log


RIGHT_STEP = """
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
w.grad.zero_()
b.grad.zero_()
"""

ATTEMPTS = [
    Attempt("q1-1", "la solution du livre", batch(RIGHT_STEP), None),
    Attempt("q1-1", "avec ses propres Functions du TME 1 (linear, mse)",
            "from tp2_src.functions import linear, mse\n" + batch(RIGHT_STEP.replace(
                "loss = ((X_train @ w + b - y_train) ** 2).mean()",
                "loss = mse(linear(X_train, w[:, None], b.reshape(1)), y_train[:, None])")), None),
    Attempt("q1-1", "F.mse_loss, mise à jour par .data, .grad remis à None", batch("""
import torch.nn.functional as F
loss = F.mse_loss(X_train @ w + b, y_train)
loss.backward()
w.data -= lr * w.grad
b.data -= lr * b.grad
w.grad = None
b.grad = None
"""), None),
    Attempt("q1-1", "torch.optim.SGD créé à chaque époque, sur les mêmes w et b", batch("""
optimizer = torch.optim.SGD([w, b], lr=lr)
optimizer.zero_grad()
((X_train @ w + b - y_train) ** 2).mean().backward()
optimizer.step()
"""), None),
    Attempt("q1-1", "la solution exacte des moindres carrés, sans descente", """
def batch_descent(X_train, y_train, X_test, y_test, lr, num_epochs, writer):
    A = torch.cat([X_train, torch.ones(len(X_train), 1)], dim=1)
    solution = torch.linalg.lstsq(A, y_train[:, None]).solution[:, 0]
    w, b = solution[:-1], solution[-1]
    for epoch in range(num_epochs + 1):
        writer.add_scalar("loss/train", linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w, b
""", r"n'appelle jamais backward\(\)"),
    Attempt("q1-1", "remise à zéro oubliée", batch(RIGHT_STEP.replace("w.grad.zero_()\nb.grad.zero_()\n", "")),
            r"les gradients s'accumulent d'une époque à l'autre"),
    Attempt("q1-1", "b jamais mis à jour", batch(RIGHT_STEP.replace("    b -= lr * b.grad\n", "")),
            r"b ne bouge pas"),
    Attempt("q1-1", "mise à jour sur place hors de no_grad", batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w -= lr * w.grad
b -= lr * b.grad
w.grad.zero_()
b.grad.zero_()
"""), r"ligne « w -= lr \* w.grad ».*hors de `torch.no_grad\(\)`"),
    Attempt("q1-1", "w = w - lr * w.grad : w n'est plus une feuille", batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w = w - lr * w.grad
b = b - lr * b.grad
"""), r"\.grad vaut None|n'est plus une feuille"),
    Attempt("q1-1", "w de forme (d, 1) : le coût diffuse", batch(RIGHT_STEP).replace(
        "torch.zeros(X_train.shape[1], device", "torch.zeros(X_train.shape[1], 1, device"),
            r"w doit être de forme \(13,\)"),
    Attempt("q1-1", "mise à jour à la main et optimizer.step()", batch("""
optimizer = torch.optim.SGD([w, b], lr=lr)
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
optimizer.step()
optimizer.zero_grad()
"""), r"deux fois"),
    Attempt("q1-1", "gradients remis à zéro avant la mise à jour", batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w.grad.zero_()
b.grad.zero_()
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
"""), r"w ne bouge pas"),
    Attempt("q1-1", "rien n'est journalisé", batch(RIGHT_STEP, "    return w, b\n"), r"n'écrit rien dans writer"),
    Attempt("q1-1", "étiquettes « train » et « test »",
            batch(RIGHT_STEP).replace('"loss/train"', '"train"').replace('"loss/test"', '"test"'),
            r"l'étiquette « loss/train » manque \(trouvée\(s\) : test, train\)"),
    Attempt("q1-1", "la somme des écarts au lieu de leur moyenne", batch(RIGHT_STEP.replace(".mean()", ".sum()")),
            r"somme des écarts au carré"),
    Attempt("q1-1", "taux d'apprentissage écrit en dur", batch(RIGHT_STEP.replace("lr *", "0.05 *")),
            r"au lieu de η = 0,1 : utilisez le taux lr"),
]

# --- Question 1.2 : boston_log -----------------------------------------------------------

ATTEMPTS += [
    Attempt("q1-2", "la solution du livre", """
def boston_log(run_dir):
    with SummaryWriter(run_dir) as writer:
        w, b = batch_descent(X_train, y_train, X_test, y_test,
                             lr=0.1, num_epochs=100, writer=writer)
    return w, b
""", None),
    Attempt("q1-2", "le SummaryWriter fermé à la main, log_dir en texte", """
def boston_log(run_dir):
    writer = SummaryWriter(log_dir=str(run_dir))
    w, b = batch_descent(*split.tensors(), 0.1, 100, writer)
    writer.close()
    return w, b
""", None),
    Attempt("q1-2", "le journal écrit dans un autre dossier", """
def boston_log(run_dir):
    writer = SummaryWriter(fresh_run_dir("ailleurs"))
    w, b = batch_descent(X_train, y_train, X_test, y_test, 0.1, 100, writer)
    writer.close()
    return w, b
""", r"aucun journal dans le dossier run_dir"),
    Attempt("q1-2", "read_scalars sur le SummaryWriter lui-même", """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    batch_descent(X_train, y_train, X_test, y_test, 0.1, 100, writer)
    writer.close()
    return read_scalars(writer)
""", r"ligne « return read_scalars\(writer\) ».*passez writer.log_dir"),
    Attempt("q1-2", "la descente sur 10 époques seulement", """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    w, b = batch_descent(X_train, y_train, X_test, y_test, 0.1, 10, writer)
    writer.close()
    return w, b
""", r"a 11 point\(s\) pour 100 époques"),
]

# --- Question 1.3 : descent --------------------------------------------------------------

DESCENT = '''
def descent(X_train, y_train, X_test, y_test,
            batch_size, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X_train, y_train),
                        batch_size=batch_size, shuffle=True,
                        generator=g)
    for epoch in range(num_epochs + 1):
        if epoch > 0:
            for X, y in loader:
                loss = ((X @ w + b - y) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                w.grad.zero_()
                b.grad.zero_()
        writer.add_scalar("loss/train",
                          linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test",
                          linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()
'''

ATTEMPTS += [
    Attempt("q1-3", "la solution du livre", DESCENT, None),
    Attempt("q1-3", "sans mélange, avec un optimiseur et F.mse_loss", '''
import torch.nn.functional as F

def descent(X_train, y_train, X_test, y_test, batch_size, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size)
    for epoch in range(1, num_epochs + 1):
        for X, y in loader:
            optimizer.zero_grad()
            F.mse_loss(X @ w + b, y).backward()
            optimizer.step()
        writer.add_scalar("loss/train", linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()
''', None),
    Attempt("q1-3", "« stochastique » dont le coût porte sur tout X_train",
            DESCENT.replace("loss = ((X @ w + b - y) ** 2).mean()",
                            "loss = ((X_train @ w + b - y_train) ** 2).mean()"),
            r"porte sur les 12 exemples au lieu d'un mini-batch de 1"),
    Attempt("q1-3", "remise à zéro une fois par époque",
            DESCENT.replace("                w.grad.zero_()\n                b.grad.zero_()\n",
                            "            w.grad.zero_()\n            b.grad.zero_()\n"),
            r"s'accumulent entre deux pas d'une même époque"),
    Attempt("q1-3", "aucun journal dans descent",
            DESCENT.replace('        writer.add_scalar("loss/train",\n'
                            '                          linear_mse(X_train, y_train, w, b), epoch)\n'
                            '        writer.add_scalar("loss/test",\n'
                            '                          linear_mse(X_test, y_test, w, b), epoch)\n', ""),
            r"n'écrit rien dans writer"),
    Attempt("q1-3", "des mini-batchs découpés à la main, qui oublient la fin du jeu", '''
def descent(X_train, y_train, X_test, y_test, batch_size, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for epoch in range(num_epochs + 1):
        for i in range(0, len(X_train) - batch_size, batch_size):
            if epoch == 0:
                break
            X, y = X_train[i:i + batch_size], y_train[i:i + batch_size]
            loss = ((X @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        writer.add_scalar("loss/train", linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()
''', r"fait 22 pas \(appels à backward\(\)\) au lieu de 24"),
]

# --- Exercice 3.b : descent_without_reset -----------------------------------------------

WITHOUT_RESET = '''
def descent_without_reset(X_train, y_train, lr, num_epochs):
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    losses = []
    for _ in range(num_epochs):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        losses.append(loss.item())
    return losses
'''

ATTEMPTS += [
    Attempt("ex-3b", "la solution du livre", WITHOUT_RESET, None),
    Attempt("ex-3b", "la remise à zéro gardée, et un taux de 0,3", WITHOUT_RESET.replace(
        "        losses.append(loss.item())", "        w.grad.zero_()\n        b.grad.zero_()\n"
        "        losses.append(loss.item())").replace("lr * ", "0.3 * "),
            r"a été remis à zéro : la question demande d'oublier la remise à zéro"),
    Attempt("ex-3b", "les coûts rendus sous forme de tenseurs", WITHOUT_RESET.replace(
        "losses.append(loss.item())", "losses.append(loss.detach())"), None),
]

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
    Attempt("ex-4a", "la solution du livre", SGD, None),
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
            r"ne suit pas son gradient|la question demande torch.optim.SGD"),
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
    Attempt("ex-4b", "la solution du livre", MOMENTUM, None),
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

# --- Exercice 2.d : sin_derivatives ------------------------------------------------------

ATTEMPTS += [
    Attempt("ex-2d", "la solution du livre", '''
def sin_derivatives(x):
    y = torch.sin(x)
    y.backward(gradient=torch.ones_like(y))
    J = jacobian(torch.sin, x.detach())
    return x.grad, J
''', None),
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

# --- Question 2 : TwoLayerNet et train_net ------------------------------------------------

NET = '''
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.linear1 = nn.Linear(dim_in, hidden)
        self.activation = nn.Tanh()
        self.linear2 = nn.Linear(hidden, 1)

    def forward(self, X):
        return self.linear2(self.activation(self.linear1(X)))
'''
TRAIN = '''
def train_net(net, X, y, num_epochs, batch_size, lr):
    g = torch.Generator().manual_seed(0)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                        shuffle=True, generator=g)
    loss_fn = nn.MSELoss()
    losses = []
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X_batch, y_batch in loader:
            optimizer.zero_grad()
            loss = loss_fn(net(X_batch).squeeze(1), y_batch)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
'''

ATTEMPTS += [
    Attempt("q2", "la solution du livre", NET + TRAIN, None),
    Attempt("q2", "couches nommées fc1, fc2, torch.tanh, cible en (n, 1)", '''
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim_in, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, X):
        return self.fc2(torch.tanh(self.fc1(X)))
''' + TRAIN.replace("loss_fn(net(X_batch).squeeze(1), y_batch)", "loss_fn(net(X_batch), y_batch.unsqueeze(1))"),
            None),
    Attempt("q2", "un forward qui rend (n,)", NET.replace(
        "return self.linear2(self.activation(self.linear1(X)))",
        "return self.linear2(self.activation(self.linear1(X))).squeeze(-1)") + TRAIN.replace(
        "net(X_batch).squeeze(1)", "net(X_batch)"), None),
    Attempt("q2", "les couches dans une liste Python", '''
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = [nn.Linear(dim_in, hidden), nn.Linear(hidden, 1)]

    def forward(self, X):
        return self.layers[1](torch.tanh(self.layers[0](X)))
''' + TRAIN, r"range des couches dans une liste Python"),
    Attempt("q2", "pas de tanh", NET.replace("self.linear2(self.activation(self.linear1(X)))",
                                             "self.linear2(self.linear1(X))") + TRAIN,
            r"sans tanh entre elles"),
    Attempt("q2", "ReLU au lieu de tanh", NET.replace("nn.Tanh()", "nn.ReLU()") + TRAIN,
            r"ne calcule pas linéaire → tanh → linéaire"),
    Attempt("q2", "Adam recréé à chaque pas", NET + TRAIN.replace(
        "    optimizer = torch.optim.Adam(net.parameters(), lr=lr)\n", "").replace(
        "            optimizer.zero_grad()", "            optimizer = torch.optim.Adam(net.parameters(), lr=lr)\n"
        "            optimizer.zero_grad()"), r"crée 8 optimiseurs"),
    Attempt("q2", "sortie (n, 1) comparée à une cible (n,)", NET + TRAIN.replace(
        "net(X_batch).squeeze(1)", "net(X_batch)"), r"diffuse en une matrice \(n, n\)"),
    Attempt("q2", "zero_grad() oublié", NET + TRAIN.replace("            optimizer.zero_grad()\n", ""),
            r"contenaient déjà ceux du pas précédent"),
    Attempt("q2", "l'optimiseur ne reçoit que la dernière couche", NET + TRAIN.replace(
        "torch.optim.Adam(net.parameters(), lr=lr)", "torch.optim.Adam(net.linear2.parameters(), lr=lr)"),
            r"ne reçoit pas tous les paramètres"),
]

# --- Question 2 (suite) : make_sequential -------------------------------------------------

ATTEMPTS += [
    Attempt("q2-sequential", "la solution du livre", '''
def make_sequential(dim_in, hidden):
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(),
                         nn.Linear(hidden, 1))
''', None),
    Attempt("q2-sequential", "un OrderedDict de modules nommés", '''
from collections import OrderedDict

def make_sequential(dim_in, hidden):
    return nn.Sequential(OrderedDict(cachee=nn.Linear(dim_in, hidden), tanh=nn.Tanh(),
                                     sortie=nn.Linear(hidden, 1)))
''', None),
    Attempt("q2-sequential", "une liste passée à nn.Sequential", '''
def make_sequential(dim_in, hidden):
    return nn.Sequential([nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1)])
''', r"prend ses modules un par un"),
    Attempt("q2-sequential", "pas de Tanh", '''
def make_sequential(dim_in, hidden):
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Linear(hidden, 1))
''', r"sans tanh entre elles"),
    Attempt("q2-sequential", "les couches dans l'ordre inverse de création", '''
def make_sequential(dim_in, hidden):
    out = nn.Linear(hidden, 1)
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(), out)
''', r"pas les mêmes valeurs initiales"),
]

# --- Exercice 1.a : le moteur Value -------------------------------------------------------

ENGINE = '''
class Value:
    def __init__(self, data, parents=(), local_grads=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))

    def __pow__(self, k):
        return Value(self.data**k, (self,), (k * self.data**(k - 1),))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t**2,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            pairs = zip(node.parents, node.local_grads)
            for parent, local in pairs:
                parent.grad += node.grad * local
'''
NAIVE_BACKWARD = '''    def backward(self):
        self.grad = 1.0

        def push(node):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                push(parent)

        push(self)
'''
KAHN_BACKWARD = '''    def backward(self):
        users, stack, seen = {}, [self], {id(self)}
        while stack:  # compter, pour chaque nœud, ceux qui l'utilisent
            node = stack.pop()
            for parent in node.parents:
                users[id(parent)] = users.get(id(parent), 0) + 1
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
        self.grad, ready = 1.0, [self]
        while ready:  # un nœud passe quand tous ses utilisateurs sont passés
            node = ready.pop()
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += node.grad * local
                users[id(parent)] -= 1
                if users[id(parent)] == 0:
                    ready.append(parent)
'''
ENGINE_BACKWARD = ENGINE[ENGINE.index("    def backward(self):"):]

ATTEMPTS += [
    Attempt("ex-1a", "la solution du livre", ENGINE, None),
    Attempt("ex-1a", "ordre de Kahn : compter les utilisateurs de chaque nœud",
            ENGINE.replace(ENGINE_BACKWARD, KAHN_BACKWARD), None),
    Attempt("ex-1a", "les messages écrasés au lieu d'additionnés",
            ENGINE.replace("parent.grad += node.grad * local", "parent.grad = node.grad * local"),
            r"s'additionnent : parent.grad \+= …"),
    Attempt("ex-1a", "une récursion sans ordre topologique",
            ENGINE.replace(ENGINE_BACKWARD, NAIVE_BACKWARD), r"ordre topologique inverse"),
    Attempt("ex-1a", "la dérivée de tanh écrite 1 − t", ENGINE.replace("(1 - t**2,)", "(1 - t,)"),
            r"1 − tanh²"),
    Attempt("ex-1a", "la dérivée de xᵏ écrite k·x", ENGINE.replace("(k * self.data**(k - 1),)", "(k * self.data,)"),
            r"k·xᵏ⁻¹"),
    Attempt("ex-1a", "le gradient initial oublié", ENGINE.replace("        self.grad = 1.0\n", ""),
            r"part du gradient initial"),
    Attempt("ex-1a", "le produit laissé au squelette", ENGINE.replace(
        """        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other),
                     (other.data, self.data))""", "        ..."), r"complétez la méthode __mul__"),
]

# --- Exercice 1.b : les gradients de l'auto-encodeur à la main ---------------------------

HAND = '''
def autoencoder_gradients(x, theta, b1, b2):
    y = theta @ x + b1
    x_hat = theta.T @ y + b2
    delta = 2 * (x_hat - x)
    gamma = theta @ delta
    return {
        "b₂": delta,
        "θ": torch.outer(y, delta) + torch.outer(gamma, x),
        "b₁": gamma,
        "x": -delta + theta.T @ gamma,
    }
'''

ATTEMPTS += [
    Attempt("ex-1b", "la solution du livre", HAND, None),
    Attempt("ex-1b", "avec des produits extérieurs écrits par diffusion", HAND.replace(
        "torch.outer(y, delta) + torch.outer(gamma, x)", "y[:, None] * delta[None, :] + gamma[:, None] * x[None, :]"),
            None),
    Attempt("ex-1b", "autograd au lieu des formules", '''
def autoencoder_gradients(x, theta, b1, b2):
    leaves = [t.clone().requires_grad_() for t in (x, theta, b1, b2)]
    x_, t_, b1_, b2_ = leaves
    loss = ((x_ - (t_.T @ (t_ @ x_ + b1_) + b2_)) ** 2).sum()
    loss.backward()
    return dict(zip(("x", "θ", "b₁", "b₂"), (t.grad for t in leaves)))
''', r"appelle backward\(\)"),
    Attempt("ex-1b", "le terme direct de x oublié", HAND.replace('"x": -delta + theta.T @ gamma', '"x": theta.T @ gamma'),
            r"x sert deux fois"),
    Attempt("ex-1b", "un seul des deux chemins de θ", HAND.replace(
        "torch.outer(y, delta) + torch.outer(gamma, x)", "torch.outer(gamma, x)"), r"θ sert deux fois"),
    Attempt("ex-1b", "des tailles écrites en dur", HAND.replace("gamma = theta @ delta", "gamma = theta[:2] @ delta[:4]"),
            r"(a échoué|diffère)"),
]

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
    Attempt("ex-2a", "la solution du livre", TANH, None),
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

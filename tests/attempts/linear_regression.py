"""Les tentatives du chapitre 3 : questions 1.1, 1.2, 1.3 et exercice 3.b."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

CHAPTER = "03_regression_lineaire"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import torch
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.tensorboard import SummaryWriter
from tp2_src.data import boston_split
from tp2_src.linreg import linear_mse
from tp2_src.logs import fresh_run_dir, read_scalars
device = torch.device("cpu")
split = boston_split(device=device)
X_train, y_train, X_test, y_test = split.tensors()
"""

ATTEMPTS: list[Attempt] = []

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

ATTEMPTS += [
    Attempt("q1-1", "la solution du livre", book_solution("q1-1"), None),
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
"""), r"n'est plus une feuille"),
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
    Attempt("q1-2", "la solution du livre", book_solution("q1-2"), None),
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
    Attempt("q1-3", "la solution du livre", book_solution("q1-3"), None),
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
    Attempt("ex-3b", "la solution du livre", book_solution("ex-3b"), None),
    Attempt("ex-3b", "la remise à zéro gardée, et un taux de 0,3", WITHOUT_RESET.replace(
        "        losses.append(loss.item())", "        w.grad.zero_()\n        b.grad.zero_()\n"
        "        losses.append(loss.item())").replace("lr * ", "0.3 * "),
            r"a été remis à zéro : la question demande d'oublier la remise à zéro"),
    Attempt("ex-3b", "les coûts rendus sous forme de tenseurs", WITHOUT_RESET.replace(
        "losses.append(loss.item())", "losses.append(loss.detach())"), None),
]


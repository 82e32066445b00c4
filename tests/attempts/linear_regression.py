"""Les tentatives du chapitre 3 : questions 1.1, 1.2, 1.3 et exercice 3.b."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate, without_comments

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

BATCH_HEAD = """
def batch_descent(X_train, y_train, X_test, y_test,
                  lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], device=X_train.device,
                    requires_grad=True)
    b = torch.zeros((), device=X_train.device, requires_grad=True)
    for epoch in range(num_epochs + 1):
        if epoch > 0:
"""
BATCH_LOG = """
        writer.add_scalar("loss/train",
                          linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test",
                          linear_mse(X_test, y_test, w, b), epoch)
    return w, b
"""


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
    Attempt(
        "q1-1",
        "avec ses propres Functions du TME 1 (linear, mse)",
        "from tp2_src.functions import linear, mse\n"
        + batch(
            RIGHT_STEP.replace(
                "loss = ((X_train @ w + b - y_train) ** 2).mean()",
                "loss = mse(linear(X_train, w[:, None], b.reshape(1)), y_train[:, None])",
            )
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "F.mse_loss, mise à jour par .data, .grad remis à None",
        batch("""
import torch.nn.functional as F
loss = F.mse_loss(X_train @ w + b, y_train)
loss.backward()
w.data -= lr * w.grad
b.data -= lr * b.grad
w.grad = None
b.grad = None
"""),
        None,
    ),
    Attempt(
        "q1-1",
        "torch.optim.SGD créé à chaque époque, sur les mêmes w et b",
        batch("""
optimizer = torch.optim.SGD([w, b], lr=lr)
optimizer.zero_grad()
((X_train @ w + b - y_train) ** 2).mean().backward()
optimizer.step()
"""),
        None,
    ),
    Attempt(
        "q1-1",
        "la solution exacte des moindres carrés, sans descente",
        """
def batch_descent(X_train, y_train, X_test, y_test, lr, num_epochs, writer):
    A = torch.cat([X_train, torch.ones(len(X_train), 1)], dim=1)
    solution = torch.linalg.lstsq(A, y_train[:, None]).solution[:, 0]
    w, b = solution[:-1], solution[-1]
    for epoch in range(num_epochs + 1):
        writer.add_scalar("loss/train", linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w, b
""",
        r"ne calcule jamais de gradient avec autograd",
    ),
    Attempt(
        "q1-1",
        "remise à zéro oubliée",
        batch(RIGHT_STEP.replace("w.grad.zero_()\nb.grad.zero_()\n", "")),
        r"les gradients s'accumulent d'une époque à l'autre",
    ),
    Attempt(
        "q1-1",
        "b jamais mis à jour",
        batch(RIGHT_STEP.replace("    b -= lr * b.grad\n", "")),
        r"b ne bouge pas",
    ),
    Attempt(
        "q1-1",
        "mise à jour sur place hors de no_grad",
        batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w -= lr * w.grad
b -= lr * b.grad
w.grad.zero_()
b.grad.zero_()
"""),
        r"ligne « w -= lr \* w.grad ».*hors de `torch.no_grad\(\)`",
    ),
    Attempt(
        "q1-1",
        "w = w - lr * w.grad : w n'est plus une feuille",
        batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w = w - lr * w.grad
b = b - lr * b.grad
"""),
        r"n'est plus une feuille",
    ),
    Attempt(
        "q1-1",
        "w de forme (d, 1) : le coût diffuse",
        batch(RIGHT_STEP).replace(
            "torch.zeros(X_train.shape[1], device", "torch.zeros(X_train.shape[1], 1, device"
        ),
        r"w doit être de forme \(13,\)",
    ),
    Attempt(
        "q1-1",
        "mise à jour à la main et optimizer.step()",
        batch("""
optimizer = torch.optim.SGD([w, b], lr=lr)
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
optimizer.step()
optimizer.zero_grad()
"""),
        r"w bouge de deux fois η·w.grad",
    ),
    Attempt(
        "q1-1",
        "gradients remis à zéro avant la mise à jour",
        batch("""
loss = ((X_train @ w + b - y_train) ** 2).mean()
loss.backward()
w.grad.zero_()
b.grad.zero_()
with torch.no_grad():
    w -= lr * w.grad
    b -= lr * b.grad
"""),
        r"w ne bouge pas",
    ),
    Attempt(
        "q1-1", "rien n'est journalisé", batch(RIGHT_STEP, "    return w, b\n"), r"n'écrit rien dans writer"
    ),
    Attempt(
        "q1-1",
        "étiquettes « train » et « test »",
        batch(RIGHT_STEP).replace('"loss/train"', '"train"').replace('"loss/test"', '"test"'),
        r"l'étiquette « loss/train » manque \(trouvée\(s\) : test, train\)",
    ),
    Attempt(
        "q1-1",
        "la somme des écarts au lieu de leur moyenne",
        batch(RIGHT_STEP.replace(".mean()", ".sum()")),
        r"somme des écarts au carré",
    ),
    Attempt(
        "q1-1",
        "taux d'apprentissage écrit en dur",
        batch(RIGHT_STEP.replace("lr *", "0.05 *")),
        r"w bouge de 0,05 × w.grad alors que le taux reçu vaut η = 0,07",
    ),
]

# --- Question 1.2 : boston_log -----------------------------------------------------------

ATTEMPTS += [
    Attempt("q1-2", "la solution du livre", book_solution("q1-2"), None),
    Attempt(
        "q1-2",
        "le SummaryWriter fermé à la main, log_dir en texte",
        """
def boston_log(run_dir):
    writer = SummaryWriter(log_dir=str(run_dir))
    w, b = batch_descent(*split.tensors(), 0.1, 100, writer)
    writer.close()
    return w, b
""",
        None,
    ),
    Attempt(
        "q1-2",
        "le journal écrit dans un autre dossier",
        """
def boston_log(run_dir):
    writer = SummaryWriter(fresh_run_dir("ailleurs"))
    w, b = batch_descent(X_train, y_train, X_test, y_test, 0.1, 100, writer)
    writer.close()
    return w, b
""",
        r"aucun journal dans le dossier run_dir",
    ),
    Attempt(
        "q1-2",
        "read_scalars sur le SummaryWriter lui-même",
        """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    batch_descent(X_train, y_train, X_test, y_test, 0.1, 100, writer)
    writer.close()
    return read_scalars(writer)
""",
        r"ligne « return read_scalars\(writer\) ».*passez writer.log_dir",
    ),
    Attempt(
        "q1-2",
        "la descente sur 10 époques seulement",
        """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    w, b = batch_descent(X_train, y_train, X_test, y_test, 0.1, 10, writer)
    writer.close()
    return w, b
""",
        r"a 11 point\(s\) pour 100 époques",
    ),
]

# --- Question 1.3 : descent --------------------------------------------------------------

DESCENT = """
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
"""

ATTEMPTS += [
    Attempt("q1-3", "la solution du livre", book_solution("q1-3"), None),
    Attempt(
        "q1-3",
        "sans mélange (shuffle=False), avec un optimiseur et F.mse_loss",
        """
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
""",
        r"à l'époque 1, les exemples viennent dans l'ordre des données, sans mélange",
    ),
    Attempt(
        "q1-3",
        "« stochastique » dont le coût porte sur tout X_train",
        DESCENT.replace(
            "loss = ((X @ w + b - y) ** 2).mean()", "loss = ((X_train @ w + b - y_train) ** 2).mean()"
        ),
        r"porte sur les 12 exemples au lieu d'un mini-batch de 1",
    ),
    Attempt(
        "q1-3",
        "remise à zéro une fois par époque",
        DESCENT.replace(
            "                w.grad.zero_()\n                b.grad.zero_()\n",
            "            w.grad.zero_()\n            b.grad.zero_()\n",
        ),
        r"s'accumulent entre deux pas d'une même époque",
    ),
    Attempt(
        "q1-3",
        "aucun journal dans descent",
        DESCENT.replace(
            '        writer.add_scalar("loss/train",\n'
            "                          linear_mse(X_train, y_train, w, b), epoch)\n"
            '        writer.add_scalar("loss/test",\n'
            "                          linear_mse(X_test, y_test, w, b), epoch)\n",
            "",
        ),
        r"n'écrit rien dans writer",
    ),
    Attempt(
        "q1-3",
        "des mini-batchs découpés à la main, qui oublient la fin du jeu",
        """
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
""",
        r"fait 33 pas \(calculs de gradient\) au lieu de 36",
    ),
]

# --- Exercice 3.b : descent_without_reset -----------------------------------------------

WITHOUT_RESET = """
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
"""

ATTEMPTS += [
    Attempt("ex-3b", "la solution du livre", book_solution("ex-3b"), None),
    Attempt(
        "ex-3b",
        "la remise à zéro gardée, et un taux de 0,3",
        WITHOUT_RESET.replace(
            "        losses.append(loss.item())",
            "        w.grad.zero_()\n        b.grad.zero_()\n        losses.append(loss.item())",
        ).replace("lr * ", "0.3 * "),
        r"a été remis à zéro : la question demande d'oublier la remise à zéro",
    ),
    Attempt(
        "ex-3b",
        "les coûts rendus sous forme de tenseurs",
        WITHOUT_RESET.replace("losses.append(loss.item())", "losses.append(loss.detach())"),
        r"rend des tenseurs au lieu de nombres",
    ),
]


# --- Question 1.1 : d'autres écritures, d'autres fautes ------------------------------------

SOLUTION_11 = without_comments(book_solution("q1-1"))
STEP_11 = (
    "            loss.backward()\n"
    "            with torch.no_grad():\n"
    "                w -= lr * w.grad\n"
    "                b -= lr * b.grad\n"
    "            w.grad.zero_()\n"
    "            b.grad.zero_()\n"
)

ATTEMPTS += [
    Attempt(
        "q1-1",
        "torch.autograd.grad, mise à jour sur place",
        mutate(
            SOLUTION_11,
            (
                STEP_11,
                (
                    "            gw, gb = torch.autograd.grad(loss, [w, b])\n"
                    "            with torch.no_grad():\n"
                    "                w -= lr * gw\n"
                    "                b -= lr * gb\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "torch.autograd.grad, de nouvelles feuilles à chaque pas",
        mutate(
            SOLUTION_11,
            (
                STEP_11,
                (
                    "            gw, gb = torch.autograd.grad(loss, (w, b))\n"
                    "            w = (w - lr * gw).detach().requires_grad_()\n"
                    "            b = (b - lr * gb).detach().requires_grad_()\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "torch.func.grad, de nouveaux tenseurs à chaque pas",
        "from torch.func import grad\n\n"
        + mutate(
            SOLUTION_11,
            (
                "            loss = ((X_train @ w + b - y_train) ** 2).mean()\n" + STEP_11,
                (
                    "            def cost(w, b):\n"
                    "                return ((X_train @ w + b - y_train) ** 2).mean()\n"
                    "            gw, gb = grad(cost, argnums=(0, 1))(w, b)\n"
                    "            w, b = w - lr * gw, b - lr * gb\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "torch.func.grad appelé par son chemin, paramètres sans requires_grad",
        mutate(
            SOLUTION_11,
            (", requires_grad=True\n    )", "\n    )"),
            (", requires_grad=True)", ")"),
            (
                "            loss = ((X_train @ w + b - y_train) ** 2).mean()\n" + STEP_11,
                (
                    "            cost = lambda w, b: ((X_train @ w + b - y_train) ** 2).mean()\n"
                    "            gw, gb = torch.func.grad(cost, argnums=(0, 1))(w, b)\n"
                    "            w = w - lr * gw\n"
                    "            b = b - lr * gb\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "nn.MSELoss",
        "from torch import nn\n\n"
        + mutate(
            SOLUTION_11,
            ("((X_train @ w + b - y_train) ** 2).mean()", "nn.MSELoss()(X_train @ w + b, y_train)"),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "le coût de la passe avant journalisé, époques 1 à num_epochs",
        """
def batch_descent(X_train, y_train, X_test, y_test, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for epoch in range(1, num_epochs + 1):
        loss = ((X_train @ w + b - y_train) ** 2).mean()
        writer.add_scalar("loss/train", loss.item(), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w, b
""",
        None,
    ),
    Attempt(
        "q1-1",
        "η = 0,1 écrit en dur",
        mutate(SOLUTION_11, ("w -= lr *", "w -= 0.1 *"), ("b -= lr *", "b -= 0.1 *")),
        r"w bouge de 0,1 × w.grad alors que le taux reçu vaut η = 0,07 : "
        r"la fonction n'utilise pas le taux lr",
    ),
    Attempt(
        "q1-1",
        "y de forme (n, 1) : le coût diffuse en (n, n)",
        mutate(SOLUTION_11, ("- y_train) ** 2).mean()", "- y_train[:, None]) ** 2).mean()")),
        r"formes \(12,\) et \(12, 1\) donne une matrice \(12, 12\) : la diffusion des formes",
    ),
    Attempt(
        "q1-1",
        "montée de gradient : le signe +",
        mutate(SOLUTION_11, ("w -= lr", "w += lr"), ("b -= lr", "b += lr")),
        r"w monte le long de son gradient : le signe de la mise à jour est faux",
    ),
    Attempt(
        "q1-1",
        "descente du signe du gradient",
        mutate(SOLUTION_11, ("lr * w.grad", "lr * w.grad.sign()")),
        r"la mise à jour de w ne suit pas son gradient",
    ),
    Attempt(
        "q1-1",
        "la moitié de la MSE",
        mutate(SOLUTION_11, ("loss = ((", "loss = 0.5 * ((")),
        r"le coût n'est pas la MSE du mini-batch \(poids 0,0417",
    ),
    Attempt(
        "q1-1",
        "une pénalité L2 ajoutée au coût",
        mutate(SOLUTION_11, ("** 2).mean()\n", "** 2).mean() + 0.1 * (w ** 2).sum()\n")),
        r"le gradient ne correspond à la MSE d'aucun mini-batch",
    ),
    Attempt(
        "q1-1",
        "b sans requires_grad, jamais mis à jour",
        mutate(
            SOLUTION_11,
            (
                "b = torch.zeros((), device=X_train.device, requires_grad=True)",
                "b = torch.zeros((), device=X_train.device)",
            ),
            ("                b -= lr * b.grad\n", ""),
            ("            b.grad.zero_()\n", ""),
        ),
        r"dépend de 1 tenseur\(s\) dont autograd calcule le gradient \(formes : \(13,\)\)",
    ),
    Attempt(
        "q1-1",
        "ni w ni b ne demandent de gradient",
        mutate(SOLUTION_11, (", requires_grad=True\n    )", "\n    )"), (", requires_grad=True)", ")")),
        r"le coût ne dépend d'aucun tenseur qui demande un gradient",
    ),
    Attempt(
        "q1-1",
        "la passe avant faite une fois, avant la boucle",
        mutate(
            SOLUTION_11,
            ("            loss = ((X_train @ w + b - y_train) ** 2).mean()\n", ""),
            (
                "    for epoch in range(num_epochs + 1):\n",
                "    loss = ((X_train @ w + b - y_train) ** 2).mean()\n"
                "    for epoch in range(num_epochs + 1):\n",
            ),
        ),
        r"backward\(\) est appelé deux fois sur le même graphe",
    ),
    Attempt(
        "q1-1",
        "les étiquettes loss/train et loss/test inversées",
        mutate(
            SOLUTION_11,
            ('"loss/train"', '"loss/TRAIN"'),
            ('"loss/test"', '"loss/train"'),
            ('"loss/TRAIN"', '"loss/test"'),
        ),
        r"journalise le coût de test sous « loss/train »",
    ),
    Attempt(
        "q1-1",
        "le coût de test journalisé sous les deux étiquettes",
        mutate(SOLUTION_11, ("linear_mse(X_train, y_train, w, b)", "linear_mse(X_test, y_test, w, b)")),
        r"« loss/train » ne suit pas la MSE d'apprentissage",
    ),
    Attempt(
        "q1-1",
        "w rendu en tableau NumPy",
        mutate(SOLUTION_11, ("    return w, b", "    return w.detach().numpy(), b")),
        r"la fonction doit rendre \(w, b\), deux tenseurs ; w est un ndarray",
    ),
    Attempt(
        "q1-1",
        "seul w est rendu",
        mutate(SOLUTION_11, ("    return w, b", "    return w")),
        r"la fonction doit rendre le couple \(w, b\) ; elle rend un Tensor",
    ),
    Attempt(
        "q1-1",
        "la fonction nommée autrement",
        mutate(SOLUTION_11, ("def batch_descent(", "def batch_gradient_descent(")),
        r"`batch_descent` n'est pas défini",
    ),
    Attempt(
        "q1-1",
        "batch_descent écrasé par un nombre",
        SOLUTION_11 + "\nbatch_descent = 3\n",
        r"`batch_descent` devrait être une fonction ; c'est un int",
    ),
    Attempt(
        "q1-1",
        "sans les données de test ni writer",
        mutate(
            SOLUTION_11,
            (
                "def batch_descent(\n    X_train, y_train, X_test, y_test, lr, num_epochs, writer\n):",
                "def batch_descent(X_train, y_train, lr, num_epochs):",
            ),
        ),
        r"devrait prendre 7 paramètres",
    ),
]

# --- Question 1.2 : d'autres écritures, d'autres fautes ------------------------------------

SOLUTION_12 = without_comments(book_solution("q1-2"))

ATTEMPTS += [
    Attempt(
        "q1-2",
        "close() dans un finally, paramètres par position",
        """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    try:
        return batch_descent(X_train, y_train, X_test, y_test, 0.1, 100, writer)
    finally:
        writer.close()
""",
        None,
    ),
    Attempt(
        "q1-2",
        "train et test inversés",
        mutate(
            SOLUTION_12,
            (
                "            X_train,\n            y_train,\n            X_test,\n            y_test,\n",
                "            X_test,\n            y_test,\n            X_train,\n            y_train,\n",
            ),
        ),
        r"la descente journalisée apprend sur le jeu de test : train et test sont inversés",
    ),
    Attempt(
        "q1-2",
        "η = 0,01 au lieu de 0,1",
        mutate(SOLUTION_12, ("lr=0.1", "lr=0.01")),
        r"les courbes relues ne sont pas celles de la descente batch à η = 0,1",
    ),
    Attempt(
        "q1-2",
        "101 époques",
        mutate(SOLUTION_12, ("num_epochs=100", "num_epochs=101")),
        r"a 102 point\(s\) pour 100 époques",
    ),
    Attempt(
        "q1-2",
        "le SummaryWriter jamais fermé",
        """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    return batch_descent(X_train, y_train, X_test, y_test, lr=0.1, num_epochs=100, writer=writer)
""",
        r"le SummaryWriter de run_dir est encore ouvert à la fin de boston_log",
    ),
    Attempt(
        "q1-2",
        "flush() sans close()",
        """
def boston_log(run_dir):
    writer = SummaryWriter(run_dir)
    w, b = batch_descent(X_train, y_train, X_test, y_test, lr=0.1, num_epochs=100, writer=writer)
    writer.flush()
    return w, b
""",
        r"encore ouvert à la fin de boston_log",
    ),
    Attempt(
        "q1-2",
        "la descente après la fin du bloc with",
        """
def boston_log(run_dir):
    with SummaryWriter(run_dir) as writer:
        pass
    return batch_descent(X_train, y_train, X_test, y_test, lr=0.1, num_epochs=100, writer=writer)
""",
        r"encore ouvert à la fin de boston_log : une partie du journal peut rester en mémoire",
    ),
    Attempt(
        "q1-2",
        "deux SummaryWriter : celui de run_dir reste vide",
        """
import tempfile

def boston_log(run_dir):
    log = SummaryWriter(run_dir)
    with SummaryWriter(tempfile.mkdtemp()) as writer:
        w, b = batch_descent(X_train, y_train, X_test, y_test, lr=0.1, num_epochs=100, writer=writer)
    log.close()
    return w, b
""",
        r"le journal de run_dir ne contient aucun coût",
    ),
    Attempt(
        "q1-2",
        "boston_log sans paramètre",
        mutate(SOLUTION_12, ("def boston_log(run_dir):", "def boston_log():")),
        r"`boston_log\(\)` devrait prendre 1 paramètres",
    ),
]

# --- Question 1.3 : d'autres écritures, d'autres fautes ------------------------------------

SOLUTION_13 = without_comments(book_solution("q1-3"))
LOADER_13 = (
    "    g = torch.Generator().manual_seed(0)\n"
    "    loader = DataLoader(\n"
    "        TensorDataset(X_train, y_train),\n"
    "        batch_size=batch_size,\n"
    "        shuffle=True,\n"
    "        generator=g,\n"
    "    )\n"
)
STEP_13 = (
    "                loss.backward()\n"
    "                with torch.no_grad():\n"
    "                    w -= lr * w.grad\n"
    "                    b -= lr * b.grad\n"
    "                w.grad.zero_()\n"
    "                b.grad.zero_()\n"
)
RANDPERM_13 = """
def descent(X_train, y_train, X_test, y_test, batch_size, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    n = len(X_train)
    for epoch in range(num_epochs + 1):
        if epoch > 0:
            order = ORDER
            for start in range(0, n, batch_size):
                i = order[start:start + batch_size]
                loss = ((X_train[i] @ w + b - y_train[i]) ** 2).mean()
                loss.backward()
                with torch.no_grad():
                    w -= lr * w.grad
                    b -= lr * b.grad
                    w.grad.zero_()
                    b.grad.zero_()
        writer.add_scalar("loss/train", linear_mse(X_train, y_train, w, b), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()
"""

ATTEMPTS += [
    Attempt(
        "q1-3",
        "shuffle=True sur la graine globale, sans générateur",
        mutate(
            SOLUTION_13,
            (
                LOADER_13,
                "    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size,"
                " shuffle=True)\n",
            ),
        ),
        None,
    ),
    Attempt(
        "q1-3",
        "sans DataLoader : torch.randperm à chaque époque",
        RANDPERM_13.replace("ORDER", "torch.randperm(n)"),
        None,
    ),
    Attempt(
        "q1-3",
        "torch.autograd.grad sur chaque mini-batch",
        mutate(
            SOLUTION_13,
            (
                STEP_13,
                (
                    "                gw, gb = torch.autograd.grad(loss, [w, b])\n"
                    "                with torch.no_grad():\n"
                    "                    w -= lr * gw\n"
                    "                    b -= lr * gb\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-3",
        "torch.func.grad sur chaque mini-batch",
        "from torch.func import grad\n\n"
        + mutate(
            SOLUTION_13,
            (
                "                loss = ((X @ w + b - y) ** 2).mean()\n" + STEP_13,
                (
                    "                gw, gb = grad(lambda w, b: ((X @ w + b - y) ** 2).mean(),\n"
                    "                              argnums=(0, 1))(w, b)\n"
                    "                w, b = w - lr * gw, b - lr * gb\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-3",
        "un SGD de torch.optim et nn.MSELoss, générateur gardé",
        "from torch import nn\n\n"
        + mutate(
            SOLUTION_13,
            (LOADER_13, LOADER_13 + "    optimizer = torch.optim.SGD([w, b], lr=lr)\n"),
            (
                "                loss = ((X @ w + b - y) ** 2).mean()\n" + STEP_13,
                (
                    "                optimizer.zero_grad()\n"
                    "                nn.MSELoss()(X @ w + b, y).backward()\n"
                    "                optimizer.step()\n"
                ),
            ),
        ),
        None,
    ),
    Attempt(
        "q1-3",
        "un ordre tiré une fois, avant la boucle des époques",
        RANDPERM_13.replace("            order = ORDER\n", "").replace(
            "    n = len(X_train)\n", "    n = len(X_train)\n    order = torch.randperm(n)\n"
        ),
        r"l'époque 2 parcourt les exemples dans le même ordre qu'une époque précédente",
    ),
    Attempt(
        "q1-3",
        "le DataLoader et sa graine recréés à chaque époque",
        mutate(
            SOLUTION_13,
            (LOADER_13, ""),
            (
                "        if epoch > 0:\n",
                "        if epoch > 0:\n"
                + LOADER_13.replace("\n    ", "\n            ").replace("    g = ", "            g = ", 1),
            ),
        ),
        r"le même ordre qu'une époque précédente : le mélange doit changer à chaque époque",
    ),
    Attempt(
        "q1-3",
        "un ordre décalé d'un cran à chaque époque",
        RANDPERM_13.replace("ORDER", "torch.arange(n).roll(epoch)"),
        r"les exemples suivent l'ordre des données, décalé ou renversé",
    ),
    Attempt(
        "q1-3",
        "drop_last=True",
        mutate(SOLUTION_13, ("shuffle=True,", "shuffle=True, drop_last=True,")),
        r"le dernier mini-batch de chaque époque \(2 exemples\) est oublié",
    ),
    Attempt(
        "q1-3",
        "des mini-batchs tirés avec remise",
        RANDPERM_13.replace(
            "            order = ORDER\n", "            order = torch.randint(0, n, (n,), generator=g)\n"
        ).replace(
            "    n = len(X_train)\n", "    n = len(X_train)\n    g = torch.Generator().manual_seed(0)\n"
        ),
        r"un exemple sert deux fois dans la même époque",
    ),
    Attempt(
        "q1-3",
        "loss/train : la moyenne des coûts des mini-batchs",
        """
def descent(X_train, y_train, X_test, y_test, batch_size, lr, num_epochs, writer):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=True)
    for epoch in range(1, num_epochs + 1):
        total = 0.0
        for X, y in loader:
            loss = ((X @ w + b - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= lr * w.grad
                b -= lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
            total += loss.item()
        writer.add_scalar("loss/train", total / len(loader), epoch)
        writer.add_scalar("loss/test", linear_mse(X_test, y_test, w, b), epoch)
    return w.detach(), b.detach()
""",
        r"« loss/train » ne suit pas la MSE d'apprentissage de \(w, b\) à chaque époque",
    ),
    Attempt(
        "q1-3",
        "η = 0,01 écrit en dur",
        mutate(SOLUTION_13, ("w -= lr *", "w -= 0.01 *"), ("b -= lr *", "b -= 0.01 *")),
        r"w bouge de 0,01 × w.grad alors que le taux reçu vaut η = 0,02",
    ),
    Attempt(
        "q1-3",
        "batch_size=32 écrit en dur",
        mutate(SOLUTION_13, ("batch_size=batch_size,", "batch_size=32,")),
        r"descent \(batch_size=1\) fait 3 pas \(calculs de gradient\) au lieu de 36",
    ),
    Attempt(
        "q1-3",
        "batch_size=1 écrit en dur",
        mutate(SOLUTION_13, ("batch_size=batch_size,", "batch_size=1,")),
        r"descent \(batch_size=5\) fait 24 pas \(calculs de gradient\) au lieu de 6",
    ),
    Attempt(
        "q1-3",
        "le premier exemple de chaque mini-batch seulement",
        mutate(
            SOLUTION_13,
            ("loss = ((X @ w + b - y) ** 2).mean()", "loss = ((X[0] @ w + b - y[0]) ** 2).mean()"),
        ),
        r"le gradient vient de 1 exemple\(s\) au lieu de 5",
    ),
    Attempt(
        "q1-3",
        "montée de gradient",
        mutate(SOLUTION_13, ("w -= lr", "w += lr"), ("b -= lr", "b += lr")),
        r"le signe de la mise à jour est faux",
    ),
]

# --- Exercice 3.b : d'autres écritures, d'autres fautes ------------------------------------

SOLUTION_3B = without_comments(book_solution("ex-3b"))

ATTEMPTS += [
    Attempt(
        "ex-3b",
        "float(loss), mise à jour par .data",
        mutate(
            SOLUTION_3B,
            (
                "        with torch.no_grad():\n            w -= lr * w.grad\n            b -= lr * b.grad\n",
                "        w.data -= lr * w.grad\n        b.data -= lr * b.grad\n",
            ),
            ("losses.append(loss.item())", "losses.append(float(loss))"),
        ),
        None,
    ),
    Attempt(
        "ex-3b",
        "les tenseurs du coût, sans detach",
        mutate(SOLUTION_3B, ("losses.append(loss.item())", "losses.append(loss)")),
        r"rend des tenseurs au lieu de nombres",
    ),
    Attempt(
        "ex-3b",
        "torch.autograd.grad et un cumul à la main",
        mutate(
            SOLUTION_3B,
            (
                "        loss.backward()\n        with torch.no_grad():\n            w -= lr * w.grad\n"
                "            b -= lr * b.grad\n",
                "        gw, gb = torch.autograd.grad(loss, [w, b])\n        with torch.no_grad():\n"
                "            w -= lr * gw\n            b -= lr * gb\n",
            ),
        ),
        r"calcule ses gradients avec autograd.grad : cet exercice étudie l'accumulation dans .grad",
    ),
    Attempt(
        "ex-3b",
        "le coût mesuré après la mise à jour",
        mutate(
            SOLUTION_3B, ("losses.append(loss.item())", "losses.append(linear_mse(X_train, y_train, w, b))")
        ),
        r"les coûts rendus sont décalés d'une époque",
    ),
    Attempt(
        "ex-3b",
        "la racine de la MSE rendue",
        mutate(SOLUTION_3B, ("losses.append(loss.item())", "losses.append(loss.item() ** 0.5)")),
        r"le coût rendu pour l'époque 1 vaut .* \(la MSE de la passe avant de cette époque\)",
    ),
    Attempt(
        "ex-3b",
        "des couples (époque, coût)",
        mutate(
            SOLUTION_3B,
            ("    for _ in range(num_epochs):", "    for epoch in range(num_epochs):"),
            ("losses.append(loss.item())", "losses.append((epoch, loss.item()))"),
        ),
        r"doit rendre une liste de nombres \(loss.item\(\)\) ; elle contient un tuple",
    ),
    Attempt(
        "ex-3b",
        "return oublié",
        mutate(SOLUTION_3B, ("    return losses", "")),
        r"doit rendre la liste des coûts ; elle rend un NoneType",
    ),
    Attempt(
        "ex-3b",
        "le coût du départ ajouté",
        mutate(SOLUTION_3B, ("    losses = []", "    losses = [linear_mse(X_train, y_train, w, b)]")),
        r"rend 5 coûts pour 4 époques",
    ),
    Attempt(
        "ex-3b",
        "w de forme (d, 1)",
        mutate(SOLUTION_3B, ("X_train.shape[1], device", "X_train.shape[1], 1, device")),
        r"w a la forme \(13, 1\) au lieu de \(13,\)",
    ),
    Attempt(
        "ex-3b",
        "un poids de trop dans w",
        mutate(SOLUTION_3B, ("X_train.shape[1], device", "X_train.shape[1] + 1, device")),
        r"des formes incompatibles",
    ),
    Attempt(
        "ex-3b",
        "η = 0,1 écrit en dur",
        mutate(SOLUTION_3B, ("w -= lr *", "w -= 0.1 *"), ("b -= lr *", "b -= 0.1 *")),
        r"alors que le taux reçu vaut η = 0,03 : la fonction n'utilise pas le taux lr",
    ),
    Attempt(
        "ex-3b",
        "descent_without_reset sans lr",
        mutate(
            SOLUTION_3B,
            (
                "def descent_without_reset(X_train, y_train, lr, num_epochs):",
                "def descent_without_reset(X_train, y_train, num_epochs):",
            ),
            ("w -= lr *", "w -= 0.1 *"),
            ("b -= lr *", "b -= 0.1 *"),
        ),
        r"devrait prendre 4 paramètres",
    ),
]

ATTEMPTS += [
    Attempt(
        "q1-1",
        "b de forme (1,)",
        mutate(
            SOLUTION_11,
            (
                "b = torch.zeros((), device=X_train.device, requires_grad=True)",
                "b = torch.zeros(1, device=X_train.device, requires_grad=True)",
            ),
        ),
        None,
    ),
    Attempt(
        "q1-1",
        "add_scalar sans le numéro de l'époque",
        mutate(
            SOLUTION_11,
            ("linear_mse(X_train, y_train, w, b), epoch\n", "linear_mse(X_train, y_train, w, b)\n"),
            ("linear_mse(X_test, y_test, w, b), epoch\n", "linear_mse(X_test, y_test, w, b)\n"),
        ),
        r"les époques de « loss/train » ne croissent pas",
    ),
]

# --- Le couple rendu : l'ordre et la nature de (w, b) (essai du kit à l'aveugle) ----------

ATTEMPTS += [
    Attempt(
        "q1-1",
        "(b, w) rendu au lieu de (w, b)",
        mutate(SOLUTION_11, ("    return w, b", "    return b, w")),
        r"la fonction rend \(b, w\) : l'ordre demandé est \(w, b\), les poids \(forme \(13,\)\)",
    ),
    Attempt(
        "q1-1",
        "b rendu par .item()",
        mutate(SOLUTION_11, ("    return w, b", "    return w, b.item()")),
        r"b est un float : rendez le tenseur lui-même, sans \.item\(\)",
    ),
    Attempt(
        "q1-3",
        "(b, w) rendu au lieu de (w, b), détachés",
        mutate(SOLUTION_13, ("    return w.detach(), b.detach()", "    return b.detach(), w.detach()")),
        r"la fonction rend \(b, w\) : l'ordre demandé est \(w, b\)",
    ),
]

ATTEMPTS += [
    Attempt(
        "q1-2",
        "sans return (essai du kit à l'aveugle)",
        mutate(
            SOLUTION_12, ("        w, b = batch_descent(", "        batch_descent("), ("    return w, b", "")
        ),
        r"boston_log ne rend rien : rendez le couple \(w, b\)",
    ),
    Attempt(
        "q1-2",
        "w seul rendu",
        mutate(SOLUTION_12, ("    return w, b", "    return w")),
        r"la fonction doit rendre le couple \(w, b\) ; elle rend un Tensor",
    ),
    Attempt(
        "q1-2",
        "(w, b) rendu sous forme de liste",
        mutate(SOLUTION_12, ("    return w, b", "    return [w, b]")),
        None,
    ),
]

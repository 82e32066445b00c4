"""Les tentatives du chapitre 4 : exercices 4.a et 4.b."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate, without_comments

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

SGD = without_comments(book_solution("ex-4a"))
OPTIMIZER = "optimizer = torch.optim.SGD([w, b], lr=lr)"
ZERO = "        optimizer.zero_grad()\n"
LOSS = "loss = ((X_train @ w + b - y_train) ** 2).mean()"
W = "nn.Parameter(\n        torch.zeros(X_train.shape[1], device=X_train.device)\n    )"
B = "nn.Parameter(torch.zeros((), device=X_train.device))"

ATTEMPTS += [
    Attempt("ex-4a", "la solution du livre", book_solution("ex-4a"), None),
    # Justes, écrites autrement.
    Attempt(
        "ex-4a",
        "zero_grad() après step(), avec MSELoss",
        mutate(
            SGD,
            (ZERO, ""),
            (LOSS, "loss = nn.MSELoss()(X_train @ w + b, y_train)"),
            ("optimizer.step()", "optimizer.step()\n        optimizer.zero_grad()"),
        ),
        None,
    ),
    Attempt(
        "ex-4a",
        "F.mse_loss",
        "import torch.nn.functional as F\n"
        + mutate(SGD, (LOSS, "loss = F.mse_loss(X_train @ w + b, y_train)")),
        None,
    ),
    Attempt(
        "ex-4a",
        "les paramètres en dict (un groupe)",
        mutate(SGD, (OPTIMIZER, 'optimizer = torch.optim.SGD([{"params": [w, b]}], lr=lr)')),
        None,
    ),
    Attempt(
        "ex-4a",
        "deux groupes de paramètres, le taux dans chacun",
        mutate(
            SGD,
            (
                OPTIMIZER,
                'optimizer = torch.optim.SGD([{"params": [w], "lr": lr}, {"params": [b], "lr": lr}], lr=0.5)',
            ),
        ),
        None,
    ),
    Attempt(
        "ex-4a",
        "le taux passé par position, params= nommé",
        mutate(SGD, (OPTIMIZER, "optimizer = torch.optim.SGD(params=[w, b], lr=lr, momentum=0.0)")),
        None,
    ),
    Attempt(
        "ex-4a",
        "torch.mean et matmul, zero_grad(set_to_none=False)",
        mutate(
            SGD,
            (LOSS, "loss = torch.mean((X_train.matmul(w) + b - y_train) ** 2)"),
            ("optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=False)"),
        ),
        None,
    ),
    # Fausses.
    Attempt(
        "ex-4a",
        "l'optimiseur recréé à chaque itération",
        mutate(SGD, ("    " + OPTIMIZER + "\n", ""), (ZERO, "        " + OPTIMIZER + "\n" + ZERO)),
        r"crée 3 optimiseurs pour 3 pas",
    ),
    Attempt("ex-4a", "zero_grad() oublié, comme dans l'énoncé", mutate(SGD, (ZERO, "")), r"s'accumulent"),
    Attempt(
        "ex-4a",
        "zero_grad() entre backward() et step()",
        mutate(SGD, (ZERO, ""), ("        loss.backward()\n", "        loss.backward()\n" + ZERO)),
        r"ne bouge pas",
    ),
    Attempt(
        "ex-4a",
        "des tenseurs au lieu de nn.Parameter",
        mutate(
            SGD,
            (W, "torch.zeros(X_train.shape[1], requires_grad=True)"),
            (B, "torch.zeros((), requires_grad=True)"),
        ),
        r"w devrait être un nn.Parameter",
    ),
    Attempt(
        "ex-4a",
        "Adam au lieu de SGD",
        mutate(SGD, ("torch.optim.SGD", "torch.optim.Adam")),
        r"l'optimiseur est un Adam : la question demande torch.optim.SGD",
    ),
    Attempt(
        "ex-4a",
        "le taux écrit en dur (0,1)",
        mutate(SGD, ("lr=lr", "lr=0.1")),
        r"l'optimiseur a le taux 0,1 alors que sgd_descent a reçu lr = 0,07",
    ),
    Attempt(
        "ex-4a",
        "SGD([w]) seul : b oublié",
        mutate(SGD, ("SGD([w, b]", "SGD([w]")),
        r"b n'est pas confié à l'optimiseur",
    ),
    Attempt(
        "ex-4a",
        "un moment (momentum=0.9)",
        mutate(SGD, ("lr=lr)", "lr=lr, momentum=0.9)")),
        r"créé avec momentum=0.9 : la question demande la descente batch simple",
    ),
    Attempt(
        "ex-4a",
        "une pénalité (weight_decay)",
        mutate(SGD, ("lr=lr)", "lr=lr, weight_decay=1e-3)")),
        r"créé avec weight_decay=0.001",
    ),
    Attempt(
        "ex-4a",
        "la montée de gradient (maximize=True)",
        mutate(SGD, ("lr=lr)", "lr=lr, maximize=True)")),
        r"créé avec maximize=True",
    ),
    Attempt(
        "ex-4a",
        "w tiré au hasard",
        mutate(SGD, (W, "nn.Parameter(torch.randn(X_train.shape[1]))")),
        r"w ne part pas de zéro",
    ),
    Attempt(
        "ex-4a",
        "la mise à jour à la main, sans optimiseur",
        mutate(
            SGD,
            ("    " + OPTIMIZER + "\n", ""),
            (ZERO, ""),
            (
                "        optimizer.step()\n",
                "        with torch.no_grad():\n            w -= lr * w.grad\n"
                "            b -= lr * b.grad\n        w.grad = None\n        b.grad = None\n",
            ),
        ),
        r"sgd_descent ne crée pas d'optimiseur",
    ),
    Attempt(
        "ex-4a",
        "la somme des carrés au lieu de la moyenne",
        mutate(SGD, (".mean()", ".sum()")),
        r"la somme des écarts au carré",
    ),
    Attempt(
        "ex-4a",
        "le coût sur les 256 premiers exemples",
        mutate(SGD, (LOSS, "loss = ((X_train[:256] @ w + b - y_train[:256]) ** 2).mean()")),
        r"sur Boston Housing \(η = 0,03, 40 pas\), les paramètres rendus diffèrent",
    ),
    Attempt(
        "ex-4a",
        "le nombre de pas écrit en dur (100)",
        mutate(SGD, ("range(num_epochs)", "range(100)")),
        r"fait 100 pas \(calculs de gradient\) au lieu de 3",
    ),
    Attempt(
        "ex-4a",
        "la mise à jour faite deux fois",
        mutate(
            SGD,
            (
                "        optimizer.step()\n",
                "        with torch.no_grad():\n            w -= lr * w.grad\n"
                "            b -= lr * b.grad\n        optimizer.step()\n",
            ),
        ),
        r"bouge de deux fois η",
    ),
    Attempt("ex-4a", "b de forme (1,), juste aussi", mutate(SGD, (B, "nn.Parameter(torch.zeros(1))")), None),
    Attempt(
        "ex-4a",
        "w de forme (13, 1)",
        mutate(
            SGD,
            (W, "nn.Parameter(torch.zeros(X_train.shape[1], 1))"),
            ("X_train @ w", "(X_train @ w).squeeze(1)"),
        ),
        r"w a la forme \(13, 1\) au lieu de \(13,\)",
    ),
    Attempt(
        "ex-4a", "seul w rendu", mutate(SGD, ("return w, b", "return w")), r"doit rendre le couple \(w, b\)"
    ),
    Attempt(
        "ex-4a",
        "le coût calculé une fois, avant la boucle",
        mutate(SGD, ("        " + LOSS + "\n", ""), ("    for _ in", "    " + LOSS + "\n    for _ in")),
        r"backward\(\) est appelé deux fois sur le même graphe",
    ),
    Attempt(
        "ex-4a",
        "sans num_epochs dans la signature",
        mutate(SGD, ("lr, num_epochs):", "lr):"), ("range(num_epochs)", "range(100)")),
        r"devrait prendre 4 paramètres",
    ),
    Attempt(
        "ex-4a",
        "la fonction nommée autrement",
        mutate(SGD, ("def sgd_descent(", "def sgd(")),
        r"`sgd_descent` n'est pas défini",
    ),
    Attempt(
        "ex-4a",
        "le résultat rangé sous le nom de la fonction",
        SGD + ("\nsgd_descent = sgd_descent(X_train, y_train, lr=0.1, num_epochs=100)\n"),
        r"`sgd_descent` devrait être une fonction",
    ),
]

# --- Exercice 4.b : momentum_descent -------------------------------------------------------

MOMENTUM = without_comments(book_solution("ex-4b"))
RESET = "        w.grad.zero_()\n        b.grad.zero_()\n"
VELOCITIES = "            v_w = mu * v_w + w.grad\n            v_b = mu * v_b + b.grad\n"
W_ZERO = "torch.zeros(\n        X_train.shape[1], device=X_train.device, requires_grad=True\n    )"
STEPS = "            w -= lr * v_w\n            b -= lr * v_b\n"

ATTEMPTS += [
    Attempt("ex-4b", "la solution du livre", book_solution("ex-4b"), None),
    # Justes, écrites autrement.
    Attempt(
        "ex-4b",
        "vitesses mises à jour sur place, .grad remis à None",
        mutate(
            MOMENTUM,
            (VELOCITIES, "            v_w.mul_(mu).add_(w.grad)\n            v_b.mul_(mu).add_(b.grad)\n"),
            (RESET, "        w.grad = None\n        b.grad = None\n"),
        ),
        None,
    ),
    Attempt(
        "ex-4b",
        "une liste de vitesses, une boucle sur les paramètres",
        """
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    params = [torch.zeros(X_train.shape[1], requires_grad=True),
              torch.zeros((), requires_grad=True)]
    velocities = [torch.zeros_like(p) for p in params]
    for _ in range(num_epochs):
        loss = torch.nn.functional.mse_loss(X_train @ params[0] + params[1], y_train)
        loss.backward()
        with torch.no_grad():
            for p, v in zip(params, velocities):
                v.mul_(mu).add_(p.grad)
                p.sub_(lr * v)
                p.grad.zero_()
    return params[0], params[1]
""",
        None,
    ),
    Attempt(
        "ex-4b",
        "nn.Parameter et MSELoss",
        mutate(
            MOMENTUM,
            (W_ZERO, "nn.Parameter(torch.zeros(X_train.shape[1]))"),
            ("torch.zeros((), device=X_train.device, requires_grad=True)", "nn.Parameter(torch.zeros(()))"),
            ("((X_train @ w + b - y_train) ** 2).mean()", "nn.MSELoss()(X_train @ w + b, y_train)"),
        ),
        None,
    ),
    Attempt(
        "ex-4b",
        "les vitesses dans un dict",
        """
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    w = torch.zeros(X_train.shape[1], requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    v = {"w": torch.zeros_like(w), "b": torch.zeros_like(b)}
    for _ in range(num_epochs):
        w.grad = b.grad = None
        ((X_train @ w + b - y_train) ** 2).mean().backward()
        with torch.no_grad():
            v["w"] = mu * v["w"] + w.grad
            v["b"] = mu * v["b"] + b.grad
            w.add_(v["w"], alpha=-lr)
            b.add_(v["b"], alpha=-lr)
    return w, b
""",
        None,
    ),
    # Fausses.
    Attempt(
        "ex-4b",
        "la vitesse oubliée : SGD sans moment",
        mutate(MOMENTUM, ("mu * v_w + w.grad", "w.grad"), ("mu * v_b + b.grad", "b.grad")),
        r"descente sans moment",
    ),
    Attempt(
        "ex-4b",
        "une vitesse moyenne, μ·v + (1 − μ)·g",
        mutate(
            MOMENTUM,
            ("mu * v_w + w.grad", "mu * v_w + (1 - mu) * w.grad"),
            ("mu * v_b + b.grad", "mu * v_b + (1 - mu) * b.grad"),
        ),
        r"la vitesse est une moyenne",
    ),
    Attempt(
        "ex-4b",
        "torch.optim.SGD(momentum=mu) au lieu de la règle",
        """
def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    w = torch.nn.Parameter(torch.zeros(X_train.shape[1]))
    b = torch.nn.Parameter(torch.zeros(()))
    optimizer = torch.optim.SGD([w, b], lr=lr, momentum=mu)
    for _ in range(num_epochs):
        optimizer.zero_grad()
        ((X_train @ w + b - y_train) ** 2).mean().backward()
        optimizer.step()
    return w, b
""",
        r"crée un optimiseur de torch.optim",
    ),
    Attempt(
        "ex-4b",
        "gradients jamais remis à zéro",
        mutate(MOMENTUM, (RESET, "")),
        r"contenaient déjà ceux du pas précédent",
    ),
    Attempt(
        "ex-4b",
        "le pas suit le gradient, pas la vitesse",
        mutate(MOMENTUM, ("w -= lr * v_w", "w -= lr * w.grad"), ("b -= lr * v_b", "b -= lr * b.grad")),
        r"les pas sont ceux d.une descente sans moment",
    ),
    Attempt(
        "ex-4b",
        "le biais sans vitesse",
        mutate(MOMENTUM, ("b -= lr * v_b", "b -= lr * b.grad")),
        r"au début du pas 3, les paramètres diffèrent",
    ),
    Attempt(
        "ex-4b",
        "le pas avant la vitesse",
        mutate(MOMENTUM, (VELOCITIES + STEPS, STEPS + VELOCITIES)),
        r"au début du pas 2, les paramètres diffèrent",
    ),
    Attempt(
        "ex-4b",
        "le moment écrit en dur (0,9)",
        mutate(MOMENTUM, ("mu * v_w", "0.9 * v_w"), ("mu * v_b", "0.9 * v_b")),
        r"la vitesse garde μ = 0,9 au lieu du mu reçu \(0,8\)",
    ),
    Attempt(
        "ex-4b",
        "le taux écrit en dur (0,01)",
        mutate(MOMENTUM, ("lr * v_w", "0.01 * v_w"), ("lr * v_b", "0.01 * v_b")),
        r"bougent de 0,01 × ∇ℓ au lieu de η = 0,04",
    ),
    Attempt(
        "ex-4b",
        "le gradient par torch.autograd.grad",
        mutate(
            MOMENTUM,
            ("        loss.backward()\n", "        g_w, g_b = torch.autograd.grad(loss, [w, b])\n"),
            ("+ w.grad", "+ g_w"),
            ("+ b.grad", "+ g_b"),
            (RESET, ""),
        ),
        r"calcule le gradient avec autograd.grad : ce que l'exercice fait écrire à la main",
    ),
    Attempt(
        "ex-4b",
        "le gradient par torch.func.grad",
        """
from torch.func import grad

def momentum_descent(X_train, y_train, lr, mu, num_epochs):
    w, b = torch.zeros(X_train.shape[1]), torch.zeros(())
    v_w, v_b = torch.zeros_like(w), torch.zeros_like(b)
    loss = lambda w, b: ((X_train @ w + b - y_train) ** 2).mean()
    for _ in range(num_epochs):
        g_w, g_b = grad(loss, argnums=(0, 1))(w, b)
        v_w, v_b = mu * v_w + g_w, mu * v_b + g_b
        w, b = w - lr * v_w, b - lr * v_b
    return w, b
""",
        r"calcule le gradient avec func.grad",
    ),
    Attempt(
        "ex-4b",
        "w tiré au hasard",
        mutate(MOMENTUM, ("w = " + W_ZERO, "w = torch.randn(X_train.shape[1], requires_grad=True)")),
        r"w et b doivent partir de zéro",
    ),
    Attempt(
        "ex-4b",
        "la mise à jour hors de torch.no_grad()",
        mutate(
            MOMENTUM,
            (
                "        with torch.no_grad():\n" + VELOCITIES + STEPS,
                "        if True:\n" + VELOCITIES + STEPS,
            ),
        ),
        r"la mise à jour sur place d.un paramètre est faite hors de `torch.no_grad\(\)`",
    ),
    Attempt(
        "ex-4b",
        "w = w − lr·v, hors de no_grad",
        mutate(
            MOMENTUM,
            (
                "        with torch.no_grad():\n" + VELOCITIES + STEPS + RESET,
                "        v_w = mu * v_w + w.grad\n        v_b = mu * v_b + b.grad\n"
                "        w = w - lr * v_w\n        b = b - lr * v_b\n",
            ),
        ),
        r"un `.grad` vaut None",
    ),
    Attempt(
        "ex-4b",
        "w = w − lr·v sous no_grad",
        mutate(MOMENTUM, ("w -= lr * v_w", "w = w - lr * v_w"), ("b -= lr * v_b", "b = b - lr * v_b")),
        r"un `.grad` vaut None",
    ),
    Attempt(
        "ex-4b",
        "le coût calculé sous torch.no_grad()",
        mutate(
            MOMENTUM,
            (
                "        loss = ((X_train @ w + b - y_train) ** 2).mean()\n",
                "        with torch.no_grad():\n"
                "            loss = ((X_train @ w + b - y_train) ** 2).mean()\n",
            ),
        ),
        r"le coût ne dépend d'aucun tenseur qui demande un gradient",
    ),
    Attempt(
        "ex-4b",
        "le coût calculé une fois, avant la boucle",
        mutate(
            MOMENTUM,
            ("        loss = ((X_train @ w + b - y_train) ** 2).mean()\n", ""),
            ("    for _ in", "    loss = ((X_train @ w + b - y_train) ** 2).mean()\n    for _ in"),
        ),
        r"backward\(\) est appelé deux fois sur le même graphe",
    ),
    Attempt(
        "ex-4b",
        "le nombre d'époques écrit en dur (100)",
        mutate(MOMENTUM, ("range(num_epochs)", "range(100)")),
        r"fait 100 pas \(appels à backward\(\)\) pour 6 époques",
    ),
    Attempt(
        "ex-4b",
        "le coût sur les 256 premiers exemples",
        mutate(
            MOMENTUM,
            (
                "((X_train @ w + b - y_train) ** 2).mean()",
                "((X_train[:256] @ w + b - y_train[:256]) ** 2).mean()",
            ),
        ),
        r"sur Boston Housing \(η = 0,02, μ = 0,7, 40 époques\)",
    ),
    Attempt(
        "ex-4b",
        "w de forme (13, 1)",
        mutate(
            MOMENTUM,
            ("X_train.shape[1], device", "X_train.shape[1], 1, device"),
            ("X_train @ w", "(X_train @ w).squeeze(1)"),
        ),
        r"w a la forme \(13, 1\)",
    ),
    Attempt(
        "ex-4b",
        "les vitesses rendues avec les paramètres",
        mutate(MOMENTUM, ("return w, b", "return w, b, v_w, v_b")),
        r"doit rendre le couple \(w, b\) ; elle rend un tuple",
    ),
    Attempt(
        "ex-4b",
        "sans mu dans la signature",
        mutate(MOMENTUM, ("lr, mu, num_epochs):", "lr, num_epochs):\n    mu = 0.9")),
        r"devrait prendre 5 paramètres",
    ),
]

# --- Le couple rendu : l'ordre et la nature de (w, b) (essai du kit à l'aveugle) ----------

ATTEMPTS += [
    Attempt(
        "ex-4a",
        "(b, w) rendu au lieu de (w, b)",
        mutate(SGD, ("    return w, b", "    return b, w")),
        r"la fonction rend \(b, w\) : l'ordre demandé est \(w, b\)",
    ),
    Attempt(
        "ex-4a",
        "b rendu par .item()",
        mutate(SGD, ("    return w, b", "    return w, b.item()")),
        r"b est un float : rendez le tenseur lui-même, sans \.item\(\)",
    ),
    Attempt(
        "ex-4b",
        "(b, w) rendu au lieu de (w, b)",
        mutate(MOMENTUM, ("    return w, b", "    return b, w")),
        r"la fonction rend \(b, w\) : l'ordre demandé est \(w, b\)",
    ),
    Attempt(
        "ex-4a",
        "une faute de frappe : (w, w) rendu",
        mutate(SGD, ("    return w, b", "    return w, w")),
        r"b, le biais, doit avoir un seul élément \(forme \(\) ou \(1,\)\) ; reçu la forme \(13,\)",
    ),
]

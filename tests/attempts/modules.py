"""Les tentatives du chapitre 5 : la question 2 et sa suite."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate, without_comments

CHAPTER = "05_modules"

#: Les noms que le notebook a définis avant les exercices (imports, données).
CONTEXT = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from tp2_src.data import boston_split
device = torch.device("cpu")
split = boston_split(device=device, val_size=0.2)
X_train, y_train, X_test, y_test = split.tensors()
"""

ATTEMPTS: list[Attempt] = []

# --- Question 2 : TwoLayerNet et train_net ------------------------------------------------

BOTH = without_comments(book_solution("q2"))
NET = BOTH[: BOTH.index("def train_net(")]
TRAIN = BOTH[BOTH.index("def train_net(") :]
LINEAR1 = "        self.linear1 = nn.Linear(dim_in, hidden)\n"
LINEAR2 = "        self.linear2 = nn.Linear(hidden, 1)\n"
ADAM = "optimizer = torch.optim.Adam(net.parameters(), lr=lr)"
FORWARD = "return self.linear2(self.activation(self.linear1(X)))"
#: TwoLayerNet dont le forward rend (n,), et train_net qui compare cette sortie à y.
FLAT_NET = mutate(NET, (FORWARD, FORWARD + ".squeeze(-1)")) + mutate(
    TRAIN, ("net(X_batch).squeeze(1)", "net(X_batch)")
)

ATTEMPTS += [
    Attempt("q2", "la solution du livre", book_solution("q2"), None),
    # Justes, écrites autrement.
    Attempt(
        "q2",
        "couches nommées fc1, fc2, torch.tanh, cible en (n, 1)",
        """
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim_in, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, X):
        return self.fc2(torch.tanh(self.fc1(X)))
"""
        + mutate(
            TRAIN,
            ("loss_fn(net(X_batch).squeeze(1), y_batch)", "loss_fn(net(X_batch), y_batch.unsqueeze(1))"),
        ),
        None,
    ),
    Attempt(
        "q2",
        "un forward qui rend (n,)",
        FLAT_NET,
        None,
    ),
    Attempt(
        "q2",
        "linear2 déclarée avant linear1",
        mutate(
            NET,
            (
                LINEAR1 + "        self.activation = nn.Tanh()\n" + LINEAR2,
                LINEAR2 + LINEAR1 + "        self.activation = nn.Tanh()\n",
            ),
        )
        + TRAIN,
        None,
    ),
    Attempt(
        "q2",
        "un nn.Sequential dans la classe",
        """
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1))

    def forward(self, X):
        return self.layers(X)
"""
        + TRAIN,
        None,
    ),
    Attempt(
        "q2",
        "nn.ModuleList, F.mse_loss, reshape(-1)",
        """
import torch.nn.functional as F

class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(dim_in, hidden), nn.Linear(hidden, 1)])

    def forward(self, X):
        return self.layers[1](torch.tanh(self.layers[0](X)))
"""
        + mutate(
            TRAIN,
            ("loss_fn(net(X_batch).squeeze(1), y_batch)", "F.mse_loss(net(X_batch).reshape(-1), y_batch)"),
        ),
        None,
    ),
    Attempt(
        "q2",
        "shuffle=True sans générateur, zero_grad(set_to_none=True)",
        NET
        + mutate(
            TRAIN,
            ("        shuffle=True,\n        generator=g,\n", "        shuffle=True,\n"),
            ("optimizer.zero_grad()", "optimizer.zero_grad(set_to_none=True)"),
        ),
        None,
    ),
    Attempt(
        "q2",
        "nn.ModuleDict et forward() appelé directement",
        """
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = nn.ModuleDict({"hidden": nn.Linear(dim_in, hidden), "act": nn.Tanh(),
                                     "out": nn.Linear(hidden, 1)})

    def forward(self, X):
        return self.layers["out"](self.layers["act"](self.layers["hidden"](X)))
"""
        + mutate(TRAIN, ("net(X_batch).squeeze(1)", "net.forward(X_batch).squeeze(1)")),
        None,
    ),
    # Fausses.
    Attempt(
        "q2",
        "les couches dans une liste Python",
        """
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = [nn.Linear(dim_in, hidden), nn.Linear(hidden, 1)]

    def forward(self, X):
        return self.layers[1](torch.tanh(self.layers[0](X)))
"""
        + TRAIN,
        r"range des couches dans une liste Python",
    ),
    Attempt(
        "q2",
        "les couches dans un dict Python",
        """
class TwoLayerNet(nn.Module):
    def __init__(self, dim_in, hidden):
        super().__init__()
        self.layers = {"hidden": nn.Linear(dim_in, hidden), "out": nn.Linear(hidden, 1)}

    def forward(self, X):
        return self.layers["out"](torch.tanh(self.layers["hidden"](X)))
"""
        + TRAIN,
        r"range des couches dans un dictionnaire Python",
    ),
    Attempt(
        "q2",
        "pas de tanh",
        mutate(NET, (FORWARD, "return self.linear2(self.linear1(X))")) + TRAIN,
        r"sans tanh entre elles",
    ),
    Attempt(
        "q2",
        "ReLU au lieu de tanh",
        mutate(NET, ("nn.Tanh()", "nn.ReLU()")) + TRAIN,
        r"ne calcule pas linéaire → tanh → linéaire",
    ),
    Attempt(
        "q2",
        "nn.Tanh sans parenthèses",
        mutate(NET, ("nn.Tanh()", "nn.Tanh")) + TRAIN,
        r"nn.Tanh est employé sans parenthèses",
    ),
    Attempt(
        "q2",
        "la taille cachée écrite en dur (32)",
        mutate(
            NET,
            ("nn.Linear(dim_in, hidden)", "nn.Linear(dim_in, 32)"),
            ("nn.Linear(hidden, 1)", "nn.Linear(32, 1)"),
        )
        + TRAIN,
        r"sont 13 → 32 et 32 → 1 : il faut 13 → 8",
    ),
    Attempt(
        "q2",
        "trois couches linéaires",
        mutate(
            NET,
            (LINEAR2, LINEAR2 + "        self.linear3 = nn.Linear(1, 1)\n"),
            (FORWARD, "return self.linear3(self.linear2(self.activation(self.linear1(X))))"),
        )
        + TRAIN,
        r"a 3 couche\(s\) nn.Linear",
    ),
    Attempt(
        "q2",
        "un paramètre de plus, hors des couches",
        mutate(
            NET,
            (LINEAR2, LINEAR2 + "        self.scale = nn.Parameter(torch.ones(1))\n"),
            (FORWARD, "return self.scale * self.linear2(self.activation(self.linear1(X)))"),
        )
        + TRAIN,
        r"a 122 paramètres ; ses deux couches linéaires en ont 121",
    ),
    Attempt(
        "q2",
        "un forward qui rend un couple",
        mutate(NET, (FORWARD, "h = self.activation(self.linear1(X))\n        return self.linear2(h), h"))
        + TRAIN,
        r"pour 6 exemples, TwoLayerNet\(13, 8\) rend tuple",
    ),
    Attempt(
        "q2",
        "les couches appliquées dans le désordre",
        mutate(NET, (FORWARD, "return self.linear1(self.activation(self.linear2(X)))")) + TRAIN,
        r"des formes incompatibles",
    ),
    Attempt(
        "q2",
        "une fonction au lieu d'une classe",
        """
def TwoLayerNet(dim_in, hidden):
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1))
"""
        + TRAIN,
        r"TwoLayerNet devrait être une classe qui hérite de nn.Module",
    ),
    Attempt(
        "q2",
        "Adam recréé à chaque pas",
        NET
        + mutate(
            TRAIN,
            ("    " + ADAM + "\n", ""),
            (
                "            optimizer.zero_grad()",
                "            " + ADAM + "\n            optimizer.zero_grad()",
            ),
        ),
        r"crée 8 optimiseurs",
    ),
    Attempt(
        "q2",
        "le taux écrit en dur (0,01)",
        NET + mutate(TRAIN, ("lr=lr", "lr=1e-2")),
        r"l'optimiseur a le taux 0,01 alors que train_net a reçu lr = 0,003",
    ),
    Attempt(
        "q2",
        "la taille des mini-batchs écrite en dur (32)",
        NET + mutate(TRAIN, ("batch_size=batch_size", "batch_size=32")),
        r"train_net fait 4 pas",
    ),
    Attempt(
        "q2",
        "sortie (n, 1) comparée à une cible (n,)",
        NET + mutate(TRAIN, ("net(X_batch).squeeze(1)", "net(X_batch)")),
        r"diffuse en une matrice \(n, n\)",
    ),
    Attempt(
        "q2",
        "zero_grad() oublié",
        NET + mutate(TRAIN, ("            optimizer.zero_grad()\n", "")),
        r"contenaient déjà ceux du pas précédent",
    ),
    Attempt(
        "q2",
        "l'optimiseur ne reçoit que la dernière couche",
        NET + mutate(TRAIN, ("Adam(net.parameters()", "Adam(net.linear2.parameters()")),
        r"ne reçoit pas tous les paramètres",
    ),
    Attempt(
        "q2",
        "parameters() épuisé avant l'optimiseur",
        NET
        + mutate(
            TRAIN,
            (
                "    " + ADAM,
                "    params = net.parameters()\n    size = sum(p.numel() for p in params)\n"
                "    optimizer = torch.optim.Adam(params, lr=lr)",
            ),
        ),
        r"l'optimiseur ne reçoit aucun paramètre",
    ),
    Attempt(
        "q2",
        "la couche cachée détachée du graphe",
        mutate(NET, (FORWARD, "return self.linear2(self.activation(self.linear1(X)).detach())")) + TRAIN,
        r"le coût ne dépend pas de tous les paramètres de TwoLayerNet",
    ),
    Attempt(
        "q2",
        "step() oublié",
        NET + mutate(TRAIN, ("            optimizer.step()\n", "")),
        r"un paramètre du réseau n'a pas bougé",
    ),
    Attempt(
        "q2",
        "le coût de chaque époque au lieu de chaque pas",
        NET + mutate(TRAIN, ("            losses.append(loss.item())", "        losses.append(loss.item())")),
        r"doit rendre le coût de chaque pas",
    ),
    Attempt(
        "q2",
        "rien n'est rendu",
        NET + mutate(TRAIN, ("    return losses", "    print(losses[-1])")),
        r"doit rendre la liste des coûts ; elle rend un NoneType",
    ),
    Attempt(
        "q2",
        "train_net sans batch_size",
        NET + mutate(TRAIN, ("num_epochs, batch_size, lr):", "num_epochs, lr):\n    batch_size = 32")),
        r"devrait prendre 6 paramètres",
    ),
    Attempt(
        "q2",
        "SGD de taux η, sans moment",
        NET + mutate(TRAIN, ("torch.optim.Adam", "torch.optim.SGD")),
        r"sur un problème non linéaire, le réseau entraîné",
    ),
]

# --- Question 2 (suite) : make_sequential -------------------------------------------------

SEQ = without_comments(book_solution("q2-sequential"))
LAYERS = "nn.Sequential(\n        nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1)\n    )"

ATTEMPTS += [
    Attempt("q2-sequential", "la solution du livre", book_solution("q2-sequential"), None),
    # Justes, écrites autrement.
    Attempt(
        "q2-sequential",
        "un OrderedDict de modules nommés",
        """
from collections import OrderedDict

def make_sequential(dim_in, hidden):
    return nn.Sequential(OrderedDict(cachee=nn.Linear(dim_in, hidden), tanh=nn.Tanh(),
                                     sortie=nn.Linear(hidden, 1)))
""",
        None,
    ),
    Attempt(
        "q2-sequential",
        "les couches créées dans l'ordre inverse",
        """
def make_sequential(dim_in, hidden):
    out = nn.Linear(hidden, 1)
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(), out)
""",
        None,
    ),
    Attempt(
        "q2-sequential",
        "une liste dépaquetée, nn.Sequential(*layers)",
        """
def make_sequential(dim_in, hidden):
    layers = [nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1)]
    return nn.Sequential(*layers)
""",
        None,
    ),
    Attempt(
        "q2-sequential",
        "append et add_module",
        """
def make_sequential(dim_in, hidden):
    seq = nn.Sequential()
    seq.add_module("cachee", nn.Linear(dim_in, hidden))
    seq.append(nn.Tanh())
    seq.append(nn.Linear(hidden, 1))
    return seq
""",
        None,
    ),
    Attempt(
        "q2-sequential",
        "les noms importés de torch.nn",
        """
from torch.nn import Linear, Sequential, Tanh

def make_sequential(dim_in, hidden):
    return Sequential(Linear(dim_in, hidden), Tanh(), Linear(hidden, 1))
""",
        None,
    ),
    Attempt(
        "q2-sequential",
        "sortie (n,) comme TwoLayerNet, avec nn.Flatten(0)",
        FLAT_NET
        + """

def make_sequential(dim_in, hidden):
    return nn.Sequential(nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1), nn.Flatten(0))
""",
        None,
    ),
    # Fausses.
    Attempt(
        "q2-sequential",
        "une liste passée à nn.Sequential",
        mutate(SEQ, (LAYERS, "nn.Sequential([nn.Linear(dim_in, hidden), nn.Tanh(), nn.Linear(hidden, 1)])")),
        r"prend ses modules un par un",
    ),
    Attempt(
        "q2-sequential",
        "pas de Tanh",
        mutate(SEQ, ("nn.Tanh(), ", "")),
        r"sans tanh entre elles",
    ),
    Attempt(
        "q2-sequential",
        "nn.Tanh sans parenthèses",
        mutate(SEQ, ("nn.Tanh()", "nn.Tanh")),
        r"nn.Tanh est employé sans parenthèses",
    ),
    Attempt(
        "q2-sequential",
        "le coût dans le Sequential",
        mutate(SEQ, ("nn.Linear(hidden, 1)\n", "nn.Linear(hidden, 1), nn.MSELoss()\n")),
        r"le Sequential contient le coût nn.MSELoss",
    ),
    Attempt(
        "q2-sequential",
        "ReLU au lieu de Tanh",
        mutate(SEQ, ("nn.Tanh()", "nn.ReLU()")),
        r"ne calcule pas linéaire → tanh → linéaire",
    ),
    Attempt(
        "q2-sequential",
        "une tanh de trop en sortie",
        mutate(SEQ, ("nn.Linear(hidden, 1)\n", "nn.Linear(hidden, 1), nn.Tanh()\n")),
        r"sa sortie diffère",
    ),
    Attempt(
        "q2-sequential",
        "la taille cachée écrite en dur (32)",
        mutate(
            SEQ,
            ("nn.Linear(dim_in, hidden)", "nn.Linear(dim_in, 32)"),
            ("nn.Linear(hidden, 1)", "nn.Linear(32, 1)"),
        ),
        r"make_sequential\(13, 8\) sont 13 → 32",
    ),
    Attempt(
        "q2-sequential",
        "TwoLayerNet rendu au lieu d'un Sequential",
        """
def make_sequential(dim_in, hidden):
    return TwoLayerNet(dim_in, hidden)
""",
        r"make_sequential doit rendre un nn.Sequential ; elle rend un TwoLayerNet",
    ),
    Attempt(
        "q2-sequential",
        "la dernière couche sans biais",
        mutate(SEQ, ("nn.Linear(hidden, 1)\n", "nn.Linear(hidden, 1, bias=False)\n")),
        r"formes des paramètres : \[\(1, 8\), \(8,\), \(8, 13\)\] pour le Sequential",
    ),
    Attempt(
        "q2-sequential",
        "sortie (n, 1) quand TwoLayerNet rend (n,)",
        FLAT_NET + "\n\n" + SEQ,
        r"le Sequential rend \(6, 1\) et TwoLayerNet \(6,\)",
    ),
    Attempt(
        "q2-sequential",
        "sans TwoLayerNet ni train_net (question 2 sautée)",
        "del TwoLayerNet, train_net\n\n" + SEQ,
        r"la comparaison demandée .* n'a pas pu être faite",
    ),
    Attempt(
        "q2-sequential",
        "le Sequential écrit sans fonction",
        "make_sequential = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 1))\n",
        r"make_sequential est un réseau déjà construit, pas une fonction",
    ),
    Attempt(
        "q2-sequential",
        "la fonction nommée autrement",
        mutate(SEQ, ("def make_sequential(", "def make_seq(")),
        r"`make_sequential` n'est pas défini",
    ),
    Attempt(
        "q2-sequential",
        "sans hidden dans la signature",
        mutate(SEQ, ("(dim_in, hidden):", "(dim_in):"), ("hidden", "32")),
        r"devrait prendre 2 paramètres",
    ),
]

# --- Le coût de chaque pas (essai du kit à l'aveugle) --------------------------------------

ATTEMPTS += [
    Attempt(
        "q2",
        "le coût de tout le jeu à chaque pas",
        mutate(BOTH, ("loss_fn(net(X_batch).squeeze(1), y_batch)", "loss_fn(net(X).squeeze(1), y)")),
        r"le réseau reçoit 40 exemples, plus que batch_size = 10 : le coût du pas se calcule sur le mini-batch",
    ),
    Attempt(
        "q2",
        "la somme des carrés au lieu de la MSE",
        mutate(BOTH, ("loss_fn = nn.MSELoss()", 'loss_fn = nn.MSELoss(reduction="sum")')),
        r"au pas 1, le coût vaut la somme des carrés des erreurs du mini-batch, 10 fois leur moyenne",
    ),
    Attempt(
        "q2",
        "la MSE écrite à la main, sur (n, 1)",
        mutate(
            BOTH,
            (
                "loss_fn(net(X_batch).squeeze(1), y_batch)",
                "((net(X_batch) - y_batch.unsqueeze(1)) ** 2).mean()",
            ),
        ),
        None,
    ),
]

"""Les tentatives du chapitre 5 : la question 2 et sa suite."""

from __future__ import annotations

from attempts.corpus import Attempt, book_solution, mutate

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
    Attempt("q2", "la solution du livre", book_solution("q2"), None),
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
    Attempt("q2-sequential", "la solution du livre", book_solution("q2-sequential"), None),
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


"""Les vérifications du chapitre 5 : la question 2 et sa suite."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from tp2_src.checks.common import floats, isolated, tiny_data
from tp2_src.checks.grading import call, fail, lookup, passed, recording, student_function
from tp2_src.checks.registry import exercise
from tp2_src.data import Split
from tp2_src.french import french_number
from tp2_src.linreg import least_squares, linear_mse

#: Les attributs que nn.Module gère lui-même (``_modules``, ``_parameters``…).
_MODULE_INTERNALS = frozenset(vars(nn.Module()))


def _module(question: str, name: str, value: Any) -> nn.Module:
    """Un ``nn.Module`` dont aucune couche n'est cachée dans une liste ou un dict Python."""
    if not isinstance(value, nn.Module):
        fail(question, f"{name} devrait rendre un nn.Module ; il rend un {type(value).__name__}.")
    for module in value.modules():
        for attribute, content in vars(module).items():
            if attribute in _MODULE_INTERNALS:
                continue
            items = content.values() if isinstance(content, dict) else content
            if isinstance(content, list | tuple | dict) and any(isinstance(v, nn.Module) for v in items):
                fail(question, f"l'attribut `{attribute}` range des couches dans une "
                               f"{'liste' if isinstance(content, list) else type(content).__name__} "
                               "Python : nn.Module ne regarde pas dedans, et ni parameters() ni "
                               "l'optimiseur ne voient leurs poids. Utilisez nn.ModuleList (ou "
                               "nn.ModuleDict, nn.Sequential), ou des attributs.")
    return value


def _two_layers(question: str, name: str, net: nn.Module, d: int, hidden: int) -> tuple[nn.Linear, nn.Linear]:
    """Les deux ``nn.Linear`` de ``net`` (d → hidden → 1), avec une tanh entre elles."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        fail(question, f"{name} a {len(linears)} couche(s) nn.Linear ; il en faut deux ({d} → {hidden}, "
                       f"puis {hidden} → 1).")
    first, last = linears
    if (first.in_features, first.out_features, last.in_features, last.out_features) != (d, hidden, hidden, 1):
        fail(question, f"les couches vont de {first.in_features} à {first.out_features}, puis de "
                       f"{last.in_features} à {last.out_features} : il faut {d} → {hidden}, puis "
                       f"{hidden} → 1.")
    size = sum(p.numel() for p in net.parameters())
    expected = sum(p.numel() for layer in linears for p in layer.parameters())
    if size != expected:
        fail(question, f"{name} a {size} paramètres ; ses deux couches linéaires en ont {expected}.")
    X = torch.randn(6, d, generator=torch.Generator().manual_seed(1)) * 3
    with torch.no_grad():
        out = call(question, f"le forward de {name}", net, X)
        if not isinstance(out, torch.Tensor) or tuple(out.shape) not in {(6, 1), (6,)}:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            fail(question, f"pour 6 exemples, {name} rend {shape} au lieu de (6, 1) (ou (6,)).")
        reference = last(torch.tanh(first(X))).reshape(out.shape)
        if not torch.allclose(out, reference, rtol=1e-5, atol=1e-6):
            affine = last(first(X)).reshape(out.shape)
            if torch.allclose(out, affine, rtol=1e-5, atol=1e-6):
                fail(question, f"{name} enchaîne les deux couches linéaires sans tanh entre elles : le "
                               "réseau reste affine, et la couche cachée n'apporte rien. Ajoutez "
                               "nn.Tanh() (ou torch.tanh) entre les deux.")
            fail(question, f"{name} ne calcule pas linéaire → tanh → linéaire : sa sortie diffère de "
                           "couche2(tanh(couche1(X))).")
    return first, last


def _nonlinear_problem(n: int = 240, d: int = 13) -> Split:
    """Un problème où aucune régression linéaire ne convient : y = Σ sin(2 xⱼ) sur 3 variables."""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(n, d, generator=g)
    y = torch.sin(2 * X[:, :3]).sum(1)
    return Split(X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4:], y[n * 3 // 4:])


TRAIN_PARAMETERS = ("net", "X", "y", "num_epochs", "batch_size", "lr")


def _audit_training(question: str, train_net: Callable, make: Callable[[], nn.Module], name: str,
                    namespace: Any = None) -> None:
    """``train_net`` sur un petit jeu : un optimiseur, un pas par mini-batch, gradients
    remis à zéro, tous les paramètres mis à jour, la liste des coûts de chaque pas."""
    data = tiny_data(n=40)
    net = make()
    start = [p.detach().clone() for p in net.parameters()]
    with recording(namespace) as rec:
        losses = call(question, "votre fonction train_net", isolated(train_net),
                      net, data.X_train, data.y_train, 2, 10, 1e-2)
    if len(rec.optimizers) != 1:
        fail(question, f"train_net crée {len(rec.optimizers)} optimiseurs pour 8 pas : créez-en un seul, "
                       "avant la boucle (Adam garde en mémoire ses moments d'un pas à l'autre).")
    if len(rec.backwards) != 8:
        fail(question, f"train_net fait {len(rec.backwards)} pas (appels à backward()) pour 2 époques de "
                       "40 exemples en mini-batchs de 10, au lieu de 8 : un pas par mini-batch.")
    params = {id(p) for p in net.parameters()}
    given = {id(p) for group in rec.optimizers[0].param_groups for p in group["params"]}
    if params - given:
        fail(question, "l'optimiseur ne reçoit pas tous les paramètres du réseau : passez-lui "
                       "net.parameters().")
    for k, record in enumerate(rec.backwards):
        if {id(t) for t in record.leaves} != params:
            fail(question, f"au pas {k + 1}, le coût ne dépend pas de tous les paramètres de {name}.")
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(question, f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                           "appelez optimizer.zero_grad() à chaque pas, avant backward().")
    values = floats(question, "train_net", losses)
    recorded = [r.loss for r in rec.backwards]
    if len(values) != len(recorded) or not all(math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
                                               for a, b in zip(values, recorded, strict=True)):
        fail(question, "train_net doit rendre le coût de chaque pas (loss.item()), dans l'ordre.")
    if any(torch.equal(before, p.detach()) for before, p in zip(start, net.parameters(), strict=True)):
        fail(question, "un paramètre du réseau n'a pas bougé pendant l'apprentissage : "
                       "optimizer.step() est-il appelé à chaque pas ?")


@exercise("q2", "Question 2", "un réseau à deux couches avec des modules")
def check_two_layer_net(question: str, namespace: Any) -> None:
    """Question 2 (chapitre 5) : ``TwoLayerNet(dim_in, hidden)`` (linéaire → tanh → linéaire)
    et ``train_net(net, X, y, num_epochs, batch_size, lr)``, qui l'entraîne avec un optimiseur.

    La classe : deux couches inscrites, une tanh entre elles, une sortie (n, 1) ou (n,).
    L'apprentissage, sur un petit jeu : un optimiseur créé une fois, un pas par
    mini-batch, ``zero_grad()`` à chaque pas, le coût de chaque pas. Sur un problème non linéaire, le
    réseau entraîné bat la régression linéaire.
    """
    cls = lookup(question, namespace, "TwoLayerNet")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        fail(question, "TwoLayerNet devrait être une classe qui hérite de nn.Module.")
    train_net = student_function(question, namespace, "train_net", TRAIN_PARAMETERS)

    def make(d: int = 13, hidden: int = 8) -> nn.Module:
        return _module(question, "TwoLayerNet", call(question, "TwoLayerNet(13, 8)", cls, d, hidden))

    _two_layers(question, "TwoLayerNet(13, 8)", make(), 13, 8)
    _audit_training(question, train_net, make, "TwoLayerNet", namespace)
    data = _nonlinear_problem()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = make(13, 16)
        call(question, "votre fonction train_net", train_net, net, data.X_train, data.y_train, 60, 16, 1e-2)
    with torch.no_grad():
        out = net(data.X_train).reshape(-1)
    mse = ((out - data.y_train) ** 2).mean().item()
    w_star, b_star = least_squares(data.X_train, data.y_train)
    linear = linear_mse(data.X_train, data.y_train, w_star, b_star)
    if not mse < 0.5 * linear:
        fail(question, f"sur un problème non linéaire, le réseau entraîné (60 époques, η = 0,01) atteint "
                       f"une MSE de {french_number(mse, '.3f')}, pas mieux que la moitié de celle de la "
                       f"régression linéaire ({french_number(linear, '.3f')}) : l'apprentissage "
                       "avance-t-il (zero_grad, backward, step à chaque mini-batch) ?")
    passed(question, f"linéaire → tanh → linéaire, tous les paramètres inscrits ; un optimiseur, un pas "
                     f"par mini-batch ; sur un problème non linéaire, MSE {french_number(mse, '.3f')} contre "
                     f"{french_number(linear, '.3f')} pour la régression linéaire.")


@exercise("q2-sequential", "Question 2 (suite)", "le même réseau dans un conteneur")
def check_sequential(question: str, namespace: Any) -> None:
    """Question 2, suite (chapitre 5) : ``make_sequential(dim_in, hidden)`` rend le même réseau
    dans un ``nn.Sequential`` : mêmes couches, dans le même ordre, donc, créé juste après la
    même graine, les mêmes paramètres que ``TwoLayerNet`` et le même apprentissage."""
    make = student_function(question, namespace, "make_sequential", ("dim_in", "hidden"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        seq = call(question, "votre fonction make_sequential", make, 13, 8)
    if not isinstance(seq, nn.Sequential):
        fail(question, f"make_sequential doit rendre un nn.Sequential ; elle rend un {type(seq).__name__}.")
    _two_layers(question, "le Sequential", _module(question, "make_sequential", seq), 13, 8)
    cls = namespace.get("TwoLayerNet") if isinstance(namespace, dict) else None
    train_net = namespace.get("train_net") if isinstance(namespace, dict) else None
    if isinstance(cls, type) and issubclass(cls, nn.Module) and callable(train_net):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            net = call(question, "TwoLayerNet(13, 8)", cls, 13, 8)
        shapes_seq = [tuple(p.shape) for p in seq.parameters()]
        shapes_net = [tuple(p.shape) for p in net.parameters()]
        if shapes_seq != shapes_net:
            fail(question, f"formes des paramètres : {shapes_seq} pour le Sequential, {shapes_net} pour "
                           "TwoLayerNet : rangez les couches dans le même ordre.")
        if not all(torch.equal(a, b) for a, b in zip(seq.parameters(), net.parameters(), strict=True)):
            fail(question, "créés juste après torch.manual_seed(0), le Sequential et TwoLayerNet n'ont "
                           "pas les mêmes valeurs initiales : les couches sont-elles créées dans le même "
                           "ordre (linéaire, tanh, linéaire) ?")
        data = tiny_data(n=40)
        losses = [floats(question, "train_net", call(question, "train_net", isolated(train_net), model,
                                                      data.X_train, data.y_train, 1, 10, 1e-2))
                  for model in (seq, net)]
        if losses[0] != losses[1]:
            fail(question, "le Sequential et TwoLayerNet, partis des mêmes valeurs, n'apprennent pas de la "
                           "même façon avec train_net : leurs coûts diffèrent.")
    passed(question, "un nn.Sequential linéaire → tanh → linéaire, avec les paramètres et "
                     "l'apprentissage de TwoLayerNet.")

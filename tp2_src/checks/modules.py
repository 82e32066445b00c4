"""Les vérifications du chapitre 5 : la question 2 et sa suite."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from tp2_src.checks.common import floats, isolated, tiny_data
from tp2_src.checks.grading import (
    CheckError,
    call,
    fail,
    lookup,
    passed,
    recording,
    shape_of,
    student_function,
)
from tp2_src.checks.registry import exercise
from tp2_src.data import Split
from tp2_src.french import french_number
from tp2_src.linreg import least_squares, linear_mse

#: Les attributs que nn.Module gère lui-même (``_modules``, ``_parameters``…).
_MODULE_INTERNALS = frozenset(vars(nn.Module()))


def _module(question: str, name: str, value: Any) -> nn.Module:
    """Un ``nn.Module`` dont aucune couche n'est cachée dans une liste ou un dict Python."""
    for module in value.modules():
        for attribute, content in vars(module).items():
            if attribute in _MODULE_INTERNALS:
                continue
            items = (
                content.values() if isinstance(content, dict) else content
            )
            if isinstance(content, list | tuple | dict) and any(
                isinstance(v, nn.Module) for v in items
            ):
                kind = {list: "une liste", tuple: "un tuple"}.get(
                    type(content), "un dictionnaire"
                )
                fail(
                    question,
                    f"l'attribut `{attribute}` range des couches dans {kind} "
                    "Python : nn.Module ne regarde pas dedans, et ni parameters() ni "
                    "l'optimiseur ne voient leurs poids. Utilisez nn.ModuleList (ou "
                    "nn.ModuleDict, nn.Sequential), ou des attributs.",
                )
    return value


def _module_class(text: str) -> str | None:
    """Le nom d'une classe de ``torch.nn`` passée sans parenthèses, lu dans l'erreur levée
    (« ….Tanh is not a Module subclass », « Tanh.__init__() takes 1 positional argument… »)."""
    found = re.search(
        r"([\w.]+) is not a Module subclass", text
    ) or re.search(r"(\w+)\.__init__\(\) takes", text)
    name = found.group(1).rsplit(".", 1)[-1] if found else ""
    cls = getattr(nn, name, None)
    return (
        name
        if isinstance(cls, type) and issubclass(cls, nn.Module)
        else None
    )


def _call(question: str, what: str, function: Callable, *args: Any) -> Any:
    """``call``, où une classe de ``torch.nn`` employée sans parenthèses est nommée."""
    try:
        return call(question, what, function, *args)
    except CheckError as err:
        name = _module_class(str(err))
        if name:
            fail(
                question,
                f"nn.{name} est employé sans parenthèses : c'est la classe, pas un module. "
                f"Créez le module, nn.{name}(), puis appliquez-le.",
            )
        raise


def _two_layers(
    question: str, name: str, net: nn.Module, d: int, hidden: int
) -> tuple[nn.Linear, nn.Linear]:
    """Les deux ``nn.Linear`` de ``net`` (d → hidden → 1) dans l'ordre où les données les
    traversent (relevé par des crochets ``register_forward_hook``, pas dans l'ordre de leur
    inscription), avec une tanh entre elles."""
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        fail(
            question,
            f"{name} a {len(linears)} couche(s) nn.Linear ; il en faut deux ({d} → {hidden}, "
            f"puis {hidden} → 1).",
        )
    sizes = sorted((m.in_features, m.out_features) for m in linears)
    if sizes != sorted([(d, hidden), (hidden, 1)]):
        shown = " et ".join(
            f"{a} → {b}"
            for a, b in ((m.in_features, m.out_features) for m in linears)
        )
        fail(
            question,
            f"les couches linéaires de {name} sont {shown} : il faut {d} → {hidden}, puis "
            f"{hidden} → 1 (les tailles dim_in et hidden reçues).",
        )
    size = sum(p.numel() for p in net.parameters())
    expected = sum(
        p.numel() for layer in linears for p in layer.parameters()
    )
    if size != expected:
        fail(
            question,
            f"{name} a {size} paramètres ; ses deux couches linéaires en ont {expected}.",
        )
    X = torch.randn(6, d, generator=torch.Generator().manual_seed(1)) * 3
    calls: list[nn.Module] = []
    handles = [
        m.register_forward_hook(
            lambda module, _inputs, _output: calls.append(module)
        )
        for m in linears
    ]
    try:
        with torch.no_grad():
            out = _call(question, f"le forward de {name}", net, X)
    finally:
        for handle in handles:
            handle.remove()
    if not isinstance(out, torch.Tensor) or tuple(out.shape) not in {
        (6, 1),
        (6,),
    }:
        shape = shape_of(out)
        fail(
            question,
            f"pour 6 exemples, {name} rend {shape} au lieu de (6, 1) (ou (6,)).",
        )
    first, last = (
        calls
        if len(calls) == 2 and set(map(id, calls)) == set(map(id, linears))
        else linears
    )
    with torch.no_grad():
        reference = last(torch.tanh(first(X))).reshape(out.shape)
        if not torch.allclose(out, reference, rtol=1e-5, atol=1e-6):
            affine = last(first(X)).reshape(out.shape)
            if torch.allclose(out, affine, rtol=1e-5, atol=1e-6):
                fail(
                    question,
                    f"{name} enchaîne les deux couches linéaires sans tanh entre elles : le "
                    "réseau reste affine, et la couche cachée n'apporte rien. Ajoutez "
                    "nn.Tanh() (ou torch.tanh) entre les deux.",
                )
            fail(
                question,
                f"{name} ne calcule pas linéaire → tanh → linéaire : sa sortie diffère de "
                "couche2(tanh(couche1(X))).",
            )
    return first, last


def _nonlinear_problem(n: int = 240, d: int = 13) -> Split:
    """Un problème où aucune régression linéaire ne convient : y = Σ sin(2 xⱼ) sur 3 variables."""
    g = torch.Generator().manual_seed(2)
    X = torch.randn(n, d, generator=g)
    y = torch.sin(2 * X[:, :3]).sum(1)
    return Split(
        X[: n * 3 // 4], y[: n * 3 // 4], X[n * 3 // 4 :], y[n * 3 // 4 :]
    )


TRAIN_PARAMETERS = ("net", "X", "y", "num_epochs", "batch_size", "lr")

#: L'apprentissage jugé pas à pas : 2 époques de 40 exemples en mini-batchs de 10, η = 0,003.
AUDIT = (2, 10, 3e-3)
#: L'apprentissage sur le problème non linéaire : époques, taille des mini-batchs, η.
NONLINEAR = (50, 20, 2e-2)


def _batch_losses(
    question: str,
    forwards: list[tuple[torch.Tensor, torch.Tensor]],
    backwards: list[Any],
    data: Split,
    batch_size: int,
) -> None:
    """Le coût de chaque pas est la MSE du réseau sur le mini-batch du pas : ni tout le
    jeu à chaque pas, ni la somme des carrés (``reduction="sum"``)."""
    too_big = [x.shape[0] for x, _ in forwards if x.shape[0] > batch_size]
    if too_big:
        fail(
            question,
            f"à chaque pas, le réseau reçoit {too_big[0]} exemples, plus que batch_size = "
            f"{batch_size} : le coût du pas se calcule sur le mini-batch que donne le "
            "DataLoader (net(X_batch)), pas sur tout le jeu.",
        )
    if len(forwards) != len(backwards):
        return  # un passage avant de plus ou de moins : les autres messages le disent
    rows = {tuple(row.tolist()): i for i, row in enumerate(data.X_train)}
    for k, ((x, out), record) in enumerate(
        zip(forwards, backwards, strict=True)
    ):
        index = [rows.get(tuple(row.tolist())) for row in x]
        if None in index:
            return  # exemples transformés dans la boucle : rien à comparer
        target = data.y_train[torch.tensor(index)]
        mse = ((out.reshape(-1) - target) ** 2).mean().item()
        if (
            math.isclose(record.loss, mse * len(index), rel_tol=1e-4)
            and len(index) > 1
        ):
            fail(
                question,
                f"au pas {k + 1}, le coût vaut la somme des carrés des erreurs du mini-batch, "
                f"{len(index)} fois leur moyenne : la question demande la MSE, "
                'nn.MSELoss() (reduction="mean", sa valeur par défaut).',
            )


def _audit_training(
    question: str,
    train_net: Callable,
    make: Callable[[], nn.Module],
    name: str,
    namespace: Any = None,
) -> None:
    """``train_net`` sur un petit jeu (``AUDIT``) : un optimiseur de taux lr, un pas par
    mini-batch, gradients remis à zéro, tous les paramètres mis à jour, la liste des coûts
    de chaque pas."""
    data = tiny_data(n=40)
    epochs, batch_size, lr = AUDIT
    steps = epochs * 40 // batch_size
    net = make()
    start = [p.detach().clone() for p in net.parameters()]
    # Chaque passage avant qui construit un graphe : ses exemples et sa sortie.
    forwards: list[tuple[torch.Tensor, torch.Tensor]] = []

    def seen(module: nn.Module, args: tuple, output: Any) -> None:
        if (
            torch.is_grad_enabled()
            and args
            and isinstance(output, torch.Tensor)
        ):
            forwards.append(
                (args[0].detach().clone(), output.detach().clone())
            )

    handle = net.register_forward_hook(seen)
    try:
        with recording(namespace) as rec:
            losses = call(
                question,
                "votre fonction train_net",
                isolated(train_net),
                net,
                data.X_train,
                data.y_train,
                epochs,
                batch_size,
                lr,
            )
    finally:
        handle.remove()
    if len(rec.optimizers) != 1:
        fail(
            question,
            f"train_net crée {len(rec.optimizers)} optimiseurs pour {steps} pas : créez-en un "
            "seul, avant la boucle (Adam garde en mémoire ses moments d'un pas à l'autre).",
        )
    rates = {group["lr"] for group in rec.optimizers[0].param_groups}
    if any(not math.isclose(rate, lr, rel_tol=1e-6) for rate in rates):
        fail(
            question,
            f"l'optimiseur a le taux {french_number(max(rates), 'g')} alors que train_net a reçu "
            f"lr = {french_number(lr, 'g')} : passez le taux reçu à l'optimiseur (lr=lr), plutôt "
            "qu'un taux écrit en dur.",
        )
    if len(rec.backwards) != steps:
        fail(
            question,
            f"train_net fait {len(rec.backwards)} pas (appels à backward()) pour {epochs} époques "
            f"de 40 exemples en mini-batchs de {batch_size}, au lieu de {steps} : un pas par "
            "mini-batch, de la taille batch_size reçue.",
        )
    params = {id(p) for p in net.parameters()}
    given = {
        id(p)
        for group in rec.optimizers[0].param_groups
        for p in group["params"]
    }
    if params - given:
        fail(
            question,
            "l'optimiseur ne reçoit pas tous les paramètres du réseau : passez-lui "
            "net.parameters().",
        )
    for k, record in enumerate(rec.backwards):
        if {id(t) for t in record.leaves} != params:
            fail(
                question,
                f"au pas {k + 1}, le coût ne dépend pas de tous les paramètres de {name}.",
            )
        if any(record.accumulated(i) for i in range(len(record.leaves))):
            fail(
                question,
                f"au pas {k + 1}, les gradients contenaient déjà ceux du pas précédent : "
                "appelez optimizer.zero_grad() à chaque pas, avant backward().",
            )
    _batch_losses(question, forwards, rec.backwards, data, batch_size)
    values = floats(question, "train_net", losses)
    recorded = [r.loss for r in rec.backwards]
    if len(values) != len(recorded) or not all(
        math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
        for a, b in zip(values, recorded, strict=True)
    ):
        fail(
            question,
            "train_net doit rendre le coût de chaque pas (loss.item()), dans l'ordre.",
        )
    if any(
        torch.equal(before, p.detach())
        for before, p in zip(start, net.parameters(), strict=True)
    ):
        fail(
            question,
            "un paramètre du réseau n'a pas bougé pendant l'apprentissage : "
            "optimizer.step() est-il appelé à chaque pas ?",
        )


@exercise("q2", "Question 2", "un réseau à deux couches avec des modules")
def check_two_layer_net(question: str, namespace: Any) -> None:
    """Question 2 (chapitre 5) : ``TwoLayerNet(dim_in, hidden)`` (linéaire → tanh → linéaire)
    et ``train_net(net, X, y, num_epochs, batch_size, lr)``, qui l'entraîne avec un optimiseur.

    La classe, jugée en ``TwoLayerNet(13, 8)`` : deux couches inscrites, traversées dans
    l'ordre 13 → 8 → 1 (quel que soit l'ordre de leur déclaration), une tanh entre elles,
    une sortie (n, 1) ou (n,). L'apprentissage, sur un petit jeu (2 époques, mini-batchs
    de 10, η = 0,003) : un optimiseur de taux lr créé une fois, un pas par mini-batch,
    ``zero_grad()`` à chaque pas, le coût de chaque pas. Sur un problème non linéaire (50
    époques, mini-batchs de 20, η = 0,02), le réseau entraîné bat la régression linéaire.
    Les réseaux sont créés sans toucher au générateur aléatoire du notebook.
    """
    cls = lookup(question, namespace, "TwoLayerNet")
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)):
        fail(
            question,
            "TwoLayerNet devrait être une classe qui hérite de nn.Module.",
        )
    train_net = student_function(
        question, namespace, "train_net", TRAIN_PARAMETERS
    )

    def make(d: int = 13, hidden: int = 8) -> nn.Module:
        with torch.random.fork_rng(devices=[]):
            built = _call(
                question, f"TwoLayerNet({d}, {hidden})", cls, d, hidden
            )
        return _module(question, "TwoLayerNet", built)

    _two_layers(question, "TwoLayerNet(13, 8)", make(), 13, 8)
    _audit_training(question, train_net, make, "TwoLayerNet", namespace)
    data = _nonlinear_problem()
    epochs, batch_size, lr = NONLINEAR
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = make(13, 16)
        call(
            question,
            "votre fonction train_net",
            train_net,
            net,
            data.X_train,
            data.y_train,
            epochs,
            batch_size,
            lr,
        )
    with torch.no_grad():
        out = net(data.X_train).reshape(-1)
    mse = ((out - data.y_train) ** 2).mean().item()
    w_star, b_star = least_squares(data.X_train, data.y_train)
    linear = linear_mse(data.X_train, data.y_train, w_star, b_star)
    if not mse < 0.5 * linear:
        fail(
            question,
            f"sur un problème non linéaire, le réseau entraîné ({epochs} époques, η = "
            f"{french_number(lr, 'g')}) atteint une MSE de {french_number(mse, '.3f')}, pas mieux "
            f"que la moitié de celle de la régression linéaire ({french_number(linear, '.3f')}) : "
            "l'apprentissage avance-t-il (zero_grad, backward, step à chaque mini-batch) ?",
        )
    passed(
        question,
        f"linéaire → tanh → linéaire, tous les paramètres inscrits ; un optimiseur, un pas "
        f"par mini-batch ; sur un problème non linéaire, MSE {french_number(mse, '.3f')} contre "
        f"{french_number(linear, '.3f')} pour la régression linéaire.",
    )


@exercise(
    "q2-sequential",
    "Question 2 (suite)",
    "le même réseau dans un conteneur",
)
def check_sequential(question: str, namespace: Any) -> None:
    """Question 2, suite (chapitre 5) : ``make_sequential(dim_in, hidden)`` rend le même réseau
    dans un ``nn.Sequential``, jugé en ``make_sequential(13, 8)``.

    « Le même réseau » : les mêmes couches, traversées dans le même ordre, avec les mêmes
    formes de paramètres que ``TwoLayerNet(13, 8)`` ; muni des valeurs de ``TwoLayerNet``
    (copiées couche par couche, dans l'ordre où les données les traversent), il rend des
    sorties de même forme et apprend de la même façon avec ``train_net`` (1 époque de 40
    exemples, mini-batchs de 10, η = 0,003). La comparaison ne dépend donc pas de l'ordre
    où les couches sont créées, que l'exercice n'impose pas. Sans ``TwoLayerNet`` ni
    ``train_net`` (question 2), la vérification dit qu'elle n'a pas pu comparer.
    """
    if isinstance(namespace, dict) and isinstance(
        namespace.get("make_sequential"), nn.Module
    ):
        fail(
            question,
            "make_sequential est un réseau déjà construit, pas une fonction : écrivez "
            "def make_sequential(dim_in, hidden), qui construit et rend le nn.Sequential.",
        )
    make = student_function(
        question, namespace, "make_sequential", ("dim_in", "hidden")
    )
    name = "make_sequential(13, 8)"
    with torch.random.fork_rng(devices=[]):
        seq = _call(
            question, "votre fonction make_sequential", make, 13, 8
        )
    if not isinstance(seq, nn.Sequential):
        fail(
            question,
            f"make_sequential doit rendre un nn.Sequential ; elle rend un {type(seq).__name__}.",
        )
    losses_in = [
        type(m).__name__
        for m in seq.modules()
        if isinstance(m, nn.modules.loss._Loss)
    ]
    if losses_in:
        fail(
            question,
            f"le Sequential contient le coût nn.{losses_in[0]} : le réseau s'arrête à la "
            "dernière couche linéaire ; le coût, qui compare sa sortie à la cible, se calcule "
            "à part (loss_fn dans train_net).",
        )
    first_s, last_s = _two_layers(
        question, name, _module(question, "make_sequential", seq), 13, 8
    )
    cls = (
        namespace.get("TwoLayerNet")
        if isinstance(namespace, dict)
        else None
    )
    train_net = (
        namespace.get("train_net") if isinstance(namespace, dict) else None
    )
    if not (
        isinstance(cls, type)
        and issubclass(cls, nn.Module)
        and callable(train_net)
    ):
        fail(
            question,
            "le Sequential est linéaire → tanh → linéaire, mais TwoLayerNet et train_net "
            "(question 2) ne sont pas définis : la comparaison demandée (mêmes paramètres, "
            "même apprentissage) n'a pas pu être faite. Exécutez la question 2, puis cette "
            "vérification.",
        )
    with torch.random.fork_rng(devices=[]):
        net = _module(
            question,
            "TwoLayerNet",
            _call(question, "TwoLayerNet(13, 8)", cls, 13, 8),
        )
    first_n, last_n = _two_layers(
        question, "TwoLayerNet(13, 8)", net, 13, 8
    )
    shapes_seq = sorted(tuple(p.shape) for p in seq.parameters())
    shapes_net = sorted(tuple(p.shape) for p in net.parameters())
    if shapes_seq != shapes_net:
        fail(
            question,
            f"formes des paramètres : {shapes_seq} pour le Sequential, {shapes_net} pour "
            "TwoLayerNet : il faut les mêmes couches, avec leurs biais.",
        )
    with torch.no_grad():
        for mine, theirs in ((first_s, first_n), (last_s, last_n)):
            mine.weight.copy_(theirs.weight)
            if mine.bias is not None and theirs.bias is not None:
                mine.bias.copy_(theirs.bias)
        X = torch.randn(6, 13, generator=torch.Generator().manual_seed(3))
        out_seq, out_net = seq(X), net(X)
    if out_seq.shape != out_net.shape:
        fail(
            question,
            f"pour 6 exemples, le Sequential rend {tuple(out_seq.shape)} et TwoLayerNet "
            f"{tuple(out_net.shape)} : train_net ne les traite pas de la même façon. Rendez la "
            "même forme (nn.Flatten(0) en fin de Sequential rend (n,)).",
        )
    data = tiny_data(n=40)
    epochs, batch_size, lr = AUDIT
    state = (
        random.getstate()
    )  # les deux apprentissages au même tirage, torch comme random
    losses = []
    for model in (seq, net):
        random.setstate(state)
        run = call(
            question,
            "train_net",
            isolated(train_net),
            model,
            data.X_train,
            data.y_train,
            epochs - 1,
            batch_size,
            lr,
        )
        losses.append(floats(question, "train_net", run))
    random.setstate(state)
    if not all(
        math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7)
        for a, b in zip(*losses, strict=True)
    ):
        fail(
            question,
            "le Sequential et TwoLayerNet, partis des mêmes valeurs, n'apprennent pas de la "
            "même façon avec train_net : leurs coûts diffèrent.",
        )
    passed(
        question,
        "un nn.Sequential linéaire → tanh → linéaire ; muni des valeurs de TwoLayerNet, "
        "mêmes paramètres, mêmes sorties et mêmes coûts avec train_net.",
    )

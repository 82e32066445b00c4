"""Les vérifications de l'édition étudiant : une par question, qui juge ce que fait le code.

Dans l'édition étudiant des notebooks (voir ``tp2_src.editions``), chaque solution est
remplacée par un squelette (« # À vous : ») suivi d'une cellule qui appelle l'une de ces
fonctions. Elles regardent le **comportement** du code de l'étudiant — où arrivent ses
paramètres, ce qu'il a journalisé, ce que contiennent ses gradients — jamais son texte,
avec des tolérances écrites dans le message. Dans le livre, ces mêmes cellules tournent,
masquées, après chaque solution : une solution qui ne passerait plus sa vérification fait
échouer la construction.

Un échec lève ``CheckError`` avec un message en français qui dit ce qui ne va pas et où
regarder ; un succès affiche une ligne « ✅ ». Les fonctions ne modifient rien (ni les
tenseurs, ni leurs ``.grad``, ni le générateur aléatoire).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn

from tp2_src.french import french_number
from tp2_src.linreg import least_squares, linear_mse
from tp2_src.training import evaluate, predict

#: Écart relatif toléré à l'optimum des moindres carrés (questions 1.1, 1.3 et 4.1).
MSE_TOLERANCE = 0.01
#: Les attributs que nn.Module gère lui-même (``_modules``, ``_parameters``…).
_MODULE_INTERNALS = frozenset(vars(nn.Module()))


class CheckError(AssertionError):
    """Une vérification n'est pas passée ; le message dit quoi regarder."""

    def _render_traceback_(self) -> list[str]:
        # IPython affiche ces lignes à la place de la pile d'appels : le message suffit.
        return [f"❌ {self}"]


def _fail(question: str, message: str) -> None:
    raise CheckError(f"{question} : {message}")


def _passed(question: str, message: str) -> None:
    print(f"✅ {question} : {message}")


def _percent(value: float, fmt: str = ".2f") -> str:
    return french_number(100 * value, fmt) + " %"


def _tensor(question: str, name: str, value: Any) -> torch.Tensor:
    if not isinstance(value, torch.Tensor):
        _fail(question, f"`{name}` devrait être un tenseur PyTorch ; c'est un {type(value).__name__}.")
    if not value.is_floating_point():
        _fail(question, f"`{name}` devrait être un tenseur flottant ; son type est {value.dtype}.")
    if not torch.isfinite(value).all():
        _fail(
            question,
            f"`{name}` contient des valeurs non finies (nan ou inf) : la descente a divergé. "
            "Le taux d'apprentissage est-il trop grand ?",
        )
    return value


def _shape(question: str, name: str, value: torch.Tensor, shape: tuple[int, ...], n: int) -> None:
    """Forme attendue ; une forme (d, 1) à la place de (d,) est le piège de la diffusion."""
    if tuple(value.shape) == shape:
        return
    hint = ""
    if shape and tuple(value.shape) == (*shape, 1):
        hint = (
            f" Avec cette forme, X_train @ {name} a la forme ({n}, 1), et l'écart à y_train, "
            f"de forme ({n},), est diffusé en une matrice ({n}, {n}) : la perte est fausse. "
            f"Créez {name} avec torch.zeros({shape[0]})."
        )
    expected = "()" if not shape else f"({shape[0]},)"
    _fail(question, f"`{name}` a la forme {tuple(value.shape)} au lieu de {expected}.{hint}")


def _trained_leaf(question: str, name: str, value: Any) -> torch.Tensor:
    """Un paramètre entraîné à la main : une feuille du graphe qui demande un gradient."""
    value = _tensor(question, name, value)
    if value.grad_fn is not None:
        _fail(
            question,
            f"`{name}` n'est plus une feuille du graphe (grad_fn = {type(value.grad_fn).__name__}) : "
            f"la mise à jour a été enregistrée par autograd. Faites-la sur place, "
            f"`{name} -= lr * {name}.grad`, sous `with torch.no_grad():`.",
        )
    if not value.requires_grad:
        _fail(question, f"`{name}` ne demande pas de gradient : créez-le avec requires_grad=True.")
    return value


def _true_gradient(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Gradient exact de la MSE en (w, b), en un vecteur (d + 1,), sans toucher w ni b."""
    w_, b_ = w.detach().clone().requires_grad_(), b.detach().clone().requires_grad_()
    loss = ((X @ w_ + b_ - y) ** 2).mean()
    grad_w, grad_b = torch.autograd.grad(loss, (w_, b_))
    return torch.cat([grad_w.reshape(-1), grad_b.reshape(1)])


def _stored_gradient(w: torch.Tensor, b: torch.Tensor) -> torch.Tensor | None:
    """Les ``.grad`` de w et b en un vecteur ; None s'ils sont absents ou nuls (remis à zéro)."""
    if w.grad is None or b.grad is None:
        return None
    stored = torch.cat([w.grad.reshape(-1), b.grad.reshape(1)])
    return None if not stored.any() else stored


def _optimum_gap(
    question: str, names: tuple[str, str], w: torch.Tensor, b: torch.Tensor, X: torch.Tensor, y: torch.Tensor
) -> tuple[float, float, float]:
    """MSE de (w, b), MSE des moindres carrés, écart relatif ; échoue au-delà de la tolérance."""
    if not w.detach().any() and not b.detach().any():
        _fail(
            question,
            f"`{names[0]}` et `{names[1]}` valent encore zéro : la boucle ne met pas les paramètres "
            "à jour (passe avant, backward(), puis la mise à jour).",
        )
    w_star, b_star = least_squares(X, y)
    optimum = linear_mse(X, y, w_star, b_star)
    mse = linear_mse(X, y, w.detach(), b.detach())
    gap = mse / optimum - 1
    if gap > MSE_TOLERANCE:
        hint = (
            "Les gradients sont-ils remis à zéro après chaque pas ? Le taux d'apprentissage et le "
            "nombre d'époques sont-ils ceux de la question ?"
        )
        stored = _stored_gradient(w, b)
        if stored is not None:
            ratio = stored.norm().item() / max(_true_gradient(X, y, w, b).norm().item(), 1e-12)
            if ratio > 5:
                hint = (
                    f"Le gradient rangé dans .grad vaut {french_number(ratio, '.0f')} fois le gradient "
                    "du coût actuel : les gradients s'accumulent d'un pas à l'autre. Remettez-les "
                    "à zéro après chaque pas."
                )
        _fail(
            question,
            f"({names[0]}, {names[1]}) s'éloigne de la solution des moindres carrés : MSE "
            f"d'apprentissage {french_number(mse, '.3f')} contre {french_number(optimum, '.3f')}, "
            f"soit {_percent(gap)} au-dessus (tolérance {_percent(MSE_TOLERANCE, '.0f')}). {hint}",
        )
    return mse, optimum, gap


def check_batch_descent(w: Any, b: Any, X_train: torch.Tensor, y_train: torch.Tensor) -> None:
    """Question 1.1 (chapitre 3) : la descente batch écrite à la main.

    ``w`` (d,) et ``b`` () doivent être des feuilles qui demandent un gradient, et leur MSE
    d'apprentissage à moins de 1 % de celle des moindres carrés.
    """
    question = "Question 1.1"
    n, d = X_train.shape
    w, b = _trained_leaf(question, "w", w), _trained_leaf(question, "b", b)
    _shape(question, "w", w, (d,), n)
    _shape(question, "b", b, (), n)
    mse, optimum, gap = _optimum_gap(question, ("w", "b"), w, b, X_train, y_train)
    _passed(
        question,
        f"MSE d'apprentissage {french_number(mse, '.3f')}, à {_percent(gap)} de l'optimum des "
        f"moindres carrés ({french_number(optimum, '.3f')} ; tolérance {_percent(MSE_TOLERANCE, '.0f')}).",
    )


def check_logged_losses(logged: Any) -> None:
    """Question 1.2 (chapitre 3) : ``loss/train`` et ``loss/test`` relus dans le journal.

    ``logged`` est le dictionnaire rendu par ``tp2_src.logs.read_scalars`` : à chaque
    étiquette, la liste des époques et celle des valeurs.
    """
    question = "Question 1.2"
    if not isinstance(logged, Mapping) or not logged:
        _fail(
            question,
            "`logged` est vide : relisez le journal de la question 1.1 avec "
            "read_scalars(writer.log_dir), après avoir écrit les coûts avec writer.add_scalar.",
        )
    for tag in ("loss/train", "loss/test"):
        if tag not in logged:
            _fail(
                question,
                f"l'étiquette '{tag}' manque dans le journal (trouvées : {', '.join(sorted(logged))}) : "
                f"écrivez-la à chaque époque avec writer.add_scalar('{tag}', coût, époque).",
            )
        steps, values = logged[tag]
        if len(steps) < 2:
            _fail(question, f"'{tag}' n'a que {len(steps)} point(s) : écrivez le coût à chaque époque.")
        if any(b <= a for a, b in zip(steps, steps[1:], strict=False)):
            _fail(
                question,
                f"les époques de '{tag}' ne croissent pas ({list(steps[:4])}…) : passez le numéro "
                "de l'époque en troisième argument de writer.add_scalar.",
            )
    train_steps, train = logged["loss/train"]
    if len(logged["loss/test"][0]) != len(train_steps):
        _fail(
            question,
            "'loss/train' et 'loss/test' n'ont pas le même nombre de points : "
            "écrivez les deux à chaque époque.",
        )
    if not train[-1] < train[0]:
        _fail(
            question,
            f"le coût d'apprentissage journalisé ne baisse pas (de {french_number(train[0], '.3f')} à "
            f"{french_number(train[-1], '.3f')}) : journalisez-vous le coût courant, après chaque pas ?",
        )
    _passed(
        question,
        f"'loss/train' et 'loss/test' journalisés en {len(train_steps)} points ; le coût "
        f"d'apprentissage passe de {french_number(train[0], '.1f')} à {french_number(train[-1], '.3f')}.",
    )


def check_minibatch_descents(
    w_sto: Any, b_sto: Any, w_mini: Any, b_mini: Any, X_train: torch.Tensor, y_train: torch.Tensor
) -> None:
    """Question 1.3 (chapitre 3) : descentes stochastique et mini-batch à 1 % de l'optimum.

    ``w_sto``, ``w_mini`` (d,) et ``b_sto``, ``b_mini`` () : les paramètres rendus par les
    deux descentes (détachés ou non).
    """
    question = "Question 1.3"
    n, d = X_train.shape
    gaps = []
    for names, (w, b) in {("w_sto", "b_sto"): (w_sto, b_sto), ("w_mini", "b_mini"): (w_mini, b_mini)}.items():
        w, b = _tensor(question, names[0], w), _tensor(question, names[1], b)
        _shape(question, names[0], w, (d,), n)
        _shape(question, names[1], b, (), n)
        gaps.append(_optimum_gap(question, names, w, b, X_train, y_train)[2])
    _passed(
        question,
        f"stochastique à {_percent(gaps[0])} et mini-batch à {_percent(gaps[1])} de l'optimum des "
        f"moindres carrés (tolérance {_percent(MSE_TOLERANCE, '.0f')}).",
    )


def check_without_reset(losses: Any) -> None:
    """Question 3.b (chapitre 3) : sans remise à zéro, le coût finit par remonter.

    ``losses`` : le coût de chaque époque de la descente batch sans ``zero_()``.
    """
    question = "Question 3.b"
    if not isinstance(losses, Sequence) or len(losses) < 10:
        size = len(losses) if isinstance(losses, Sequence) else type(losses).__name__
        _fail(question, f"`losses` devrait contenir le coût de chaque époque (au moins 10) ; reçu {size}.")
    values = [float(v) for v in losses]
    if len(set(values)) == 1:
        _fail(question, "le coût ne change pas d'une époque à l'autre : la boucle met-elle w et b à jour ?")
    rises = sum(b > a for a, b in zip(values, values[1:], strict=False))
    if rises == 0:
        _fail(
            question,
            f"le coût baisse à chacune des {len(values)} époques, comme avec la remise à zéro : "
            "avez-vous bien retiré w.grad.zero_() et b.grad.zero_() ?",
        )
    low = min(range(len(values)), key=values.__getitem__)
    _passed(
        question,
        f"sans remise à zéro, le coût remonte {rises} fois en {len(values)} époques "
        f"(minimum {french_number(values[low], '.4g')} à l'époque {low + 1}).",
    )


def check_optimizer_loop(
    w: Any, b: Any, optimizer: Any, X_train: torch.Tensor, y_train: torch.Tensor
) -> None:
    """Question 4.1 (chapitre 4) : la boucle de l'énoncé corrigée, avec un optimiseur.

    ``w`` (d,) et ``b`` () sont des ``nn.Parameter`` confiés à ``optimizer`` ; leur MSE doit
    être à 1 % de l'optimum, et ``.grad`` ne doit pas accumuler les gradients des pas passés.
    """
    question = "Question 4.1"
    n, d = X_train.shape
    w, b = _trained_leaf(question, "w", w), _trained_leaf(question, "b", b)
    _shape(question, "w", w, (d,), n)
    _shape(question, "b", b, (), n)
    if not isinstance(optimizer, torch.optim.Optimizer):
        _fail(
            question,
            f"`optimizer` devrait être un optimiseur de torch.optim ; c'est un {type(optimizer).__name__}.",
        )
    given = {id(p) for group in optimizer.param_groups for p in group["params"]}
    for name, p in (("w", w), ("b", b)):
        if id(p) not in given:
            _fail(question, f"l'optimiseur ne contient pas `{name}` : passez [w, b] à sa création.")
    group = optimizer.param_groups[0]
    stored = _stored_gradient(w, b)
    if stored is not None and isinstance(optimizer, torch.optim.SGD) and not group.get("momentum"):
        # Après un pas de SGD, w.grad est le gradient pris au point précédent w + lr·w.grad :
        # s'il est bien plus grand, c'est qu'il accumule aussi les pas d'avant.
        lr = group["lr"]
        before_w, before_b = w.detach() + lr * w.grad, b.detach() + lr * b.grad
        ratio = stored.norm().item() / max(
            _true_gradient(X_train, y_train, before_w, before_b).norm().item(), 1e-12
        )
        if ratio > 2:
            _fail(
                question,
                f"w.grad vaut {french_number(ratio, '.0f')} fois le gradient du coût au pas précédent : "
                "les gradients s'accumulent d'un pas à l'autre. Appelez optimizer.zero_grad() à "
                "chaque itération, avant backward().",
            )
    mse, optimum, gap = _optimum_gap(question, ("w", "b"), w, b, X_train, y_train)
    _passed(
        question,
        f"MSE d'apprentissage {french_number(mse, '.3f')}, à {_percent(gap)} de l'optimum "
        f"(tolérance {_percent(MSE_TOLERANCE, '.0f')}) ; les gradients ne s'accumulent pas.",
    )


def _module(question: str, name: str, value: Any) -> nn.Module:
    if not isinstance(value, nn.Module):
        _fail(question, f"`{name}` devrait être un nn.Module ; c'est un {type(value).__name__}.")
    for module in value.modules():
        for attribute, content in vars(module).items():
            if attribute in _MODULE_INTERNALS:
                continue
            items = content.values() if isinstance(content, dict) else content
            if isinstance(content, list | tuple | dict) and any(isinstance(v, nn.Module) for v in items):
                _fail(
                    question,
                    f"l'attribut `{attribute}` range des couches dans un {type(content).__name__} Python : "
                    "nn.Module ne regarde pas dedans, et ni parameters() ni l'optimiseur ne voient leurs "
                    "poids. Utilisez nn.ModuleList (ou nn.ModuleDict, nn.Sequential).",
                )
    return value


def _floats(question: str, name: str, values: Any) -> list[float]:
    if not isinstance(values, Sequence) or len(values) < 2:
        _fail(
            question,
            f"`{name}` devrait être la liste des pertes de chaque pas ; reçu {type(values).__name__}.",
        )
    floats = [float(v) for v in values]
    if not all(math.isfinite(v) for v in floats):
        _fail(
            question,
            f"`{name}` contient des pertes non finies : l'apprentissage a divergé (taux trop grand ?).",
        )
    return floats


def check_two_layer_net(net: Any, losses: Any, X_train: torch.Tensor, y_train: torch.Tensor) -> None:
    """Question 2 (chapitre 5) : réseau linéaire → tanh → linéaire, entraîné.

    ``net`` : deux ``nn.Linear`` (d → h, puis h → 1), tous ses paramètres inscrits ; ``losses``
    : la perte de chaque pas, qui doit baisser ; sa MSE d'apprentissage doit passer sous
    celle des moindres carrés, ce qu'aucun modèle linéaire ne peut faire.
    """
    question = "Question 2"
    net = _module(question, "net", net)
    d = X_train.shape[1]
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    if len(linears) != 2:
        _fail(
            question,
            f"le réseau a {len(linears)} couche(s) nn.Linear ; il en faut deux ({d} → h, puis h → 1).",
        )
    first, last = linears
    if first.in_features != d or last.out_features != 1 or first.out_features != last.in_features:
        _fail(
            question,
            f"les couches vont de {first.in_features} à {first.out_features}, puis de {last.in_features} "
            f"à {last.out_features} : il faut {d} → h, puis h → 1, avec le même h.",
        )
    size = sum(p.numel() for p in net.parameters())
    expected = sum(p.numel() for layer in linears for p in layer.parameters())
    if size != expected:
        _fail(question, f"le réseau a {size} paramètres, ses deux couches linéaires en ont {expected}.")
    with torch.no_grad():
        out = net(X_train[:5])
    if tuple(out.shape) not in {(5, 1), (5,)}:
        _fail(question, f"pour 5 exemples, net renvoie la forme {tuple(out.shape)} au lieu de (5, 1).")
    values = _floats(question, "losses", losses)
    k = max(1, len(values) // 10)
    start, end = sum(values[:k]) / k, sum(values[-k:]) / k
    if not end < start / 2:
        _fail(
            question,
            f"la perte baisse peu (moyenne {french_number(start, '.1f')} sur les premiers pas, "
            f"{french_number(end, '.1f')} sur les derniers) : l'optimiseur reçoit-il net.parameters(), "
            "et zero_grad(), backward(), step() sont-ils appelés à chaque pas ?",
        )
    mse = evaluate(net, X_train, y_train)
    w_star, b_star = least_squares(X_train, y_train)
    linear = linear_mse(X_train, y_train, w_star, b_star)
    if mse >= linear:
        with torch.no_grad():
            spread = predict(net, X_train).std().item() / y_train.std().item()
        hint = (
            " Les prédictions varient à peine : le symptôme d'une perte diffusée. Une sortie (n, 1) "
            "comparée à une cible (n,) donne une matrice (n, n) : utilisez net(X).squeeze(1)."
            if spread < 0.3
            else " Entraînez-le plus longtemps, ou vérifiez le taux d'apprentissage."
        )
        _fail(
            question,
            f"MSE d'apprentissage {french_number(mse, '.2f')}, pas mieux que la régression linéaire "
            f"({french_number(linear, '.2f')}) : la couche cachée n'apporte rien.{hint}",
        )
    _passed(
        question,
        f"{size} paramètres ({d} → {first.out_features} → 1) ; la perte passe de "
        f"{french_number(start, '.1f')} à {french_number(end, '.2f')} ; MSE d'apprentissage "
        f"{french_number(mse, '.3f')}, sous celle des moindres carrés ({french_number(linear, '.2f')}).",
    )


def check_sequential(seq: Any, net: Any, losses_seq: Any, losses_net: Any) -> None:
    """Question 2, suite (chapitre 5) : le même réseau dans un ``nn.Sequential``.

    Mêmes formes de paramètres, dans le même ordre, que ``net`` ; entraînés à partir de la
    même graine par la même boucle, les deux réseaux donnent exactement les mêmes pertes.
    """
    question = "Question 2 (suite)"
    if not isinstance(seq, nn.Sequential):
        _fail(question, f"`seq` devrait être un nn.Sequential ; c'est un {type(seq).__name__}.")
    net = _module(question, "net", net)
    shapes_seq = [tuple(p.shape) for p in seq.parameters()]
    shapes_net = [tuple(p.shape) for p in net.parameters()]
    if shapes_seq != shapes_net:
        _fail(question, f"formes des paramètres : {shapes_seq} pour seq, {shapes_net} pour net.")
    a, b = _floats(question, "losses_seq", losses_seq), _floats(question, "losses_net", losses_net)
    if len(a) != len(b):
        _fail(question, f"{len(a)} pertes pour seq, {len(b)} pour net : entraînez-les de la même façon.")
    differ = next((i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y), None)
    if differ is not None:
        _fail(
            question,
            f"les pertes diffèrent dès le pas {differ + 1} ({a[differ]:.6g} contre {b[differ]:.6g}) : créez "
            "chaque réseau juste après torch.manual_seed(0), et entraînez-les par la même fonction.",
        )
    _passed(question, f"mêmes formes de paramètres, et mêmes pertes aux {french_number(len(a), 'd')} pas.")


def check_sin_backward(x: Any, J: Any) -> None:
    """Question 2.c (chapitre 2) : ``x.grad`` = cos(x) par ``y.backward(gradient=…)``.

    ``x`` (n,) : la feuille dont on a dérivé ``y = sin(x)`` ; ``J`` (n, n) : la jacobienne
    calculée par ``torch.autograd.functional.jacobian``.
    """
    question = "Question 2.c"
    x = _tensor(question, "x", x)
    if x.grad is None:
        _fail(question, "x.grad est None : appelez y.backward(gradient=…) sur y = torch.sin(x).")
    expected = torch.cos(x.detach())
    if torch.allclose(x.grad, 2 * expected):
        _fail(
            question,
            "x.grad vaut deux fois cos(x) : backward a été appelé deux fois et les gradients se sont "
            "ajoutés. Recréez x (ou remettez x.grad à None) avant de recommencer.",
        )
    if not torch.allclose(x.grad, expected, rtol=1e-5, atol=1e-7):
        gap = (x.grad - expected).abs().max().item()
        _fail(
            question,
            f"x.grad diffère de cos(x) (écart max {gap:.2g}) : le vecteur passé à backward doit valoir "
            "1 pour chaque coordonnée, torch.ones_like(y).",
        )
    J = _tensor(question, "J", J)
    if tuple(J.shape) != (len(x), len(x)):
        _fail(question, f"J a la forme {tuple(J.shape)} au lieu de ({len(x)}, {len(x)}).")
    if not torch.allclose(J, torch.diag(expected).to(J.dtype), rtol=1e-5, atol=1e-7):
        _fail(question, "J n'est pas diag(cos x) : calculez-la avec jacobian(torch.sin, x.detach()).")
    _passed(question, "x.grad = cos(x) et J = diag(cos x) (tolérance relative 1e-5).")

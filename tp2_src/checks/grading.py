"""Les outils des vérifications de l'édition étudiant (``tp2_src.checks``), chapitres 1 à 5.

Une vérification ne lit pas des variables que d'autres cellules pourraient changer : elle
cherche, dans les noms du notebook (``globals()``), la fonction ou la classe que l'exercice
demande d'écrire, puis l'**appelle** elle-même sur des données qu'elle choisit. Pendant
l'appel, un ``Recorder`` relève chaque ``backward()`` (les feuilles atteintes, leurs valeurs,
leurs ``.grad`` avant et après) et chaque optimiseur créé : la vérification juge la
méthode (un pas par mini-batch, les gradients remis à zéro, la mise à jour
``w ← w − η ∇ℓ``…), pas seulement le résultat.

Une erreur levée par le code de l'étudiant devient un message en français qui nomme la
ligne fautive et la cause (``explain``) ; un échec lève ``CheckError``, qu'IPython affiche
en une ligne, sans pile d'appels.
"""

from __future__ import annotations

import inspect
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import torch
import torch.autograd.functional as autograd_functional
import torch.func

from tp2_src.french import french_number

#: Ce que dit une vérification qui ne trouve pas ce que l'exercice doit définir.
RUN_FIRST = "exécutez d'abord les cellules au-dessus, puis la cellule de l'exercice, puis cette vérification"


class CheckError(AssertionError):
    """Une vérification n'est pas passée ; le message dit quoi regarder.

    ``site`` est la ligne (fichier, numéro) de l'appel à ``fail`` qui l'a levée, et
    ``known`` l'indice, dans ``KNOWN_ERRORS``, de l'erreur de PyTorch reconnue : ce que
    les tests lisent pour savoir quel diagnostic une tentative a atteint.
    """

    site: tuple[str, int] | None = None
    known: int | None = None

    def _render_traceback_(self) -> list[str]:
        # IPython affiche ces lignes à la place de la pile d'appels : le message suffit.
        return [f"❌ {self}"]


def fail(
    question: str, message: str, *, known: int | None = None
) -> NoReturn:
    error = CheckError(f"{question} : {message}")
    caller = sys._getframe(1)
    error.site, error.known = (
        (caller.f_code.co_filename, caller.f_lineno),
        known,
    )
    raise error


def passed(question: str, message: str) -> None:
    print(f"✅ {question} : {message}")


def percent(value: float, fmt: str = ".2f") -> str:
    return french_number(100 * value, fmt) + " %"


def shape_of(value: Any) -> str:
    """Ce qu'un message montre après « reçu » : la forme d'un tenseur, ou
    le type de ce qui n'en est pas un (un exercice peut rendre n'importe quoi)."""
    if isinstance(value, torch.Tensor):
        return str(tuple(value.shape))
    return type(value).__name__


# --- Ce que l'exercice a défini ------------------------------------------------------------


def lookup(question: str, namespace: Any, name: str) -> Any:
    """La valeur de ``name`` dans les noms du notebook ; sinon, un message qui dit quoi exécuter."""
    if not isinstance(namespace, Mapping):
        fail(
            question,
            f"appelez la vérification avec globals() (elle y cherche `{name}`) ; reçu "
            f"un {type(namespace).__name__}.",
        )
    if name not in namespace:
        fail(question, f"`{name}` n'est pas défini : {RUN_FIRST}.")
    return namespace[name]


def student_function(
    question: str, namespace: Any, name: str, parameters: Sequence[str]
) -> Callable:
    """La fonction ``name`` du notebook, qui doit accepter ``parameters`` (par leur nom)."""
    function = lookup(question, namespace, name)
    if not callable(function):
        fail(
            question,
            f"`{name}` devrait être une fonction ; c'est un {type(function).__name__}.",
        )
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return function
    try:
        signature.bind(*[None] * len(parameters))
    except TypeError:
        shown = ", ".join(signature.parameters)
        fail(
            question,
            f"`{name}({shown})` devrait prendre {len(parameters)} paramètres : "
            f"{name}({', '.join(parameters)}), comme dans le squelette.",
        )
    return function


_LIBRARIES = (
    Path(torch.__file__).parent.parent,
    Path(__file__).parent.parent,
    Path(inspect.__file__).parent,
)


def student_line(err: BaseException) -> str:
    """« à la ligne « … » de votre code » : la dernière ligne du code de l'étudiant que
    l'erreur a traversée (hors de PyTorch, de tp2_src et de Python lui-même)."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        path = Path(frame.filename)
        if frame.line and not any(
            path.is_relative_to(lib) for lib in _LIBRARIES
        ):
            return f" (ligne « {frame.line.strip()} »)"
    return ""


#: Les erreurs que les exercices provoquent souvent, et ce qu'elles veulent dire.
KNOWN_ERRORS: tuple[tuple[str, str], ...] = (
    (
        r"leaf Variable that requires grad is being used in an in-place operation",
        "la mise à jour sur place d'un paramètre est faite hors de `torch.no_grad()` : autograd "
        "l'enregistrerait dans le graphe. Écrivez-la dans un bloc `with torch.no_grad():`.",
    ),
    (
        r"unsupported operand type\(s\) for .*NoneType|NoneType' object has no attribute|"
        r"NoneType' and 'float'",
        "un `.grad` vaut None. Soit backward() n'a pas été appelé avant la mise à jour, soit le "
        "paramètre n'est plus une feuille : `w = w - lr * w.grad` crée un nouveau tenseur, sans "
        ".grad. Faites la mise à jour sur place, `w -= lr * w.grad`, sous `torch.no_grad()`.",
    ),
    (
        r"element 0 of tensors does not require grad",
        "le coût ne dépend d'aucun tenseur qui demande un gradient : créez les paramètres avec "
        "requires_grad=True, et calculez le coût hors de `torch.no_grad()`.",
    ),
    (
        r"optimizer got an empty parameter list",
        "l'optimiseur ne reçoit aucun paramètre : net.parameters() est vide. Des couches rangées "
        "dans une liste ou un dictionnaire Python ne sont pas inscrites dans le module ; "
        "rangez-les dans des attributs, ou dans nn.ModuleList / nn.ModuleDict.",
    ),
    (
        r"backward through the graph a second time",
        "backward() est appelé deux fois sur le même graphe : recalculez le coût (la passe "
        "avant) à chaque pas.",
    ),
    (
        r"is not a Module subclass",
        "nn.Sequential prend ses modules un par un, nn.Sequential(m1, m2, m3), ou un "
        "OrderedDict de modules nommés ; pas une liste (écrivez nn.Sequential(*modules)).",
    ),
    (
        r"mat1 and mat2 shapes cannot be multiplied|size mismatch|must match the size of tensor",
        "des formes incompatibles. Vérifiez les dimensions des couches et des paramètres.",
    ),
    (
        r"Expected all tensors to be on the same device",
        "des tenseurs sur des matériels différents : créez les paramètres sur le matériel des "
        "données (device=X.device).",
    ),
    (
        r"grad can be implicitly created only for scalar outputs",
        "backward() sans argument demande une sortie scalaire : passez un vecteur "
        "`gradient=` de la forme de la sortie (voir le produit vecteur–jacobienne).",
    ),
)


def explain(err: BaseException) -> tuple[str, int | None]:
    """L'erreur ``err``, levée par le code de l'étudiant, dite en français avec sa cause, et
    l'indice de l'erreur reconnue dans ``KNOWN_ERRORS`` (``None`` : pas reconnue)."""
    if isinstance(err, NameError):
        return f"{err} : {RUN_FIRST}.", None
    message = str(err).split(" (Triggered internally at")[0].strip()
    for index, (pattern, meaning) in enumerate(KNOWN_ERRORS):
        if re.search(pattern, message):
            return (
                f"{meaning} (PyTorch : « {message.splitlines()[0][:160]} »)",
                index,
            )
    return (
        f"{type(err).__name__} : {message.splitlines()[0][:240] if message else '(sans message)'}",
        None,
    )


#: Avertissements de PyTorch qui signalent une erreur de l'étudiant.
_BROADCAST = re.compile(r"target size .* different to the input size")


def call(
    question: str, what: str, function: Callable, *args: Any, **kwargs: Any
) -> Any:
    """Appelle ``function`` (du code de l'étudiant) ; une erreur devient un échec en français.

    ``what`` nomme l'appel dans le message (« votre fonction batch_descent »). Un
    avertissement de diffusion de forme (``MSELoss`` entre (n, 1) et (n,)) est une erreur.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = function(*args, **kwargs)
        except CheckError:
            raise
        except (
            Exception
        ) as err:  # le code de l'étudiant peut lever n'importe quoi
            meaning, known = explain(err)
            fail(
                question,
                f"{what} a échoué{student_line(err)} : {meaning}",
                known=known,
            )
    for warning in caught:
        if _BROADCAST.search(str(warning.message)):
            fail(
                question,
                f"{what} compare une prédiction de forme (n, 1) à une cible de forme "
                "(n,) : le coût les diffuse en une matrice (n, n) et devient faux. "
                "Accordez les formes, par exemple net(X).squeeze(1).",
            )
    return result


# --- Ce que l'appel a fait --------------------------------------------------------------


@dataclass
class Backward:
    """Un calcul de gradient par autograd : les feuilles atteintes, leurs valeurs et leurs
    ``.grad`` avant et après, et l'interface employée (``api``).

    Pour ``backward()`` (``torch.autograd.backward``), ``after`` est le ``.grad`` des
    feuilles après l'appel ; pour ``torch.autograd.grad`` et ``torch.func``, qui ne
    touchent pas à ``.grad``, ``before`` vaut ``None`` et ``after`` est le gradient rendu.
    """

    leaves: list[torch.Tensor]
    values: list[torch.Tensor]
    before: list[torch.Tensor | None]
    after: list[torch.Tensor | None] = field(default_factory=list)
    loss: float = float("nan")
    api: str = "backward"

    def gradient(self, index: int) -> torch.Tensor:
        """Ce que ce calcul a ajouté au ``.grad`` de la feuille ``index`` (ou rendu)."""
        after, before = self.after[index], self.before[index]
        if after is None:
            return torch.zeros_like(self.values[index])
        return after - before if before is not None else after

    def accumulated(self, index: int) -> bool:
        """Le ``.grad`` de la feuille ``index`` contenait déjà quelque chose (non nul)."""
        before = self.before[index]
        return before is not None and bool(before.abs().sum() > 0)


def leaves_of(output: torch.Tensor) -> list[torch.Tensor]:
    """Les feuilles du graphe de ``output`` qui demandent un gradient, dans l'ordre de visite."""
    found: dict[int, torch.Tensor] = {}
    stack, seen = [output.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if isinstance(variable, torch.Tensor):
            found.setdefault(id(variable), variable)
        stack.extend(child for child, _ in node.next_functions)
    return list(found.values())


def _copy(t: torch.Tensor | None) -> torch.Tensor | None:
    return None if t is None else t.detach().clone()


#: Les interfaces de ``torch.func`` (et ``torch.autograd.functional``) qui calculent des
#: dérivées : elles sont relevées par leur nom.
FUNCTIONAL_APIS = (
    "grad",
    "grad_and_value",
    "vjp",
    "jvp",
    "jacrev",
    "jacfwd",
    "hessian",
)


@dataclass
class Recorder:
    """Relève, pendant un bloc ``with``, chaque calcul de gradient et chaque optimiseur créé.

    ``backwards`` : les calculs de gradient, dans l'ordre (``backward()``,
    ``torch.autograd.grad``, ``torch.func.grad``…) ; ``apis`` : les noms des interfaces
    employées (``"backward"``, ``"autograd.grad"``, ``"func.grad"``, ``"functional.jacobian"``…).
    """

    backwards: list[Backward] = field(default_factory=list)
    optimizers: list[torch.optim.Optimizer] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)

    def leaves(self) -> list[torch.Tensor]:
        """Toutes les feuilles atteintes, dans l'ordre de leur premier calcul."""
        found: dict[int, torch.Tensor] = {}
        for record in self.backwards:
            for leaf in record.leaves:
                found.setdefault(id(leaf), leaf)
        return list(found.values())

    def used(self, *apis: str) -> list[str]:
        """Celles des interfaces ``apis`` (toutes si aucune n'est donnée) que le code a employées."""
        return [
            a for a in dict.fromkeys(self.apis) if not apis or a in apis
        ]


def _as_list(tensors: Any) -> list[Any]:
    return (
        [tensors] if isinstance(tensors, torch.Tensor) else list(tensors)
    )


@contextmanager
def recording(namespace: Any = None) -> Iterator[Recorder]:
    """``with recording(globals()) as rec:`` : ``rec.backwards``, ``rec.apis`` et
    ``rec.optimizers`` se remplissent. Un calcul fait à l'intérieur d'un autre
    (``torch.func.grad`` appelle autograd) n'est relevé qu'une fois, sous le nom de
    l'interface appelée. Les noms du notebook (``namespace``) qui désignent une de ces
    interfaces (``from torch.func import grad``) sont relevés aussi, le temps du bloc."""
    recorder = Recorder()
    originals: dict[tuple[Any, str], Any] = {}
    depth = [0]

    def patch(owner: Any, name: str, replacement: Callable) -> None:
        originals[(owner, name)] = getattr(owner, name)
        setattr(owner, name, replacement)

    def outermost(api: str) -> bool:
        if depth[0] == 0:
            recorder.apis.append(api)
            return True
        return False

    original_backward = torch.autograd.backward

    def backward(
        tensors: Any, grad_tensors: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if not outermost("backward"):
            return original_backward(
                tensors, grad_tensors, *args, **kwargs
            )
        outputs = _as_list(tensors)
        leaves: dict[int, torch.Tensor] = {}
        for output in outputs:
            if (
                isinstance(output, torch.Tensor)
                and output.grad_fn is not None
            ):
                for leaf in leaves_of(output):
                    leaves.setdefault(id(leaf), leaf)
        found = list(leaves.values())
        record = Backward(
            found,
            [_copy(t) for t in found],
            [_copy(t.grad) for t in found],
        )
        first = outputs[0] if outputs else None
        if isinstance(first, torch.Tensor) and first.numel() == 1:
            record.loss = float(first.detach().reshape(()))
        depth[0] += 1
        try:
            result = original_backward(
                tensors, grad_tensors, *args, **kwargs
            )
        finally:
            depth[0] -= 1
        record.after = [_copy(t.grad) for t in found]
        recorder.backwards.append(record)
        return result

    original_grad = torch.autograd.grad

    def grad(outputs: Any, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if not outermost("autograd.grad"):
            return original_grad(outputs, inputs, *args, **kwargs)
        found = _as_list(inputs)
        record = Backward(
            found,
            [_copy(t) for t in found],
            [None] * len(found),
            api="autograd.grad",
        )
        first = _as_list(outputs)[0] if outputs is not None else None
        if isinstance(first, torch.Tensor) and first.numel() == 1:
            record.loss = float(first.detach().reshape(()))
        depth[0] += 1
        try:
            result = original_grad(outputs, inputs, *args, **kwargs)
        finally:
            depth[0] -= 1
        record.after = [_copy(g) for g in result]
        recorder.backwards.append(record)
        return result

    def functional(module: Any, prefix: str, name: str) -> Callable:
        original = getattr(module, name)

        def transform(*args: Any, **kwargs: Any) -> Any:
            made = original(*args, **kwargs)
            if not callable(
                made
            ):  # torch.autograd.functional.* calcule tout de suite
                return made

            def run(*inner: Any, **inner_kwargs: Any) -> Any:
                if not outermost(f"{prefix}.{name}"):
                    return made(*inner, **inner_kwargs)
                depth[0] += 1
                try:
                    result = made(*inner, **inner_kwargs)
                finally:
                    depth[0] -= 1
                leaves = [a for a in inner if isinstance(a, torch.Tensor)]
                grads = result[0] if name == "grad_and_value" else result
                grads = (
                    _as_list(grads)
                    if isinstance(grads, torch.Tensor | tuple | list)
                    else []
                )
                record = Backward(
                    leaves,
                    [_copy(t) for t in leaves],
                    [None] * len(leaves),
                    api=f"{prefix}.{name}",
                )
                record.after = [
                    _copy(g) if isinstance(g, torch.Tensor) else None
                    for g in (grads + [None] * len(leaves))[: len(leaves)]
                ]
                recorder.backwards.append(record)
                return result

            return run

        return transform

    def eager(module: Any, prefix: str, name: str) -> Callable:
        original = getattr(module, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            if not outermost(f"{prefix}.{name}"):
                return original(*args, **kwargs)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return run

    original_init = torch.optim.Optimizer.__init__

    def init(
        self: torch.optim.Optimizer, *args: Any, **kwargs: Any
    ) -> None:
        original_init(self, *args, **kwargs)
        recorder.optimizers.append(self)

    patch(torch.autograd, "backward", backward)
    patch(torch.autograd, "grad", grad)
    for name in FUNCTIONAL_APIS:
        if hasattr(torch.func, name):
            patch(torch.func, name, functional(torch.func, "func", name))
    for name in ("jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"):
        patch(
            autograd_functional,
            name,
            eager(autograd_functional, "functional", name),
        )
    patch(torch.optim.Optimizer, "__init__", init)
    swapped: dict[str, Any] = {}
    if isinstance(namespace, dict):
        replacement = {
            id(original): getattr(owner, name)
            for (owner, name), original in originals.items()
        }
        for key, value in list(namespace.items()):
            if callable(value) and id(value) in replacement:
                swapped[key] = value
                namespace[key] = replacement[id(value)]
    try:
        yield recorder
    finally:
        for (owner, name), original in originals.items():
            setattr(owner, name, original)
        namespace_dict = namespace if isinstance(namespace, dict) else {}
        namespace_dict.update(swapped)


class RecordingWriter:
    """Un ``SummaryWriter`` qui ne fait que retenir ce qu'on lui écrit (``add_scalar``)."""

    def __init__(self, log_dir: str = "") -> None:
        self.log_dir = log_dir
        self.scalars: dict[str, list[tuple[int, float]]] = {}

    def add_scalar(
        self,
        tag: str,
        value: Any,
        global_step: Any = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        step = -1 if global_step is None else int(global_step)
        self.scalars.setdefault(tag, []).append((step, float(value)))

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

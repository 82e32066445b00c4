"""Les vérifications de l'édition étudiant (``tp2_src.checks``), sur le corpus de tentatives.

Chaque tentative de ``attempts`` est exécutée ici, dans le processus des tests, comme
dans son notebook : les noms que le chapitre a définis avant l'exercice (``CONTEXT``),
les solutions des exercices précédents, puis la cellule de l'étudiant et la cellule de
vérification du chapitre. Une tentative juste doit passer (✅), une fausse échouer avec
le message qui nomme sa cause ; aucune ne doit finir sur une autre erreur que
``CheckError``, ni afficher un avertissement. ``test_kit.py`` rejoue le même corpus dans
les notebooks du kit.

La **porte de couverture** : chaque diagnostic des vérifications (chaque appel à
``fail``, chaque erreur de PyTorch reconnue) est atteint par au moins une tentative,
sauf ceux de ``UNREACHABLE``, chacun avec sa raison.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import random
import re
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import torch
from attempts import ATTEMPTS, CHAPTER, CONTEXT, Attempt
from helpers import BOOK, WITH_QUESTIONS
from tp2_book import conventions

from tp2_src import checks
from tp2_src.checks import EXERCISES, CheckError, check
from tp2_src.checks.grading import KNOWN_ERRORS

# Les tentatives et la porte de couverture dans un même processus (``--dist loadgroup``) :
# chaque tentative n'y est jouée qu'une fois (``outcome``, mémoïsé).
pytestmark = pytest.mark.xdist_group("corpus")

CELL = "<cellule de l'exercice>"
CHECKS = Path(checks.__file__).parent

#: Les diagnostics qu'aucun code d'étudiant ne peut atteindre, et pourquoi.
UNREACHABLE: dict[str, str] = {
    "grading.lookup : appelez la vérification avec globals() (elle y": (
        "la cellule de vérification est donnée par le notebook, l'étudiant ne l'écrit pas ; "
        "testé à part (test_a_check_needs_the_notebook_names)"
    ),
    "KNOWN_ERRORS[7] : Expected all tensors to be on the same device": (
        "les vérifications jouent le code sur le processeur : seul un paramètre créé sur une "
        "carte graphique l'atteint, et la machine des tests n'en a pas"
    ),
    "autograd.check_tanh_function : gradcheck refuse la passe arrière : elle": (
        "filet de sécurité : la passe avant (float64, à 10⁻¹²) et le produit vecteur–jacobienne pour un "
        "gradient reçu quelconque sont déjà comparés ; gradcheck ne refuserait plus qu'une passe arrière "
        "non linéaire en grad_output qui tombe juste sur ce gradient-là"
    ),
    "modules.check_sequential : le Sequential et TwoLayerNet, partis des mêmes": (
        "défensif : les deux réseaux ont alors les mêmes valeurs, les mêmes sorties (vérifiées "
        "juste avant) et le même état aléatoire (torch et random) ; seul un train_net qui "
        "traiterait les paramètres selon leur rang dans parameters() les distinguerait."
    ),
    "common.floats : rend des coûts non finis : l'apprentissage": (
        "défensif : au chapitre 3, les coûts sont jugés d'abord pas à pas sur le petit jeu, où la "
        "descente reste finie, et à η = 0,1 sans remise à zéro le coût de Boston oscille sans diverger"
    ),
    "descent.optimum_gap : les paramètres rendus contiennent nan ou inf": (
        "défensif : une descente qui passe l'audit pas à pas (même méthode, même taux) ne diverge pas "
        "sur Boston Housing aux taux que les vérifications emploient"
    ),
    "descent.optimum_gap : sur Boston Housing, la MSE d'apprentissage atteinte": (
        "défensif : une descente qui passe l'audit pas à pas fait, sur Boston Housing, les pas de la "
        "référence, qui arrive à 1 % de l'optimum ; seul un code qui se comporte autrement sur "
        "Boston que sur le petit jeu l'atteindrait"
    ),
}


@cache
def exercises(stem: str) -> list[conventions.Exercise]:
    return conventions.exercises(BOOK / f"{stem}.py")


def namespace_before(attempt: Attempt) -> dict:
    """Les noms du notebook juste avant l'exercice : le contexte, puis les solutions des
    exercices précédents du chapitre."""
    stem = CHAPTER[attempt.exercise]
    namespace: dict = {}
    exec(CONTEXT[stem], namespace)
    for exercise in exercises(stem):
        if exercise.label == attempt.exercise:
            return namespace
        if exercise.solution:
            exec(exercise.solution, namespace)
    raise AssertionError(f"exercice {attempt.exercise} absent de {stem}")


def run_cell(code: str, namespace: dict) -> None:
    """Exécute ``code`` comme une cellule : ses lignes sont lisibles dans une pile d'appels."""
    linecache.cache[CELL] = (len(code), None, code.splitlines(True), CELL)
    exec(compile(code, CELL, "exec"), namespace)


def check_cell(label: str) -> str:
    exercise = next(e for e in exercises(CHAPTER[label]) if e.label == label)
    assert exercise.check, f"{label} : pas de cellule de vérification"
    return exercise.check


# --- Les diagnostics des vérifications ------------------------------------------------------


def _message_start(call: ast.Call) -> str:
    """Les premiers mots littéraux du message d'un appel à ``fail``."""
    parts = []
    for node in ast.walk(call.args[1]) if len(call.args) > 1 else ():
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            parts.append(node.value)
    return " ".join(" ".join(parts).split()[:7])


@cache
def diagnoses() -> dict[tuple[str, int], str]:
    """Chaque appel à ``fail`` des vérifications : (fichier, ligne) → « module.fonction : début
    du message », un nom stable pour la liste ``UNREACHABLE``."""
    found = {}
    for path in sorted(CHECKS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "fail":
                    key = (str(path), node.lineno)
                    found.setdefault(key, f"{path.stem}.{function.name} : {_message_start(node)}")
    return found


def _known_key(index: int) -> str:
    return f"KNOWN_ERRORS[{index}] : {KNOWN_ERRORS[index][0][:50]}"


@dataclass(frozen=True)
class Outcome:
    passed: bool
    text: str  # la ligne ✅, ou le message de l'échec
    diagnosis: str | None  # le diagnostic atteint (nom de ``diagnoses``)
    known: str | None  # l'erreur de PyTorch reconnue
    warnings: tuple[str, ...]
    other: str | None  # une autre exception que CheckError


@cache
def outcome(attempt: Attempt) -> Outcome:
    """La tentative jouée dans son notebook, une fois par processus, avec les générateurs
    aléatoires (torch, random) semés à 0 et rendus ensuite dans leur état : le verdict d'une
    tentative qui tire au hasard (torch.randperm) ne dépend pas des tests joués avant elle."""
    python_state = random.getstate()
    random.seed(0)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            return _outcome(attempt)
    finally:
        random.setstate(python_state)


def _outcome(attempt: Attempt) -> Outcome:
    namespace = namespace_before(attempt)
    run_cell(attempt.code, namespace)  # la cellule de l'étudiant ne lève rien : elle définit
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(out):
        warnings.simplefilter("always")
        try:
            exec(check_cell(attempt.exercise), namespace)
        except CheckError as err:
            known = _known_key(err.known) if err.known is not None else None
            return Outcome(
                False, str(err), diagnoses().get(err.site), known, tuple(str(w.message) for w in caught), None
            )
        except Exception as err:  # noqa: BLE001 — ce que le test doit refuser
            return Outcome(False, "", None, None, (), f"{type(err).__name__} : {err}")
    return Outcome(True, out.getvalue(), None, None, tuple(str(w.message) for w in caught), None)


# --- Le corpus --------------------------------------------------------------------------


def test_every_code_exercise_has_attempts_right_and_wrong() -> None:
    """Le corpus couvre chaque exercice de code du livre, inscrit au registre, avec des
    tentatives justes et fausses, dont la solution du livre."""
    code_exercises = {e.label for c in WITH_QUESTIONS for e in conventions.exercises(c) if not e.written}
    assert code_exercises == set(CHAPTER) == set(EXERCISES), (code_exercises, set(CHAPTER), set(EXERCISES))
    for label in code_exercises:
        verdicts = {a.expected is None for a in ATTEMPTS if a.exercise == label}
        assert verdicts == {True, False}, f"{label} : il faut au moins une tentative juste et une fausse"
        assert any(a.name == "la solution du livre" for a in ATTEMPTS if a.exercise == label)
    names = [(a.exercise, a.name) for a in ATTEMPTS]
    assert len(names) == len(set(names)), "deux tentatives du même exercice portent le même nom"
    assert len(ATTEMPTS) >= 170, len(ATTEMPTS)


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: f"{a.exercise} : {a.name}")
def test_each_attempt_gets_its_verdict(attempt: Attempt) -> None:
    result = outcome(attempt)
    assert result.other is None, result.other
    assert not result.warnings, f"avertissement sous le verdict : {result.warnings}"
    if attempt.expected is None:
        assert result.passed and result.text.startswith("✅ "), result.text
    else:
        assert not result.passed, f"acceptée à tort : {result.text}"
        assert re.search(attempt.expected, result.text), result.text
        assert result.diagnosis is not None, f"échec hors de fail() : {result.text}"


def test_every_diagnosis_is_reached_by_an_attempt() -> None:
    """La porte de couverture : chaque ``fail`` et chaque erreur reconnue est atteint par
    une tentative (sauf ``UNREACHABLE``), et la liste ``UNREACHABLE`` n'a pas vieilli."""
    reached = set()
    for attempt in ATTEMPTS:
        result = outcome(attempt)
        reached |= {result.diagnosis, result.known} - {None}
    everything = set(diagnoses().values()) | {_known_key(i) for i in range(len(KNOWN_ERRORS))}
    assert not set(UNREACHABLE) - everything, f"exemptions périmées : {set(UNREACHABLE) - everything}"
    assert not set(UNREACHABLE) & reached, f"exemptions atteintes : {set(UNREACHABLE) & reached}"
    missing = sorted(everything - reached - set(UNREACHABLE))
    assert not missing, f"{len(missing)} diagnostic(s) jamais atteint(s) :\n" + "\n".join(missing)


def test_each_attempt_pins_one_diagnosis() -> None:
    """Le motif attendu d'une tentative fausse ne reconnaît que le message de son propre
    diagnostic : pas celui d'une autre tentative refusée pour une autre cause."""
    wrong = [a for a in ATTEMPTS if a.expected is not None]
    for attempt in wrong:
        mine = outcome(attempt)
        for other in wrong:
            theirs = outcome(other)
            if other.exercise == attempt.exercise and (theirs.diagnosis, theirs.known) != (
                mine.diagnosis,
                mine.known,
            ):
                assert not re.search(attempt.expected, theirs.text), (
                    f"{attempt.exercise} : le motif de « {attempt.name} » reconnaît aussi le message "
                    f"de « {other.name} » : {theirs.text}"
                )


# --- Les vérifications elles-mêmes --------------------------------------------------------


@pytest.mark.parametrize("exercise", sorted(set(CHAPTER)))
def test_a_check_run_before_its_exercise_says_what_to_run(exercise: str) -> None:
    """Dans un noyau neuf, ou après un redémarrage : un message en français, pas un NameError."""
    with pytest.raises(CheckError, match="n'est pas défini : exécutez d'abord les cellules au-dessus"):
        exec(check_cell(exercise), {})


@pytest.mark.parametrize("label", sorted(set(CHAPTER)))
def test_the_skeleton_as_shipped_fails_its_check(label: str) -> None:
    """Chaque squelette, tel que l'édition étudiant le donne, échoue avec un message."""
    exercise = next(e for e in exercises(CHAPTER[label]) if e.label == label)
    namespace = namespace_before(Attempt(label, "", "", None))
    run_cell(exercise.skeleton, namespace)
    with pytest.raises(CheckError, match=rf"^{re.escape(EXERCISES[label].name)} : \S") as caught:
        exec(exercise.check, namespace)
    assert caught.value.site in diagnoses(), "échec hors de fail()"


@pytest.mark.parametrize("label", sorted(set(CHAPTER)))
def test_a_check_leaves_the_random_state_and_its_inputs_alone(label: str) -> None:
    """La solution du livre jugée : ni le générateur aléatoire de torch ni celui de Python ne
    bougent, et les données du notebook restent les mêmes."""
    attempt = next(a for a in ATTEMPTS if a.exercise == label and a.name == "la solution du livre")
    namespace = namespace_before(attempt)
    run_cell(attempt.code, namespace)
    tensors = {k: v.clone() for k, v in namespace.items() if isinstance(v, torch.Tensor)}
    torch.manual_seed(123)
    random.seed(123)
    expected = (torch.rand(3), random.random())
    torch.manual_seed(123)
    random.seed(123)
    with contextlib.redirect_stdout(io.StringIO()):
        check(label, namespace)
    assert torch.equal(torch.rand(3), expected[0]) and random.random() == expected[1]
    for name, before in tensors.items():
        assert torch.equal(namespace[name], before), f"{label} : {name} a changé"


def test_a_check_needs_the_notebook_names() -> None:
    with pytest.raises(CheckError, match=r"appelez la vérification avec globals\(\)"):
        check("q1-1", None)


def test_an_unknown_label_is_named() -> None:
    with pytest.raises(CheckError, match=r"« ex-9z » n'est l'étiquette d'aucun exercice de code"):
        check("ex-9z", {})


def test_a_check_refuses_a_function_with_the_wrong_parameters() -> None:
    namespace = {"batch_descent": lambda X, y: (X, y)}
    with pytest.raises(CheckError, match=r"devrait prendre 7 paramètres"):
        check("q1-1", namespace)


def test_the_chapter_takes_each_code_exercise_title_from_the_registry() -> None:
    """Le titre d'un exercice de code n'a qu'une source : le registre ; le chapitre écrit
    ``{exercise}`` sans titre, et sa cellule de vérification appelle ``check`` par l'étiquette."""
    for chapter in WITH_QUESTIONS:
        raw = chapter.read_text(encoding="utf-8")
        for exercise in conventions.exercises(chapter):
            if exercise.written:
                continue
            entry = EXERCISES[exercise.label]
            assert exercise.title == entry.heading
            assert entry.heading not in raw, f"{exercise.label} : titre recopié dans {chapter.name}"
            assert f'check("{exercise.label}", globals())' in exercise.check
    with pytest.raises(ValueError, match="a un titre dans le chapitre"):
        conventions.titled("# ````{exercise} Exercice 4.a — recopié\n# :label: ex-4a\n# ````\n")
    with pytest.raises(ValueError, match="n'est pas inscrit au registre"):
        conventions.titled("# ````{exercise}\n# :label: ex-9z\n# ````\n")

"""Les vérifications de l'édition étudiant (``tp2_src.checks``), sur le corpus de tentatives.

Chaque tentative de ``attempts.py`` est exécutée ici, dans le processus des tests, comme
dans son notebook : les noms que le chapitre a définis avant l'exercice (``CONTEXT``),
les solutions des exercices précédents, puis la cellule de l'étudiant et la cellule de
vérification du chapitre. Une tentative juste doit passer (✅), une fausse échouer avec
le message qui nomme sa cause ; aucune ne doit finir sur une autre erreur que
``CheckError``. ``test_kit.py`` rejoue le même corpus dans les notebooks du kit.
"""

from __future__ import annotations

import ast
import linecache
import random
from functools import cache

import pytest
import torch
from attempts import ATTEMPTS, CHAPTER, CONTEXT, Attempt
from helpers import BOOK, WITH_QUESTIONS
from tp2_book import conventions

from tp2_src import checks
from tp2_src.checks import CheckError

CELL = "<cellule de l'exercice>"


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


def check_cell(attempt: Attempt) -> str:
    exercise = next(e for e in exercises(CHAPTER[attempt.exercise]) if e.label == attempt.exercise)
    assert exercise.check, f"{attempt.exercise} : pas de cellule de vérification"
    return exercise.check


def test_every_code_exercise_has_attempts_right_and_wrong() -> None:
    """Le corpus couvre chaque exercice de code du livre, avec des tentatives justes et fausses."""
    code_exercises = {e.label for c in WITH_QUESTIONS for e in conventions.exercises(c) if not e.written}
    assert code_exercises == set(CHAPTER), (code_exercises, set(CHAPTER))
    for label in code_exercises:
        verdicts = {a.expected is None for a in ATTEMPTS if a.exercise == label}
        assert verdicts == {True, False}, f"{label} : il faut au moins une tentative juste et une fausse"
    assert len(ATTEMPTS) >= 30


class _WithoutDocsAndHints(ast.NodeTransformer):
    """Retire docstrings et annotations : ce que la solution du livre ajoute pour le lecteur."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.returns = None
        return self.visit_ClassDef(node)

    def visit_ClassDef(self, node):
        self.generic_visit(node)
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
            first.value.value, str
        ):
            node.body = node.body[1:] or [ast.Pass()]
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node


def test_the_book_solution_in_the_corpus_is_the_chapters() -> None:
    """« la solution du livre » du corpus, écrite comme un étudiant (sans commentaires ni
    docstrings), est le code de la solution du chapitre : elle ne peut pas s'en écarter."""

    def tree(code: str) -> str:
        return ast.dump(_WithoutDocsAndHints().visit(ast.parse(code)))

    book = [a for a in ATTEMPTS if a.name == "la solution du livre"]
    assert {a.exercise for a in book} == set(CHAPTER)
    for attempt in book:
        exercise = next(e for e in exercises(CHAPTER[attempt.exercise]) if e.label == attempt.exercise)
        assert tree(attempt.code) == tree(exercise.solution), f"{attempt.exercise} : le corpus a dérivé"


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda a: f"{a.exercise} : {a.name}")
def test_each_attempt_gets_its_verdict(attempt: Attempt, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = namespace_before(attempt)
    run_cell(attempt.code, namespace)  # la cellule de l'étudiant ne lève rien : elle définit
    check = check_cell(attempt)
    if attempt.expected is None:
        exec(check, namespace)
        out = capsys.readouterr().out
        assert out.startswith("✅ "), out
    else:
        with pytest.raises(CheckError, match=attempt.expected):
            exec(check, namespace)


@pytest.mark.parametrize("exercise", sorted(set(CHAPTER)))
def test_a_check_run_before_its_exercise_says_what_to_run(exercise: str) -> None:
    """Dans un noyau neuf, ou après un redémarrage : un message en français, pas un NameError."""
    check = check_cell(next(a for a in ATTEMPTS if a.exercise == exercise))
    with pytest.raises(CheckError, match="n'est pas défini : exécutez d'abord les cellules au-dessus"):
        exec(check, {})


def test_the_skeleton_as_shipped_fails_its_check() -> None:
    """Chaque squelette, tel que l'édition étudiant le donne, échoue avec un message."""
    for label, stem in CHAPTER.items():
        exercise = next(e for e in exercises(stem) if e.label == label)
        namespace = namespace_before(Attempt(label, "", "", None))
        run_cell(exercise.skeleton, namespace)
        with pytest.raises(CheckError, match=r" : "):
            exec(exercise.check, namespace)


def test_a_check_leaves_the_random_state_and_its_inputs_alone() -> None:
    attempt = next(a for a in ATTEMPTS if a.exercise == "q1-3" and a.expected is None)
    namespace = namespace_before(attempt)
    run_cell(attempt.code, namespace)
    X_before = namespace["X_train"].clone()
    torch.manual_seed(123)
    random.seed(123)
    expected = (torch.rand(3), random.random())
    torch.manual_seed(123)
    random.seed(123)
    checks.check_minibatch_descent(namespace)
    assert torch.equal(torch.rand(3), expected[0]) and random.random() == expected[1]
    assert torch.equal(namespace["X_train"], X_before)


def test_a_check_needs_the_notebook_names() -> None:
    with pytest.raises(CheckError, match=r"appelez la vérification avec globals\(\)"):
        checks.check_batch_descent(None)


def test_a_check_refuses_a_function_with_the_wrong_parameters() -> None:
    namespace = {"batch_descent": lambda X, y: (X, y)}
    with pytest.raises(CheckError, match=r"devrait prendre 7 paramètres"):
        checks.check_batch_descent(namespace)

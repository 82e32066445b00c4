"""Les deux éditions des notebooks et le kit, tirés des chapitres (sans rien exécuter).

L'édition étudiant ne doit contenir aucune ligne des solutions, ni leur prose ; chaque
question y a un squelette suivi de sa vérification. L'édition complète garde tout.
"""

from __future__ import annotations

import builtins
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import BOOK, CHAPTERS, ROOT, TITLE, WITH_QUESTIONS, names_in
from tp2_book import conventions
from tp2_book.build_date import SUBSTITUTION, book_date
from tp2_book.conventions import SETUP, SOLUTION
from tp2_book.editions import YOUR_ANSWER, EditionError, edition, notebook_setup, write_editions
from tp2_book.settings import FULL_DIR, STUDENT_DIR
from tp2_tools import lab


def tagged(notebook: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if tag in c.metadata.get("tags", [])]


def solution_prose(chapter: Path) -> list[str]:
    """Les lignes de prose des solutions dans la source (assez longues pour être uniques)."""
    return [text for text, in_solution in conventions.prose(chapter) if in_solution and len(text) > 40]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
@pytest.mark.parametrize("student", [True, False], ids=["étudiant", "complet"])
def test_a_notebook_opens_on_the_imports_not_the_build(chapter: Path, student: bool) -> None:
    """Les réglages du livre gardés dans un notebook : sans le commentaire « Plomberie du
    livre », et chaque cellule que la page masque (``setup`` : réglages, code des figures)
    y est repliée ; les autres ne le sont pas."""
    notebook = edition(chapter, student=student)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].source.lstrip().startswith(("import ", "from ")), code[0].source[:80]
    assert "Plomberie" not in "\n".join(c.source for c in code)
    setup = [c for c in code if SETUP in c.metadata.get("tags", [])]
    assert setup, "aucune cellule setup"
    for cell in code:
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert hidden == (cell in setup), cell.source[:120]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_holds_no_solution(chapter: Path) -> None:
    source = conventions.read(chapter)
    student = edition(chapter, student=True)
    text = "\n".join(c.source for c in student.cells)
    # Ce que le squelette donne, et ce que le corps du chapitre montre à tous, n'est pas secret.
    skeletons = [e.skeleton or "" for e in conventions.exercises(chapter)]
    shown = "\n".join(
        [*skeletons, *(c.source for c in source if c.cell_type == "code" and not c.has(SOLUTION))]
    )
    for cell in (c for c in source if c.has(SOLUTION)):
        for line in cell.source.splitlines():
            line = line.strip()
            if len(line) > 20 and line not in shown:
                assert line not in text, f"{chapter.name} : ligne de solution dans l'édition étudiant\n{line}"
    for line in solution_prose(chapter):
        assert line not in text, f"{chapter.name} : prose de solution dans l'édition étudiant\n{line}"
    assert not re.search(r"\{solution|solution-start|solution-end", text)
    assert "**Solution**" not in text


@pytest.mark.parametrize("chapter", WITH_QUESTIONS, ids=lambda p: p.stem)
def test_each_question_has_a_skeleton_then_its_check(chapter: Path) -> None:
    student = edition(chapter, student=True)
    solutions = [c for c in conventions.read(chapter) if c.has(SOLUTION)]
    assert solutions, f"{chapter.name} : aucune cellule de solution"
    skeletons = [i for i, c in enumerate(student.cells) if "skeleton" in c.metadata.get("tags", [])]
    assert len(skeletons) == len(solutions)
    for i in skeletons:
        assert "# À vous" in student.cells[i].source or "...  # À vous" in student.cells[i].source
        compile(student.cells[i].source, f"{chapter.name}:squelette", "exec")  # du Python valide
        following = student.cells[i + 1]
        assert "check" in following.metadata.get("tags", []), f"{chapter.name} : squelette sans vérification"
        assert re.fullmatch(
            r'from tp2_src\.checks import check\n\ncheck\("[\w-]+", globals\(\)\)\n?', following.source
        ), following.source
        # L'énoncé se lit d'un trait : ni phrase qui finit sur « : » là où la page montre le
        # squelette, ni lignes de citation vides en double.
        statement = student.cells[i - 1].source
        assert not statement.rstrip().endswith(":"), statement[-200:]
        assert ">\n>\n>" not in statement and ":\n>\n>\n" not in statement, statement
    # Les cellules propres au livre (valeurs collées, vérifications de la prose) sont retirées.
    assert "glue(" not in "\n".join(
        c.source for c in student.cells if "setup" not in c.metadata.get("tags", [])
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_full_edition_keeps_every_cell_and_reads_without_myst(chapter: Path) -> None:
    full = edition(chapter, student=False, glue={}, figures={})
    codes = [c.source for c in full.cells if c.cell_type == "code"]
    expected = [
        notebook_setup(c.source) if c.has(SETUP) else c.source
        for c in conventions.read(chapter)
        if c.cell_type == "code"
    ]
    assert codes == expected
    assert not tagged(full, "skeleton")
    first = full.cells[0].source
    assert "pip install -r requirements.txt" in first and "python3 -m venv" in first
    assert "édition complète" in first
    prose = "\n".join(c.source for c in full.cells if c.cell_type == "markdown")
    assert not re.search(r"```\{(exercise|solution|admonition|glue:figure|glue:md|tab-item)", prose)
    assert not re.search(r"\{(term|ref|numref|glue:md)\}`", prose)
    assert not re.search(r"^\([\w-]+\)=$", prose, re.M)
    titles = re.findall(r"^> \*\*((?:Question|Exercice) [^*]+)\*\*$", prose, re.M)
    assert titles == [e.title for e in conventions.exercises(chapter)]


def write_chapter(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "09_essai.py"
    header = (
        "# ---\n# jupyter:\n#   kernelspec:\n#     name: python3\n#     display_name: Python 3\n# ---\n\n"
    )
    path.write_text(header + body, encoding="utf-8")
    return path


SAMPLE = """# %% [markdown]
# (chap-essai)=
# # Essai
#
# Voir le {term}`graphe <graphe de calcul>`, la {numref}`fig-a` et le {ref}`chapitre 2 <chap-autograd>` ;
# le coût vaut {glue:md}`cout` (voir la {numref}`section %s <sec-b>`).
#
# ````{exercise} Question 9.1 — un essai
# :label: q9
# :nonumber:
# Écrivez `x`.
#
# ```python
# x = 0  # À vous : la bonne valeur
# ```
# ````
#
# ```{solution-start} q9
# :class: dropdown
# ```
#
# La prose de la solution, qui explique la réponse.

# %% tags=["solution"]
x = 42

# %% tags=["check", "remove-cell"]
assert x == 42

# %% [markdown]
# ```{solution-end}
# ```
#
# Après la solution.
#
# ```{only} html
# Sur la page web seulement.
# ```
#
# ```{only} notebook
# Dans le notebook seulement.
# ```
#
# ## Questions
#
# ```{exercise} Exercice 9.a — pourquoi ?
# :label: q9b
# Pourquoi ?
# ```
#
# ```{solution} q9b
# :class: dropdown
# Parce que.
# ```

# %% tags=["remove-cell"]
glue("cout", 3.5, ".1f")
"""


def test_markdown_becomes_plain_markdown(tmp_path: Path) -> None:
    chapter = write_chapter(tmp_path, SAMPLE)
    numbers = {"fig-a": "Fig. 7", "sec-b": "9.2"}
    student = edition(chapter, student=True, glue={"cout": "3,5"}, figures=numbers)
    prose = "\n---\n".join(c.source for c in student.cells[1:] if c.cell_type == "markdown")
    assert prose == (
        "# 9. Essai\n\n"
        "Voir le graphe, la Fig. 7 et le chapitre 2 ;\nle coût vaut 3,5 (voir la section 9.2).\n\n"
        "> **Question 9.1 — un essai**\n>\n> Écrivez `x`."
        "\n---\n"
        "Après la solution.\n\nDans le notebook seulement.\n\n## 9.1. Questions\n\n"
        "> **Exercice 9.a — pourquoi ?**\n>\n> Pourquoi ?"
        "\n---\n"
        f"{YOUR_ANSWER}"
    )
    codes = [(c.source, c.metadata.get("tags")) for c in student.cells if c.cell_type == "code"]
    assert codes == [("x = 0  # À vous : la bonne valeur", ["skeleton"]), ("assert x == 42", ["check"])]
    full = edition(chapter, student=False)
    prose = "\n".join(c.source for c in full.cells[1:] if c.cell_type == "markdown")
    assert "> **Solution**\n\nLa prose de la solution" in prose and "> **Solution**\n>\n> Parce que." in prose
    assert "> ```python\n> x = 0  # À vous : la bonne valeur\n> ```" in prose  # l'énoncé garde son squelette
    assert "le coût vaut … (voir la section …)" in prose and "Voir le graphe, la figure et" in prose
    assert "Sur la page web seulement" not in prose and YOUR_ANSWER not in prose
    assert [c.source for c in full.cells if c.cell_type == "code"] == [
        "x = 42",
        "assert x == 42",
        'glue("cout", 3.5, ".1f")',
    ]


GLUED_BLOCK = """# %% [markdown]
# # Essai
#
# ````{admonition} Pour aller plus loin
# :class: dropdown
# L'ordre des nœuds :
#
# ```{glue:md} tableau
# :format: myst
# ```
# ````
#
# Après.
"""


def test_a_glued_markdown_block_becomes_its_text(tmp_path: Path) -> None:
    """Un ``{glue:md}`` en bloc (un tableau collé) devient le tableau, dans sa citation."""
    chapter = write_chapter(tmp_path, GLUED_BLOCK)
    table = "| nœud | ordre |\n|---|---|\n| x | 1 |"
    notebook = edition(chapter, student=False, glue={"tableau": table})
    prose = "\n".join(c.source for c in notebook.cells[1:] if c.cell_type == "markdown")
    assert "> | nœud | ordre |\n> |---|---|\n> | x | 1 |" in prose, prose
    assert "glue:md" not in prose and ":format:" not in prose
    assert prose.endswith("Après."), prose
    missing = edition(chapter, student=False, glue={})
    assert "> …" in "\n".join(c.source for c in missing.cells if c.cell_type == "markdown")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s.replace("# ```python\n# x = 0  # À vous : la bonne valeur\n# ```\n", ""),
            "n'a pas de squelette",
        ),
        (
            lambda s: s.replace(
                '# %% tags=["solution"]\nx = 42',
                '# %% tags=["solution"]\nx = 42\n\n# %% tags=["solution"]\nx = 43',
            ),
            "une seule cellule `solution` par exercice",
        ),
        (lambda s: s.replace('tags=["check", "remove-cell"]', ""), "doit porter le tag `solution`"),
        (
            lambda s: s.replace("# ```{solution-start} q9\n# :class: dropdown\n# ```\n", ""),
            "hors d'une solution",
        ),
    ],
    ids=["sans squelette", "deux solutions", "code non marqué", "solution hors région"],
)
def test_a_malformed_chapter_is_refused(tmp_path: Path, change, message: str) -> None:
    chapter = write_chapter(tmp_path, change(SAMPLE))
    with pytest.raises(EditionError, match=f"09_essai.py.*{re.escape(message)}"):
        edition(chapter, student=True)


def test_write_editions_never_overwrites_the_students_work(tmp_path: Path) -> None:
    chapters = CHAPTERS[:2]
    written = write_editions(chapters, tmp_path, overwrite=False)
    assert len(written) == 4
    mine = tmp_path / STUDENT_DIR / f"{chapters[0].stem}.ipynb"
    mine.write_text("mon travail", encoding="utf-8")
    assert write_editions(chapters, tmp_path, overwrite=False) == []
    assert mine.read_text(encoding="utf-8") == "mon travail"
    lab.main([str(tmp_path)])  # la commande de `nox -s lab` : pareil
    assert mine.read_text(encoding="utf-8") == "mon travail"


#: Un chapitre dont la prose cite la date du livre (substitution MyST).
DATED = "# %% [markdown]\n# # Essai daté\n#\n# Livre daté du {{ date_construction }}.\n"


def test_the_editions_say_what_their_caller_gives(tmp_path: Path) -> None:
    """Les éditions ne cherchent rien elles-mêmes (ni git ni configuration) : le titre du
    livre et sa date viennent de l'appelant ; sans eux, la première cellule ne cite que le
    chapitre, et la date est « … »."""
    chapter = write_chapter(tmp_path, DATED)
    given = {SUBSTITUTION: "14 juillet 2025"}
    paths = write_editions([chapter], tmp_path / "nb", book_title="Un autre livre", substitutions=given)
    assert len(paths) == 2
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        assert notebook.cells[0].source.startswith("*Un autre livre* · « 9. Essai daté »")
        assert "Livre daté du 14 juillet 2025." in notebook.cells[1].source
    bare = edition(chapter, student=False)
    assert bare.cells[0].source.startswith("« 9. Essai daté »")
    assert "Livre daté du …." in bare.cells[1].source


def test_the_lab_notebooks_carry_the_title_and_date_of_the_book(tmp_path: Path) -> None:
    """``nox -s lab`` donne aux éditions ce que leur donnerait la construction : le titre
    de ``_config.yml`` et la date du dernier commit."""
    book = tmp_path / "livre"
    book.mkdir()
    chapter = write_chapter(book, DATED)
    lab.main([str(tmp_path / "lab"), "--book", str(book)])
    for folder in (STUDENT_DIR, FULL_DIR):
        notebook = nbformat.read(tmp_path / "lab" / folder / f"{chapter.stem}.ipynb", as_version=4)
        assert notebook.cells[0].source.startswith(f"*{TITLE}* · ")
        assert f"Livre daté du {book_date(ROOT)}." in notebook.cells[1].source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
@pytest.mark.parametrize("student", [True, False], ids=["étudiant", "complète"])
def test_every_name_a_notebook_reads_is_defined_above(chapter: Path, student: bool) -> None:
    """Aucune cellule d'un notebook ne lit un nom qu'une cellule retirée de cette édition
    définissait (« Exécuter tout » finirait sur un NameError)."""
    known = set(dir(builtins))
    for cell in edition(chapter, student=student).cells:
        if cell.cell_type != "code":
            continue
        defined, read = names_in(cell.source)
        missing = read - known - defined
        assert not missing, f"{chapter.name} : {sorted(missing)} lu(s) avant d'être défini(s)\n{cell.source}"
        known |= defined


def test_the_editions_need_neither_sphinx_nor_docutils(tmp_path: Path) -> None:
    """``nox -s lab`` écrit les notebooks dans un environnement sans Sphinx : les éditions
    (encadrés, code montré, durée de lecture compris) n'importent ni Sphinx ni docutils.

    Un chapitre suffit : les imports sont les mêmes pour tous (les cinq sont convertis
    par les autres tests de ce fichier)."""
    script = (
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def guard(name, *args, **kwargs):\n"
        "    if name.split('.')[0] in ('sphinx', 'docutils'):\n"
        "        raise ImportError('importé par les éditions : ' + name)\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = guard\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "from pathlib import Path\n"
        "from tp2_book.conventions import chapters\n"
        "from tp2_book.editions import write_editions\n"
        f"print(len(write_editions(chapters(Path({str(BOOK)!r}))[:1], Path({str(tmp_path)!r}))))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.split()[-1]) == 2  # les deux éditions du chapitre

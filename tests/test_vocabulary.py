"""Un mot par notion : les mots écartés par le tableau du vocabulaire n'apparaissent nulle part.

Le tableau « Les mots et les symboles du livre » de l'introduction (``book/intro.md``) est
la seule liste : sa dernière colonne donne, pour chaque notion, les mots que le livre
n'emploie pas dans ce sens. On les cherche, comme des expressions entières et sans tenir
compte de la casse, dans tout ce qu'un étudiant lit : la prose des chapitres (légendes,
textes alternatifs et squelettes compris), les commentaires et les chaînes de leur code
(ce qu'affichent les sorties), le glossaire et l'introduction hors du tableau, les
docstrings, commentaires et messages de ``tp2_src`` (les vérifications comprises), et le
texte des notebooks et du kit que la machinerie écrit.
"""

from __future__ import annotations

import io
import re
import tokenize
from functools import cache
from pathlib import Path

import pytest
from helpers import BOOK, CHAPTERS, ROOT

INTRO = BOOK / "intro.md"
#: L'en-tête du tableau du vocabulaire (sa colonne « mots écartés »).
TABLE_HEADER = "| notion | dans ce livre | PyTorch, en anglais | mots écartés |"
#: Un mot écarté peut faire partie d'une expression d'un autre sens : « la racine du
#: dépôt » (un dossier), « la racine carrée » (RMSprop).
OTHER_MEANINGS = ("racine du dépôt", "racine carrée", "racines carrées")
#: Les textes de la machinerie que lit un étudiant : la première cellule des notebooks,
#: le LISEZMOI du kit, les lignes qui bornent un encadré facultatif.
MACHINERY_TEXTS = ("editions.py", "kit.py", "optional.py", "markdown.py")


def vocabulary_table() -> list[str]:
    """Les lignes du tableau du vocabulaire de l'introduction."""
    lines = INTRO.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADER)
    table = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        table.append(line)
    return table


def retired_words() -> dict[str, str]:
    """Chaque mot écarté, et le mot du livre qui le remplace."""
    retired = {}
    for row in vocabulary_table():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        bold = re.findall(r"\*\*(.+?)\*\*", cells[1])
        word = ", ".join(bold) if bold else cells[1]
        for phrase in filter(None, (p.strip() for p in cells[3].split(","))):
            retired[phrase] = word
    return retired


def python_texts(path: Path) -> str:
    """Les commentaires et les chaînes (docstrings, messages) d'un fichier Python."""
    parts = []
    for token in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if token.type in (tokenize.COMMENT, tokenize.STRING) or token.type == getattr(
            tokenize, "FSTRING_MIDDLE", -1
        ):
            parts.append(token.string)
    return "\n".join(parts)


def chapter_texts(chapter: Path) -> str:
    """Toute la prose d'un chapitre, et les commentaires et chaînes de son code."""
    import jupytext

    parts = []
    for cell in jupytext.read(chapter, fmt="py:percent").cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        else:
            try:
                tokens = tokenize.generate_tokens(io.StringIO(cell.source).readline)
                parts += [t.string for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]
            except (tokenize.TokenError, SyntaxError):
                parts.append(cell.source)
    return "\n".join(parts)


@cache
def sources() -> dict[str, str]:
    """Le texte de chaque source que lit un étudiant, par nom de fichier."""
    texts = {c.name: chapter_texts(c) for c in CHAPTERS}
    table = set(vocabulary_table())
    for page in sorted(BOOK.glob("*.md")):
        lines = page.read_text(encoding="utf-8").splitlines()
        texts[page.name] = "\n".join(line for line in lines if line not in table)
    for module in sorted((ROOT / "tp2_src").rglob("*.py")):
        texts[str(module.relative_to(ROOT))] = python_texts(module)
    for name in MACHINERY_TEXTS:
        texts[f"tp2_book/{name}"] = python_texts(ROOT / "book" / "_ext" / "tp2_book" / name)
    return texts


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """L'expression entière, insensible à la casse et aux espaces insécables."""
    words = [re.escape(w) for w in phrase.split()]
    return re.compile(r"(?<![\w-])" + r"[\s\u00a0\u202f]+".join(words) + r"(?![\w-])", re.IGNORECASE)


def test_the_table_retires_words() -> None:
    retired = retired_words()
    assert {"racine", "perte", "lot", "mini-lot", "pas ε"} <= set(retired), sorted(retired)
    assert retired["perte"] == "coût" and retired["lot"].startswith("mini-batch")


@pytest.mark.parametrize("name", sorted(sources()))
def test_no_retired_word(name: str) -> None:
    text = sources()[name]
    for other in OTHER_MEANINGS:
        text = phrase_pattern(other).sub(" ", text)
    found = []
    for phrase, word in retired_words().items():
        for match in phrase_pattern(phrase).finditer(text):
            line = text[: match.start()].count("\n")
            context = text.splitlines()[line].strip()[:90]
            found.append(f"« {match.group(0)} » (dites « {word} ») : {context}")
    assert not found, f"{name} :\n" + "\n".join(found)


def test_the_checker_finds_a_retired_word() -> None:
    """Le motif trouve un mot écarté, même en capitale et devant une ponctuation, mais pas
    dans un mot plus long."""
    assert phrase_pattern("perte").search("La Perte, au carré")
    assert not phrase_pattern("lot").search("le pilote d'un lotissement")
    assert phrase_pattern("pas ε").search("avec un pas\u00a0ε fixe")

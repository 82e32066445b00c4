"""La version PDF du livre : le constructeur LaTeX de Jupyter Book (xelatex), comme `nox -s pdf`.

Le PDF est construit une fois, dans la copie du livre déjà construite en HTML
(``built_book``) : ses sorties viennent du cache d'exécution. On le lit avec ``pdftotext``
et ``pdfinfo`` (poppler-utils) : chapitres numérotés une seule fois, titres accentués,
formules composées par LaTeX dans une police assortie au texte (``pdffonts`` : aucune
police Computer Modern, toutes intégrées), titre et langue dans les métadonnées, figures
vectorielles, exercices et solutions, note « Exécution de ce chapitre » et valeurs collées
(glue), aucun caractère manquant, pas de suite de pages blanches, et un site qui reste
léger une fois le PDF ajouté.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import CHAPTERS, ROOT, jupyter_book_build
from tp2_book import conventions
from tp2_book.settings import PDF_NAME, clear_latex, site_weight

TOOLS = ("xelatex", "latexmk", "make", "pdftotext", "pdfinfo", "pdfimages", "pdffonts")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
INSTALL = "les paquets Debian de la section « La version PDF » du README (.ci/run les installe)"

if MISSING and os.environ.get("CI"):
    raise RuntimeError(
        f"En CI, TeX Live et poppler-utils doivent être installés ({', '.join(MISSING)} absents) : {INSTALL}"
    )
pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason=f"{', '.join(MISSING)} absent(s) : installez {INSTALL}"),
]

#: Les polices de TeX par défaut : Computer Modern (CMR10, CMMI10…), ses symboles AMS
#: (MSBM10…) et Latin Modern.
COMPUTER_MODERN = re.compile(r"CM[A-Z]+\d|MS[AB]M\d|LM(Roman|Sans|Mono|Math)")
#: Le site (sans le kit) et le PDF ensemble : au plus 8 Mio.
SITE_BUDGET = 8 * 2**20


def normalize(text: str) -> str:
    """Texte comparable : espaces (insécables comprises) réduites, apostrophes droites."""
    text = text.replace("’", "'").replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"\s*:\s*", " : ", text)
    return " ".join(text.split())


def poppler(tool: str, pdf: Path, *options: str) -> str:
    """La sortie d'un outil de poppler-utils (``pdffonts``, ``pdfimages``…) sur ``pdf``."""
    return subprocess.run([tool, *options, str(pdf)], capture_output=True, text=True, check=True).stdout


def chapter_title(chapter: Path) -> str:
    """Le titre ``# `` du chapitre (cellule Markdown de Jupytext), sans les accents graves."""
    for line in chapter.read_text(encoding="utf-8").splitlines():
        if line.startswith("# # "):
            return normalize(line[4:].replace("`", ""))
    raise AssertionError(f"{chapter.name} : pas de titre « # »")


@dataclass
class BuiltPdf:
    path: Path
    log: str
    pages: list[str]  # le texte de chaque page (pdftotext)
    html: Path

    @property
    def text(self) -> str:
        return normalize(" ".join(self.pages))


def _build_pdf(src: Path) -> None:
    clear_latex(src / "_build")
    result = jupyter_book_build(src, "--builder", "pdflatex")
    if result.returncode != 0:
        pytest.fail("La construction du PDF a échoué :\n" + result.stdout[-6000:] + result.stderr[-3000:])


@pytest.fixture(scope="module")
def built_pdf(built_book: Path, run_once: Callable) -> BuiltPdf:
    """Le PDF construit une fois, dans la copie du livre déjà construite en HTML."""
    src = built_book.parent.parent
    run_once("pdf", lambda _folder: _build_pdf(src))
    pdf = src / "_build" / "latex" / PDF_NAME
    assert pdf.is_file(), f"{pdf.name} absent de {pdf.parent}"
    log = pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = text.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()  # pdftotext termine chaque page par un saut de page
    return BuiltPdf(pdf, log, pages, built_book)


def test_page_count_is_sane(built_pdf: BuiltPdf) -> None:
    info = poppler("pdfinfo", built_pdf.path)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert 40 <= pages <= 200, f"{pages} pages"
    assert len(built_pdf.pages) == pages
    assert "A4" in info, info


def test_each_chapter_is_numbered_once(built_pdf: BuiltPdf) -> None:
    # La table des matières : les pages avant le texte de l'introduction.
    intro = next(i for i, page in enumerate(built_pdf.pages) if "Ce livre accompagne" in page)
    toc = normalize(" ".join(built_pdf.pages[:intro]))
    for number, chapter in enumerate(CHAPTERS, start=1):
        title = chapter_title(chapter)
        assert f"{number} {title}" in toc, f"table des matières : « {number} {title} » absent"
        numbers = re.findall(r"(\d+) (?:\d+\. )?" + re.escape(title), toc)
        assert numbers == [str(number)], f"{title} : numéros {numbers} (attendu {number}, une seule fois)"
        assert f"{number}. {title}" not in toc, f"{title} : numéro en double"
    # La page d'accueil est une introduction sans numéro ; le récapitulatif et le glossaire,
    # des annexes.
    assert "Introduction" in toc and "A Récapitulatif" in toc and "B Glossaire" in toc


def test_chapter_titles_keep_their_accents(built_pdf: BuiltPdf) -> None:
    assert "Différentiation automatique : autograd" in built_pdf.text
    for chapter in CHAPTERS:
        assert chapter_title(chapter) in built_pdf.text, chapter.name


def test_formulas_are_typeset_by_latex(built_pdf: BuiltPdf) -> None:
    text = built_pdf.text
    assert "∂" in text and "θ" in text
    assert "\\partial" not in text and "\\frac" not in text, "formule restée en source TeX"


def pdf_fonts(pdf: Path) -> list[tuple[str, str]]:
    """Les polices du PDF selon ``pdffonts`` : (nom sans préfixe de sous-ensemble, colonne
    ``emb``). Les cinq dernières colonnes (emb sub uni object ID) n'ont pas d'espace."""
    rows = [line.split() for line in poppler("pdffonts", pdf).splitlines()[2:]]
    return [(row[0].split("+", 1)[-1], row[-5]) for row in rows if row]


def test_math_font_matches_the_text_and_every_font_is_embedded(built_pdf: BuiltPdf) -> None:
    """Formules en TeX Gyre Termes Math (un Times, comme le texte en FreeSerif) : aucune
    police Computer Modern (CMR10, CMMI10, CMSY10, CMEX10…) ; toutes intégrées au PDF."""
    fonts = pdf_fonts(built_pdf.path)
    names = sorted({name for name, _ in fonts})
    assert any(name.startswith("TeXGyreTermesMath") for name in names), f"police des formules ? {names}"
    computer_modern = [name for name in names if COMPUTER_MODERN.match(name)]
    assert not computer_modern, f"formules encore en Computer Modern : {computer_modern}"
    missing = sorted({name for name, embedded in fonts if embedded != "yes"})
    assert not missing, f"polices non intégrées au PDF : {missing}"


def test_title_and_language_are_in_the_metadata(built_pdf: BuiltPdf) -> None:
    """Le titre (pdfinfo) et la langue du document (``/Lang`` du catalogue, que pdfinfo
    n'affiche pas : lu avec pypdf), pour les lecteurs de PDF et la synthèse vocale."""
    from pypdf import PdfReader

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    info = poppler("pdfinfo", built_pdf.path)
    title = re.search(r"^Title:\s+(.+)$", info, re.MULTILINE)
    assert title and title.group(1).strip() == config["title"], info
    catalog = PdfReader(built_pdf.path).trailer["/Root"]
    assert catalog.get("/Lang") == "fr-FR", f"langue du PDF : {catalog.get('/Lang')!r}"


def test_figures_are_vector(built_pdf: BuiltPdf) -> None:
    """Toutes les figures sont vectorielles, sauf la capture d'écran de TensorBoard (une
    photographie d'un autre logiciel, la seule image matricielle du livre)."""
    assert len(re.findall(r"Fig\. \d+\.\d+", built_pdf.text)) >= 10
    images = poppler("pdfimages", built_pdf.path, "-list").splitlines()[2:]  # sans l'en-tête
    screenshots = list((ROOT / "book" / "images").glob("*.png"))
    assert len(screenshots) == 1 and len(images) == len(screenshots), f"images matricielles : {images[:3]}"


def test_no_missing_character(built_pdf: BuiltPdf) -> None:
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font", built_pdf.log)))
    assert not missing, f"caractères absents des polices : {missing}"


def test_no_run_of_blank_pages(built_pdf: BuiltPdf) -> None:
    blank = [i for i, page in enumerate(built_pdf.pages, start=1) if not page.strip()]
    runs = [(a, b) for a, b in zip(blank, blank[1:], strict=False) if b == a + 1]
    assert not runs, f"pages blanches consécutives : {runs} (pages blanches : {blank})"


def test_exercises_come_with_their_solutions(built_pdf: BuiltPdf) -> None:
    exercises = [e for chapter in CHAPTERS for e in conventions.exercises(chapter)]
    assert len(exercises) >= 10
    for exercise in exercises:
        title = normalize(exercise.title)
        assert title in built_pdf.text and f"Exercice ({title})" not in built_pdf.text, title
        kind, number = re.match(r"(Question|Exercice) (.+?) —", exercise.title).groups()
        article = "la question" if kind == "Question" else "l'exercice"
        solution = f"Solution de {article} {number}"
        assert solution in built_pdf.text, f"pas de solution pour {exercise.label}"


def test_execution_note_and_glue_values_are_rendered(built_pdf: BuiltPdf) -> None:
    text = built_pdf.text
    assert text.count("Exécution de ce chapitre") == len(CHAPTERS)
    # La note cite l'environnement collé (glue) par le chapitre : Python et PyTorch.
    note = r"Les sorties de ce chapitre ont été calculées avec Python 3\.\d+\.\d+ et PyTorch \d"
    notes = re.findall(note, text)
    assert len(notes) == len(CHAPTERS)
    assert "date_construction" not in text and "{glue" not in text


def test_site_with_pdf_stays_light(built_pdf: BuiltPdf) -> None:
    site = site_weight(built_pdf.html)
    pdf = built_pdf.path.stat().st_size
    assert pdf <= 3 * 2**20, f"PDF de {pdf / 2**20:.1f} Mio"
    assert site + pdf <= SITE_BUDGET, f"site {site / 2**20:.2f} Mio + PDF {pdf / 2**20:.2f} Mio > 8 Mio"

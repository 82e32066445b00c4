"""Le livre construit : une page par chapitre, en français, figures incluses, sans erreur."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import CHAPTERS, ROOT, chapter_source, counted, jupyter_book_build, runs_of, small_book
from tp2_book.settings import JOBS_ENV

#: Les tests sans ``built_book`` construisent leur propre livre.
pytestmark = pytest.mark.usefixtures("executes_chapters")

#: Au-delà, une ligne de sortie défile horizontalement dans une fenêtre de 1280 px.
MAX_OUTPUT_LINE = 80


def page(html_dir: Path, chapter: Path) -> BeautifulSoup:
    path = html_dir / "book" / f"{chapter.stem}.html"
    assert path.is_file(), f"page manquante : {path}"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_one_page_per_chapter_in_french(built_book: Path) -> None:
    for chapter in CHAPTERS:
        soup = page(built_book, chapter)
        assert soup.html["lang"] == "fr"
        assert soup.find("h1") is not None
    assert (built_book / "index.html").is_file()


def test_figures_are_embedded_and_exist(built_book: Path) -> None:
    """Chaque figure nommée d'un chapitre (``{glue:figure}``/``{figure}`` et ``:name:``)
    est, dans sa page, une ``<figure>`` de ce nom dont l'image existe ; et chaque image de
    la page est un fichier du site."""
    for chapter in CHAPTERS:
        source = chapter.read_text(encoding="utf-8")
        directives = re.findall(r"^# (?:```|:::)\{(?:glue:figure|figure)\}", source, re.M)
        names = re.findall(
            r"^# (?:```|:::)\{(?:glue:figure|figure)\}[^\n]*\n(?:# :[^\n]*\n)*?# :name: (\S+)",
            source,
            re.M,
        )
        assert names, f"{chapter.name} : aucune figure nommée"
        soup = page(built_book, chapter)
        shown = soup.select("main figure img")
        assert len(shown) >= len(directives), (
            f"{chapter.name} : {len(shown)} images pour {len(directives)} figures"
        )
        for name in names:
            figure = soup.find("figure", id=name)
            assert figure is not None, f"{chapter.name} : figure {name} absente de la page"
            assert figure.find("img") is not None, f"{chapter.name} : figure {name} sans image"
        for img in soup.select("main img"):
            target = (built_book / "book" / img["src"]).resolve()
            assert target.is_file() and target.stat().st_size > 1000, img["src"]


def test_every_code_cell_was_executed_without_error_output(built_book: Path) -> None:
    for chapter in CHAPTERS:
        soup = page(built_book, chapter)
        cells = soup.select("div.cell")
        assert cells, chapter.name
        assert not soup.select(".output.error, .output.traceback, .output.stderr"), chapter.name
        text = soup.get_text()
        assert "Traceback (most recent call last)" not in text, chapter.name
        # Aucune directive MyST restée en texte brut (titre mal formé, bloc non fermé…).
        for raw in ("```{", ":label:", ":nonumber:", "{glue:", "{term}", "{ref}"):
            assert raw not in text, f"{chapter.name} : syntaxe MyST affichée telle quelle ({raw})"
        # Une apostrophe droite collée à du gras (« l'**unité** ») devient un guillemet
        # fermant « l” » : le français n'utilise pas “ ”, leur présence trahit ce piège.
        glued = re.findall(r"\w[“”]\w*", text)
        assert not glued, f"{chapter.name} : apostrophe devenue guillemet : {glued[:5]}"
        # Chaque cellule de code qui affiche quelque chose a bien sa sortie dans la page.
        outputs = soup.select("div.cell_output")
        assert outputs, f"{chapter.name} : aucune sortie exécutée"
        # Pas de représentation d'objet laissée par mégarde (adresse mémoire, Axes, Text…).
        for output in outputs:
            shown = output.get_text()
            for leak in (" at 0x", "<Axes", "Text(0", "<matplotlib"):
                assert leak not in shown, f"{chapter.name} : sortie parasite {shown[:120]!r}"
        # Les sorties texte tiennent dans la colonne : rien à faire défiler pour les lire.
        for pre in soup.select("div.cell_output pre"):
            for line in pre.get_text().splitlines():
                assert len(line) <= MAX_OUTPUT_LINE, f"{chapter.name} : sortie trop longue\n{line}"


def test_every_glossary_term_is_linked_from_the_book(built_book: Path) -> None:
    """Le glossaire promet que chaque terme y est relié depuis le passage qui l'introduit."""
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (built_book / "book").glob("*.html")}
    terms = re.findall(r'<dt id="(term-[^"]+)"', pages.pop("glossaire"))
    assert len(terms) >= 30, terms
    linked = {m for html in pages.values() for m in re.findall(r'href="glossaire\.html#(term-[^"]+)"', html)}
    missing = [t for t in terms if t not in linked]
    assert not missing, f"termes jamais reliés depuis un chapitre : {missing}"


def test_no_apostrophe_became_a_quote_on_any_page(built_book: Path) -> None:
    """« l'**édition** » devient « l”édition » sous MyST (guillemets typographiques) : sur
    chaque page du site, introduction et glossaire compris, aucun “ ” collé à un mot."""
    pages = sorted((built_book / "book").glob("*.html"))
    assert {p.stem for p in pages} >= {"intro", "glossaire", *(c.stem for c in CHAPTERS)}
    for html in pages:
        text = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").get_text()
        glued = re.findall(r"\w[“”]\w*", text)
        assert not glued, f"{html.name} : apostrophe devenue guillemet : {glued[:5]}"


def test_exercise_titles_are_french(built_book: Path) -> None:
    """Un exercice s'intitule par son nom (« Question 1.1 — … », « Exercice 3.a — … »), et
    sa solution « Solution de la question 1.1 » (titre court, qui ne bute pas sur
    « Cliquez pour afficher »)."""
    soup = page(built_book, next(c for c in CHAPTERS if c.stem.startswith("03")))
    # Le texte tel qu'on le lit : « l'exercice » est « l' » suivi d'un lien, sans espace.
    titles = [" ".join(t.get_text().split()) for t in soup.select(".admonition-title")]
    exercises = [t for t in titles if re.match(r"(Question 1\.\d|Exercice 3\.[ab]) — ", t)]
    solutions = [t for t in titles if re.fullmatch(r"Solution de (la question 1\.\d|l'exercice 3\.[ab])", t)]
    assert len(exercises) == 5 and len(solutions) == 5, titles
    wrong = ("Exercice (", "Solution :", "Solution to")
    assert not [t for t in titles if t.startswith(wrong) or "Exercise" in t], titles


def test_french_typography_and_section_numbers(built_book: Path) -> None:
    """Pas de « ; » ni de « : » seul en début de ligne (espace fine insécable), les formules
    soudées à leur ponctuation, et les renvois « section N.M » calculés par Sphinx."""
    soup = page(built_book, CHAPTERS[0])
    article = soup.select_one("article")
    links = [a.get_text() for a in article.select("a.reference.internal") if "section" in a.get_text()]
    # Des renvois vers plusieurs sections, tous numérotés par Sphinx dans ce chapitre.
    assert len(set(links)) >= 3 and all(re.fullmatch(r"section 1\.\d+", link) for link in links), links
    glued = article.select("span.tp2-insecable")
    assert len(glued) > 50 and all(g.select_one("span.math") for g in glued)
    for math in article.select("p span.math, figcaption span.math"):
        after = math.next_sibling
        if "tp2-insecable" in math.parent.get("class", []):
            continue
        if isinstance(after, str) and after[:1] in ".,;:":
            raise AssertionError(f"formule séparée de sa ponctuation : {math.get_text()}{after[:10]!r}")
    for code in article.select("pre, code, .cell_output, script, style, .math"):
        code.decompose()
    loose = re.findall(r".{20}[ \u00a0][;:?!»]", article.get_text())
    assert not loose, loose[:5]


def test_build_leaves_tensorboard_runs_with_train_and_test_tags(built_book: Path) -> None:
    from tp2_src.logs import read_scalars

    runs = built_book.parents[1] / "runs"
    # Les quatre descentes de la question 1, comparées au chapitre 3.
    for run in ("q1-batch", "q1-mini-batch", "q1-stochastique", "q1-mini-batch-0.05"):
        series = read_scalars(runs / run)
        assert {"loss/train", "loss/test"} <= set(series), run
        steps, values = series["loss/train"]
        assert steps[0] == 0 and len(steps) == 101 and values[-1] < values[0], run
    # Puis les balayages : 4 taux au chapitre 3, 5 optimiseurs au chapitre 4, 2 modèles au 5.
    names = {p.name for p in runs.iterdir() if p.is_dir()}
    assert len({n for n in names if n.startswith("taux-")}) == 4, names
    assert len({n for n in names if n.startswith("optim-")}) == 5, names
    assert len({n for n in names if n.startswith("modules-")}) == 2, names


def test_formulas_are_set_at_build_and_served_locally(built_book: Path) -> None:
    """Chaque formule arrive composée par KaTeX (HTML et MathML, sa source TeX en
    annotation) ; aucune page ne charge de script de formules ; la feuille de KaTeX est celle du site."""
    for page in sorted(built_book.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        scripts = [s["src"] for s in soup.find_all("script", src=True)]
        assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))], (page, scripts)
        assert not [s for s in scripts if "mathjax" in s.lower() or "katex" in s.lower()], (page, scripts)
        formulas = soup.select("span.math, div.math")
        unset = [f.get_text()[:60] for f in formulas if f.select_one(".katex math annotation") is None]
        assert not unset, f"{page.name} : formules non composées : {unset[:3]}"
        if formulas:
            sheets = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
            assert any(h.split("?")[0].endswith("_static/katex/katex.min.css") for h in sheets), sheets
    chapter = (built_book / "book" / f"{CHAPTERS[0].stem}.html").read_text(encoding="utf-8")
    assert chapter.count('class="katex"') > 200, "le chapitre 1 compte plus de 200 formules"


def test_the_site_ships_nothing_the_browser_never_asks_for(built_book: Path) -> None:
    """Ni cartes de sources, ni MathJax, ni les polices woff et ttf de KaTeX (ses woff2
    suffisent) : ce que les pages chargent. (Le poids du site,
    PDF compris, est mesuré une fois, par ``test_pdf.py::test_site_with_pdf_stays_light``.)"""
    assert not list(built_book.rglob("*.map"))
    static = built_book / "_static"
    assert not [p for p in static.rglob("*.js") if "sourceMappingURL" in p.read_text(encoding="utf-8")]
    assert not (static / "mathjax").exists()
    fonts = {p.suffix for p in (static / "katex" / "fonts").iterdir()}
    assert fonts == {".woff2"}, fonts
    css = (static / "katex" / "katex.min.css").read_text(encoding="utf-8")
    named = set(re.findall(r"url\((fonts/[^)]+)\)", css))
    assert named and all((static / "katex" / name).is_file() for name in named), named


def test_chapters_are_numbered_once_with_their_figures(built_book: Path) -> None:
    """Sphinx numérote titres, sections et figures (« Fig. 3.2 ») ; la source n'a pas de numéros."""
    for number, chapter in enumerate(CHAPTERS, start=1):
        page = built_book / "book" / f"{chapter.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        title = soup.select_one("h1:has(> span.section-number)").get_text(" ", strip=True)
        assert re.match(rf"^{number}\. [A-ZÀ-Ý]", title), title
        assert not re.match(r"^\d+\. \d", title), f"numéro en double : {title}"
        sections = [h.get_text(" ", strip=True) for h in soup.select("h2:has(> span.section-number)")]
        assert sections and sections[0].startswith(f"{number}.1. "), sections
        for caption in soup.select("figcaption .caption-number"):
            assert re.match(rf"^Fig\. {number}\.\d+", caption.get_text(strip=True)), caption


def test_each_chapter_says_what_it_ran_with(built_book: Path) -> None:
    """La note finale : versions de Python et de PyTorch, matériel, date du dernier commit."""
    import platform

    import torch

    for chapter in CHAPTERS:
        page = built_book / "book" / f"{chapter.stem}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        admonitions = [a.get_text(" ", strip=True) for a in soup.select(".admonition")]
        notes = [a for a in admonitions if a.startswith("Exécution de ce chapitre")]
        assert len(notes) == 1, chapter.name
        note = " ".join(notes[0].split())
        assert f"Python {platform.python_version()} et PyTorch {torch.__version__}, sur " in note, note
        assert re.search(r"daté du (1er|\d{1,2}) [a-zéû]+ 20\d\d", note) or "date inconnue" in note, note


FAILING_CHAPTER = chapter_source('raise RuntimeError("erreur volontaire du test")', "Chapitre qui échoue")


def ok_chapter(n: int, runs: Path) -> str:
    return chapter_source(counted(f'print("sortie du chapitre {n}")', runs), f"Chapitre {n}")


def test_a_failing_chapter_fails_the_build(tmp_path: Path) -> None:
    src = small_book(tmp_path, {"01_echec": FAILING_CHAPTER})
    result = jupyter_book_build(src)
    assert result.returncode != 0
    assert "erreur volontaire du test" in result.stdout + result.stderr


def test_chapters_run_in_parallel_then_come_from_the_cache(tmp_path: Path) -> None:
    """Deux chapitres exécutés en même temps avant la lecture ; MyST-NB les trouve en cache."""
    runs = tmp_path / "executions.txt"
    src = small_book(tmp_path / "livre", {f"0{n}_ok": ok_chapter(n, runs) for n in (1, 2)})
    result = jupyter_book_build(src, env={JOBS_ENV: "2"})
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "[parallel_execute] 2 chapitres, 2 à la fois" in log, log[-3000:]
    # Chaque chapitre exécuté une fois (en parallèle) : la lecture les prend dans le cache.
    assert runs_of(runs) == 2, log[-3000:]
    for n in (1, 2):
        html = (src / "_build" / "html" / "book" / f"0{n}_ok.html").read_text(encoding="utf-8")
        assert f"sortie du chapitre {n}" in html


def test_a_chapter_failing_in_parallel_still_fails_the_build(tmp_path: Path) -> None:
    src = small_book(
        tmp_path, {"01_echec": FAILING_CHAPTER, "02_ok": ok_chapter(2, tmp_path / "executions.txt")}
    )
    result = jupyter_book_build(src, env={JOBS_ENV: "2"})
    log = result.stdout + result.stderr
    assert result.returncode != 0
    assert "01_echec.py a échoué" in log and "erreur volontaire du test" in log


def test_the_statement_table_names_every_target(built_book: Path) -> None:
    """Le tableau « L'énoncé, point par point » de l'introduction : chaque point de l'énoncé
    renvoie à une section ou à une question nommée (numéro compris), jamais à un
    « Exercice » anonyme ; et ses renvois mènent à des pages des chapitres."""
    soup = BeautifulSoup((built_book / "book" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    target = soup.find(id="enonce-livre")  # la cible MyST (enonce-livre)=, avant le titre
    assert target is not None, "la section « L'énoncé, point par point » manque"
    section = target.find_parent("section")
    rows = section.select("table tbody tr")
    assert len(rows) >= 15, len(rows)
    for row in rows:
        links = row.select("td:nth-of-type(2) a.reference.internal")
        assert links, f"point sans renvoi : {row.get_text(' ', strip=True)[:80]}"
        for link in links:
            text = link.get_text(" ", strip=True)
            where = row.get_text(" ", strip=True)[:80]
            assert re.search(r"\d", text), f"renvoi sans numéro « {text} » : {where}"
            assert link["href"].split("#")[0].startswith("0"), link["href"]


def test_the_introduction_shows_the_readme_commands(built_book: Path) -> None:
    """« Construire le livre » reprend les commandes du README (une directive include) :
    la page montre chacune de ses lignes, la première comprise (nox aux versions du verrou)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pattern = r"<!-- commandes : début.*?-->\n```bash\n(.*?)```\n<!-- commandes : fin -->"
    block = re.search(pattern, readme, re.S)
    assert block, "les marques des commandes manquent dans le README"
    lines = block.group(1).strip().splitlines()
    assert lines[0].startswith("pip install -c .ci/constraints.txt nox"), lines
    soup = BeautifulSoup((built_book / "book" / "intro.html").read_text(encoding="utf-8"), "html.parser")
    shown = [pre.get_text() for pre in soup.select("div.highlight pre")]
    assert any(all(line in text for line in lines) for text in shown), shown

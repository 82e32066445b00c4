"""La longueur de la ligne principale de chaque chapitre, mesurée sur la page rendue.

La **ligne principale** est ce qu'un étudiant lit en suivant la page sans rien déplier :
la prose affichée à l'arrivée, sans les blocs repliés (encadrés facultatifs, solutions,
onglets cachés), sans le code ni ses sorties, sans les formules ni les légendes des
figures. On la mesure dans Chromium : ``innerText`` ne rend que ce qui est affiché, après
que les éléments exclus ont été masqués par une feuille de style.

    python benchmarks/main_line.py _build/html     # un site déjà construit

imprime le nombre de mots de chaque chapitre et leur total ; ``tests/test_browser.py``
vérifie les plafonds (``WORDS_PER_CHAPTER``, ``WORDS_IN_ALL``) avec la même fonction.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

#: Plafonds de la ligne principale (issue 23) : un chapitre se lit en une séance de TP.
WORDS_PER_CHAPTER = 2500
WORDS_IN_ALL = 10_000

#: Ce qui ne compte pas dans la ligne principale, même affiché : le code et ses sorties,
#: les formules, les légendes, les titres de lien « # », la navigation.
EXCLUDED = ", ".join(
    [
        "div.cell",
        "div.highlight",
        "pre",
        ".math",
        "mjx-container",
        "math",
        "figcaption",
        "figure .caption",
        ".headerlink",
        ".prev-next-area",
        "footer",
        "nav",
    ]
)

#: Le texte de la ligne principale de la page ouverte (``page.evaluate``).
MAIN_LINE_TEXT = """(excluded) => {
  const style = document.createElement('style');
  style.textContent = excluded + ' { display: none !important; }';
  document.head.appendChild(style);
  const article = document.querySelector('article.bd-article') || document.body;
  const text = article.innerText;
  style.remove();
  return text;
}"""


def words(text: str) -> int:
    """Les mots d'un texte : les suites sans espace qui contiennent une lettre ou un chiffre."""
    return sum(1 for token in text.split() if re.search(r"\w", token))


def main_line_words(page) -> int:
    """Mots de la ligne principale de la page Playwright ``page``, déjà chargée."""
    page.wait_for_load_state("load")
    return words(page.evaluate(MAIN_LINE_TEXT, EXCLUDED))


def main(site: Path) -> int:
    from playwright.sync_api import sync_playwright
    from tp2_book.settings import ROOT

    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import CHAPTERS, serve

    counts = {}
    with serve(site) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for chapter in CHAPTERS:
            page.goto(f"{url}book/{chapter.stem}.html", wait_until="networkidle")
            counts[chapter.stem] = main_line_words(page)
        browser.close()
    for stem, count in counts.items():
        flag = "" if count <= WORDS_PER_CHAPTER else f"  (plafond {WORDS_PER_CHAPTER})"
        print(f"{stem:<28} {count:>6} mots{flag}")
    total = sum(counts.values())
    print(f"{'total':<28} {total:>6} mots (plafond {WORDS_IN_ALL})")
    return 0 if total <= WORDS_IN_ALL and max(counts.values()) <= WORDS_PER_CHAPTER else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "_build/html")))

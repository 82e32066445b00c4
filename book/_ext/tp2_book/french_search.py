"""Extension Sphinx locale : une recherche en français qui pardonne les accents.

La recherche française de Sphinx racinise les mots (« dérivées » → « dériv ») mais garde
leurs accents, dans l'index (Python) comme dans la requête (JavaScript) : « derivee » ne
trouverait pas « dérivée ». On enregistre à la place de la langue ``fr`` une variante qui
retire les accents *avant* la racinisation, des deux côtés, avec la même règle :
décomposition Unicode (NFD) puis suppression des diacritiques. Sphinx ignore déjà la casse.

Le reste de l'index ne passe pas par le raciniseur : titres de section (``alltitles``),
entrées d'index, dont les termes du glossaire (``indexentries``), noms d'objets
(``objects``). ``searchtools.js`` les compare tels quels à la requête en minuscules :
« retropropagation » ne trouvait pas l'entrée « rétropropagation » du glossaire. Le site
reçoit donc une copie de ``searchtools.js`` où ces comparaisons (et le choix de l'extrait
affiché) replient les accents des deux côtés, avec la même règle ; l'index garde ses
accents, que la page de résultats affiche.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.search.fr import SearchFrench


def fold(word: str) -> str:
    """« Dérivée » → « derivee » : minuscules, sans diacritiques (ç → c, œ reste œ)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(
        c for c in decomposed if not unicodedata.combining(c)
    )


#: Le repli des accents en JavaScript, même règle que fold() : minuscules, NFD, puis retrait
#: des diacritiques combinants (U+0300–U+036F).
JS_FOLD = '.toLowerCase().normalize("NFD").replace(/[\\u0300-\\u036f]/g, "")'
#: Les comparaisons de ``searchtools.js`` (Sphinx 7.4) qui gardaient les accents, et leur
#: version repliée. Chacune doit s'y trouver exactement une fois.
SEARCHTOOLS_FOLDS: tuple[tuple[str, str], ...] = (
    (
        "const objectTerms = new Set(splitQuery(query.toLowerCase().trim()));",
        "const objectTerms = new Set(splitQuery(tp2Fold(query).trim()));",
    ),
    (
        "const queryLower = query.toLowerCase().trim();",
        "const queryLower = tp2Fold(query).trim();",
    ),
    (
        "if (title.toLowerCase().trim().includes(queryLower)",
        "if (tp2Fold(title).trim().includes(queryLower)",
    ),
    (
        "if (entry.includes(queryLower)",
        "if (tp2Fold(entry).includes(queryLower)",
    ),
    (
        "const fullnameLower = fullname.toLowerCase();",
        "const fullnameLower = tp2Fold(fullname);",
    ),
    (
        "const haystack = `${prefix} ${name} ${objName} ${title}`.toLowerCase();",
        "const haystack = tp2Fold(`${prefix} ${name} ${objName} ${title}`);",
    ),
    (
        "const textLower = text.toLowerCase();",
        "const textLower = tp2Fold(text);",
    ),
    (
        ".map((k) => textLower.indexOf(k.toLowerCase()))",
        ".map((k) => textLower.indexOf(tp2Fold(k)))",
    ),
)
SEARCHTOOLS = (
    Path(sphinx.__file__).parent
    / "themes"
    / "basic"
    / "static"
    / "searchtools.js"
)


def folded_searchtools(source: str) -> str:
    """``searchtools.js`` dont les titres, entrées d'index et noms d'objets sont comparés à
    la requête sans accents. Une erreur claire si Sphinx a changé ce fichier."""
    for old, new in SEARCHTOOLS_FOLDS:
        count = source.count(old)
        if count != 1:
            raise ExtensionError(
                f"french_search : « {old} » se trouve {count} fois dans searchtools.js "
                f"(1 attendue) ; Sphinx {sphinx.__version__} l'a changé, revoir SEARCHTOOLS_FOLDS."
            )
        source = source.replace(old, new)
    header = (
        "// Titres, entrées d'index et noms d'objets comparés sans accents "
        "(book/_ext/tp2_book/french_search.py).\n"
        f"const tp2Fold = (text) => text{JS_FOLD};\n"
    )
    return header + source


def add_folded_searchtools(app: Sphinx, config: Any) -> None:
    """La copie repliée de ``searchtools.js`` rejoint les fichiers statiques du site, après
    ceux du thème : elle remplace l'originale."""
    folder = Path(app.doctreedir) / "tp2-search"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "searchtools.js"
    text = folded_searchtools(
        SEARCHTOOLS.read_text(encoding="utf-8")
    )
    if (
        not target.is_file()
        or target.read_text(encoding="utf-8") != text
    ):
        target.write_text(text, encoding="utf-8")
    config.html_static_path = [
        *config.html_static_path,
        str(folder),
    ]


def _stemmer_js() -> str:
    """Le raciniseur JavaScript de Sphinx, précédé du même repli des accents."""
    minified = (
        Path(sphinx.__file__).parent / "search" / "minified-js"
    )
    base = (minified / "base-stemmer.js").read_text(
        encoding="utf-8"
    )
    french = (minified / "french-stemmer.js").read_text(
        encoding="utf-8"
    )
    return f"""{base}
{french}
var Stemmer = function () {{
  const french = new FrenchStemmer();
  this.stemWord = (word) => french.stemWord(word{JS_FOLD});
}};
"""


class SearchFrenchFolded(SearchFrench):
    """La langue ``fr`` de la recherche, insensible aux accents et à la casse."""

    js_stemmer_rawcode = ""  # sinon Sphinx écrirait le raciniseur d'origine, sans le repli
    js_stemmer_code = _stemmer_js()
    # Un mot vide tapé sans accent (« ete ») reste un mot vide.
    stopwords = SearchFrench.stopwords | {
        fold(w) for w in SearchFrench.stopwords
    }

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(fold(word))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchFrenchFolded)
    app.connect("config-inited", add_folded_searchtools)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Extension Sphinx locale : une recherche en français qui pardonne les accents.

La recherche française de Sphinx racinise les mots (« dérivées » → « dériv ») mais garde
leurs accents, dans l'index (Python) comme dans la requête (JavaScript) : « derivee » ne
trouverait pas « dérivée ». On enregistre à la place de la langue ``fr`` une variante qui
retire les accents *avant* la racinisation, des deux côtés, avec la même règle :
décomposition Unicode (NFD) puis suppression des diacritiques. Sphinx ignore déjà la casse.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import sphinx
from sphinx.application import Sphinx
from sphinx.search.fr import SearchFrench


def fold(word: str) -> str:
    """« Dérivée » → « derivee » : minuscules, sans diacritiques (ç → c, œ reste œ)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _stemmer_js() -> str:
    """Le raciniseur JavaScript de Sphinx, précédé du même repli des accents."""
    minified = Path(sphinx.__file__).parent / "search" / "minified-js"
    base = (minified / "base-stemmer.js").read_text(encoding="utf-8")
    french = (minified / "french-stemmer.js").read_text(encoding="utf-8")
    # Même règle que fold() : NFD puis retrait des diacritiques combinants (U+0300–U+036F).
    return f"""{base}
{french}
var Stemmer = function () {{
  const french = new FrenchStemmer();
  this.stemWord = (word) =>
    french.stemWord(word.toLowerCase().normalize("NFD").replace(/[\\u0300-\\u036f]/g, ""));
}};
"""


class SearchFrenchFolded(SearchFrench):
    """La langue ``fr`` de la recherche, insensible aux accents et à la casse."""

    js_stemmer_rawcode = ""  # sinon Sphinx écrirait le raciniseur d'origine, sans le repli
    js_stemmer_code = _stemmer_js()
    # Un mot vide tapé sans accent (« ete ») reste un mot vide.
    stopwords = SearchFrench.stopwords | {fold(w) for w in SearchFrench.stopwords}

    def stem(self, word: str) -> str:
        return self.stemmer.stemWord(fold(word))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_search_language(SearchFrenchFolded)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""La langue de recherche ``fr`` du livre : accents et casse ignorés, à l'index comme à la
requête, et dans les comparaisons de ``searchtools.js`` hors raciniseur (titres, entrées
d'index)."""

from __future__ import annotations

import pytest
from sphinx.errors import ExtensionError
from tp2_book.french_search import (
    SEARCHTOOLS,
    SEARCHTOOLS_FOLDS,
    SearchFrenchFolded,
    fold,
    folded_searchtools,
)


def test_fold_removes_accents_and_case() -> None:
    assert fold("Dérivée") == "derivee"
    assert fold("ÉLÈVE") == "eleve"
    assert fold("façon") == "facon"
    assert fold("cœur") == "cœur"  # une ligature n'est pas un accent


@pytest.mark.parametrize(
    "variants",
    [("dérivée", "derivee", "Dérivées", "DERIVEES"), ("époque", "epoques", "Époque"), ("été", "ete")],
)
def test_variants_share_one_stem(variants: tuple[str, ...]) -> None:
    lang = SearchFrenchFolded({})
    assert len({lang.stem(word) for word in variants}) == 1


def test_stop_words_typed_without_accents_stay_stop_words() -> None:
    lang = SearchFrenchFolded({})
    assert "été" in lang.stopwords and "ete" in lang.stopwords
    assert not lang.word_filter("ete")


def test_searchtools_compares_titles_and_index_entries_without_accents() -> None:
    """La copie de searchtools.js replie les accents de chaque comparaison hors raciniseur."""
    source = SEARCHTOOLS.read_text(encoding="utf-8")
    folded = folded_searchtools(source)
    assert folded.startswith("// ") and "const tp2Fold = (text) => text.toLowerCase()" in folded
    for old, new in SEARCHTOOLS_FOLDS:
        assert old not in folded and new in folded


def test_searchtools_change_is_a_clear_error() -> None:
    with pytest.raises(ExtensionError, match="searchtools.js"):
        folded_searchtools("// un searchtools.js d'une autre version de Sphinx")

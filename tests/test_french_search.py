"""La langue de recherche ``fr`` du livre : accents et casse ignorés, à l'index comme à la requête."""

from __future__ import annotations

import pytest
from tp2_book.french_search import SearchFrenchFolded, fold


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

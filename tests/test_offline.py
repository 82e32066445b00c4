"""``offline`` : ce que le site ne sert à personne est retiré, et plus rien ne le nomme."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from tp2_book.offline import ICON_FONTS, icon_codepoints, prune_static, subset_icon_font, used_icon_names

FONT_FACE = (
    "@font-face{font-family:Font Awesome\\ 6 Free;src:url(../vendor/fontawesome/webfonts/"
    'fa-solid-900.woff2) format("woff2"),url(../vendor/fontawesome/webfonts/fa-solid-900.ttf) '
    'format("truetype")}'
)


def test_removed_fonts_and_macros_are_no_longer_named(tmp_path: Path) -> None:
    fonts = tmp_path / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    for name in ("fa-solid-900.woff2", "fa-solid-900.ttf"):
        (fonts / name).write_bytes(b"0")
    (tmp_path / "styles").mkdir()
    css = tmp_path / "styles" / "theme.css"
    css.write_text(FONT_FACE + "\n/*# sourceMappingURL=theme.css.map */")
    (tmp_path / "webpack-macros.html").write_text("{% macro head_pre_assets() %}")
    prune_static(tmp_path)
    assert [p.name for p in fonts.iterdir()] == ["fa-solid-900.woff2"]
    assert not (tmp_path / "webpack-macros.html").exists()
    text = css.read_text()
    assert ".ttf" not in text and "sourceMappingURL" not in text
    assert 'fa-solid-900.woff2) format("woff2")}' in text


def test_the_unused_brand_icon_font_goes_with_its_rule(tmp_path: Path) -> None:
    """Aucune page ne montre d'icône de marque : leur police (118 Kio) et la règle
    ``@font-face`` qui la nomme sont retirées ; la police des icônes pleines reste."""
    fonts = tmp_path / "vendor" / "fontawesome" / "webfonts"
    fonts.mkdir(parents=True)
    for name in ("fa-solid-900.woff2", "fa-brands-400.woff2"):
        (fonts / name).write_bytes(b"0")
    (tmp_path / "styles").mkdir()
    css = tmp_path / "styles" / "theme.css"
    brands = (
        "@font-face{font-family:Font Awesome\\ 6 Brands;src:url(../vendor/fontawesome/webfonts/"
        'fa-brands-400.woff2) format("woff2")}'
    )
    css.write_text(brands + FONT_FACE + ".fa-brands{font-weight:400}")
    prune_static(tmp_path)
    assert [p.name for p in fonts.iterdir()] == ["fa-solid-900.woff2"]
    text = css.read_text()
    assert "fa-brands-400" not in text and "fa-solid-900.woff2" in text and ".fa-brands{" in text


def theme_static() -> Path:
    """Les fichiers statiques de pydata-sphinx-theme installé (police et feuille d'origine)."""
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"


def fake_site(tmp_path: Path, page: str) -> Path:
    """Un site minimal : une page, la feuille et les polices d'icônes du thème."""
    source = theme_static()
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "scripts").mkdir()
    shutil.copy2(source / "styles" / "pydata-sphinx-theme.css", static / "styles")
    shutil.copytree(source / "vendor" / "fontawesome" / "webfonts", static / ICON_FONTS)
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    # Le script que le site ne charge plus, et qui nomme toutes les icônes : il ne compte pas.
    (static / "scripts" / "fontawesome.js").write_text('"fa-regular","far","fa-bell"', encoding="utf-8")
    return tmp_path


def test_the_icon_font_keeps_exactly_the_icons_the_pages_name(tmp_path: Path) -> None:
    """La police « solid » réduite dessine les icônes nommées (alias compris), et elles
    seules ; la feuille nomme le WOFF écrit, la police « regular » inutile est retirée."""
    site = fake_site(tmp_path, '<i class="fa-solid fa-bars"></i><i class="fas fa-search"></i>')
    original = theme_static() / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
    subset_icon_font(site)
    prune_static(site / "_static")
    fonts = site / "_static" / ICON_FONTS
    assert sorted(p.name for p in fonts.iterdir()) == ["fa-solid-900.woff"]
    font = TTFont(fonts / "fa-solid-900.woff")
    codes = icon_codepoints(
        (theme_static() / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    )
    assert codes["bars"] == codes["navicon"] == 0xF0C9 and codes["search"] == codes["magnifying-glass"]
    assert set(font.getBestCmap()) == {codes["bars"], codes["search"]}
    assert (fonts / "fa-solid-900.woff").stat().st_size < original.stat().st_size / 20
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert 'fa-solid-900.woff) format("woff")' in css
    assert "fa-solid-900.woff2" not in css and "fa-regular-400" not in css


def test_a_regular_icon_keeps_the_regular_font(tmp_path: Path) -> None:
    site = fake_site(tmp_path, '<i class="fa-solid fa-bars"></i><i class="far fa-bell"></i>')
    subset_icon_font(site)
    assert (site / "_static" / ICON_FONTS / "fa-regular-400.woff2").is_file()
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert "fa-regular-400.woff2" in css


def test_an_icon_the_sheet_does_not_define_is_an_error(tmp_path: Path) -> None:
    site = fake_site(tmp_path, '<i class="fa-solid fa-bars"></i>')
    sheet = site / "_static" / "styles" / "pydata-sphinx-theme.css"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace('content:"\\f0c9"', 'content:"\\10ffff"'))
    with pytest.raises(RuntimeError, match=r"icônes absentes de fa-solid-900 : \['0x10ffff'\]"):
        subset_icon_font(site)


def test_the_built_site_draws_every_icon_with_the_reduced_font(built_book: Path) -> None:
    """Aucune page ne charge fontawesome.js ; chaque icône que les pages nomment a son
    dessin dans la police livrée, qui n'en a pas d'autre."""
    pages = [p for p in built_book.rglob("*.html") if "_static" not in p.parts]
    assert not (built_book / "_static" / "scripts" / "fontawesome.js").exists()
    assert not [p.name for p in pages if "fontawesome.js" in p.read_text(encoding="utf-8")]
    static = built_book / "_static"
    codes = icon_codepoints((static / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8"))
    names = used_icon_names(built_book)
    assert {"bars", "magnifying-glass", "download", "list"} <= names, names
    drawn = set(TTFont(static / ICON_FONTS / "fa-solid-900.woff").getBestCmap())
    assert drawn == {codes[name] for name in names if name in codes}

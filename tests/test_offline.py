"""``offline`` : ce que le site ne sert à personne est retiré, et plus rien ne le nomme."""

from __future__ import annotations

from pathlib import Path

from tp2_book.offline import prune_static

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

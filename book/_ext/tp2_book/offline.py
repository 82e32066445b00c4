"""Extension Sphinx locale : un site léger, sans aucune référence à un serveur extérieur.

- Jupyter Book charge toujours sphinx-thebe (exécution du code sur un serveur Binder) ;
  nous ne l'utilisons pas, mais il ajoute à chaque page l'adresse de thebe sur un CDN, et
  son script deux fois après une reconstruction incrémentale (erreur JavaScript
  « THEBE_JS_URL has already been declared »). On retire ces fichiers des pages.
- Les fichiers que le navigateur ne demande jamais sont retirés du site : cartes de
  sources (``*.map``), catalogues de traduction du thème (utiles à la construction
  seulement), polices ttf doublant les woff2, la police des icônes de marque (aucune page
  n'en montre), fichiers de thebe, et les macros Jinja des
  thèmes (``webpack-macros.html``, copiées dans ``_static`` avec le reste :
  pydata/pydata-sphinx-theme#1122), qui ne sont pas des pages.
- Les feuilles de style ne nomment plus les polices ttf retirées : leur ``src`` ne garde
  que le woff2, que tout navigateur récent lit (sinon un vérificateur de liens les
  trouverait manquantes).
- Les icônes du thème (Font Awesome) sont dessinées par sa police, sans ``fontawesome.js``
  (1,4 Mio, que ``book/_templates/static/webpack-macros.html`` ne charge plus) : la police
  « solid » est réduite aux icônes que les pages et les scripts du thème nomment (quelques
  Kio au lieu de 153), la police « regular », qu'aucune icône n'emploie, est retirée.
"""

from __future__ import annotations

import re
import shutil
from io import BytesIO
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont
from sphinx.application import Sphinx

#: Ce que le site ne sert à personne (chemins relatifs à ``_static``, motifs glob).
UNUSED_STATIC = (
    "**/*.map",
    "locales",
    "vendor/fontawesome/webfonts/*.ttf",
    "sphinx-thebe.*",
    "*webpack-macros.html",
    # Aucune page n'affiche d'icône de marque (le livre n'a pas de bouton GitHub…).
    "vendor/fontawesome/webfonts/fa-brands-400.*",
    # Les icônes sont dessinées par la police (voir plus haut) : ce script ne sert plus.
    "scripts/fontawesome.js*",
    # MathJax, qu'une construction d'avant KaTeX (formulas.py) a pu laisser dans _build.
    "mathjax",
)
#: Les polices d'icônes du thème, relatives à ``_static``.
ICON_FONTS = "vendor/fontawesome/webfonts"
#: Une règle d'icône de la feuille du thème : ``.fa-bars:before,.fa-navicon:before{content:"\f0c9"}``.
_ICON_RULE = re.compile(
    r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"\\([0-9a-f]+)"\}'
)
#: Un nom d'icône dans une page ou un script : ``fa-magnifying-glass`` ; ``far`` (le style
#: « regular » de Font Awesome 5) compte comme ``fa-regular``.
_ICON_NAME = re.compile(r"\bfa-([a-z0-9-]+)|\b(far)\b")
#: La police « regular » (poids 400), retirée si aucune icône ne la demande.
_REGULAR_FONT = re.compile(
    r"@font-face\{[^}]*fa-regular-400[^}]*\}"
)
_SOURCE_MAP = re.compile(
    r"\n?/[/*]# sourceMappingURL=\S+?(?: \*/)?(?=\n|$)"
)
#: Une source ttf de ``@font-face``, après le woff2 : ``,url(….ttf) format("truetype")``.
_TTF_SOURCE = re.compile(
    r',\s*url\([^)]*?\.ttf\)\s*format\(["\']truetype["\']\)'
)
#: La police des icônes de marque, retirée avec son fichier : ``@font-face{…fa-brands-400…}``.
_BRANDS_FONT = re.compile(r"@font-face\{[^}]*fa-brands-400[^}]*\}")


def _is_thebe(asset: Any) -> bool:
    filename = str(getattr(asset, "filename", asset) or "")
    body = str(getattr(asset, "attributes", {}).get("body", ""))
    return "thebe" in filename or "THEBE_JS_URL" in body


def drop_thebe_assets(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: Any,
) -> None:
    """Enlève de la page les scripts et feuilles de style de sphinx-thebe."""
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [
                asset
                for asset in context[key]
                if not _is_thebe(asset)
            ]


def prune_static(static: Path) -> None:
    """Retire de ``_static`` ce que le navigateur ne demande jamais, et les renvois aux
    cartes de sources et aux polices ttf retirées (sinon les outils de développement les
    réclament, et un vérificateur de liens les trouve manquantes)."""
    for pattern in UNUSED_STATIC:
        for path in static.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for path in [*static.rglob("*.js"), *static.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        pruned = _SOURCE_MAP.sub("", text)
        if path.suffix == ".css":
            pruned = _BRANDS_FONT.sub(
                "", _TTF_SOURCE.sub("", pruned)
            )
        if pruned != text:
            path.write_text(pruned, encoding="utf-8")


def icon_codepoints(css: str) -> dict[str, int]:
    """Le point de code de chaque icône que la feuille du thème définit, par nom
    (alias compris : ``bars`` et ``navicon`` donnent ``0xf0c9``)."""
    codes = {}
    for selectors, code in _ICON_RULE.findall(css):
        for name in re.findall(
            r"\.fa-([a-z0-9-]+):before", selectors
        ):
            codes[name] = int(code, 16)
    return codes


def used_icon_names(outdir: Path) -> set[str]:
    """Les noms ``fa-…`` que nomment les pages du site et les scripts du thème (qui en
    ajoutent : le bouton qui ferme la recherche)."""
    texts = [
        *outdir.rglob("*.html"),
        *(outdir / "_static" / "scripts").glob("*.js"),
    ]
    return {
        name
        for path in texts
        # fontawesome.js (retiré ensuite) nomme toutes les icônes de Font Awesome.
        if not path.name.startswith("fontawesome")
        for name, v5_regular in _ICON_NAME.findall(
            path.read_text(encoding="utf-8")
        )
        for name in [name or "regular"]
    }


def subset_icon_font(outdir: Path) -> None:
    """Réduit la police « solid » de Font Awesome aux icônes employées, et retire la
    police « regular » si rien ne la demande (``far``, ``fa-regular``).

    La police réduite est écrite en WOFF (compression zlib, de la bibliothèque standard ;
    le woff2 demanderait brotli) : ``fa-solid-900.woff``, que la feuille du thème nomme à
    la place du woff2. Une icône nommée dont la feuille ne donne pas le point de code, ou
    que la police n'a pas, est une erreur : elle s'afficherait en carré vide."""
    static = outdir / "_static"
    sheet = static / "styles" / "pydata-sphinx-theme.css"
    # La source est le ttf du thème (le woff2 se lit avec brotli), retiré ensuite avec
    # les autres ttf par prune_static.
    solid = static / ICON_FONTS / "fa-solid-900.ttf"
    if not (sheet.is_file() and solid.is_file()):
        return
    css = sheet.read_text(encoding="utf-8")
    codes = icon_codepoints(css)
    names = used_icon_names(outdir)
    wanted = sorted(
        {codes[name] for name in names if name in codes}
    )
    if not wanted:
        raise RuntimeError(
            f"offline : aucune icône Font Awesome trouvée dans {outdir} (noms : {sorted(names)[:10]})"
        )
    font = TTFont(solid)
    missing = [
        hex(code)
        for code in wanted
        if code not in font.getBestCmap()
    ]
    if missing:
        raise RuntimeError(
            f"offline : icônes absentes de fa-solid-900 : {missing}"
        )
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    buffer = BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    solid.with_suffix(".woff").write_bytes(buffer.getvalue())
    solid.with_suffix(".woff2").unlink(missing_ok=True)
    css = css.replace(
        'fa-solid-900.woff2) format("woff2")',
        'fa-solid-900.woff) format("woff")',
    )
    if "regular" not in names:
        (static / ICON_FONTS / "fa-regular-400.woff2").unlink(
            missing_ok=True
        )
        css = _REGULAR_FONT.sub("", css)
    sheet.write_text(css, encoding="utf-8")


def lighten_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    subset_icon_font(Path(app.outdir))
    prune_static(static)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("html-page-context", drop_thebe_assets)
    app.connect("build-finished", lighten_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

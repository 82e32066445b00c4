"""Extension Sphinx locale : les formules composées à la construction, par KaTeX.

Le navigateur du lecteur ne compose rien : chaque ``$…$`` et ``$$…$$`` arrive dans la page
en HTML (ce que l'œil voit, dessiné avec les polices de KaTeX) et en MathML caché (ce que
lit un lecteur d'écran, avec la source TeX en annotation). Aucune page ne charge de script
de formules ; le PDF garde son LaTeX (ce moteur ne sert qu'au HTML).

KaTeX est un programme JavaScript : un seul processus Node (``katex/render.js``) compose
toutes les formules d'une construction, une par ligne. Les paquets Node sont ceux de
``katex/package-lock.json``, installés par nox dans le venv de la session
(``<venv>/katex/node_modules``, ``npm ci``), comme les paquets Python le sont par le
verrou. La feuille de style et les polices woff2 de KaTeX sont copiées dans le site
(``_static/katex``), sans requête vers un autre serveur.

Une formule que KaTeX refuse arrête la construction, avec la page et la formule.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number

#: Le dossier de ``package.json``, du verrou npm et du script de rendu.
HERE = Path(__file__).parent / "katex"
RENDERER = HERE / "render.js"
#: La feuille de style de KaTeX dans le site (relative à ``_static``).
CSS_PATH = "katex/katex.min.css"
_WOFF2_ONLY = re.compile(
    r',url\(fonts/[^)]+\.woff\) format\("woff"\),url\(fonts/[^)]+\.ttf\) format\("truetype"\)'
)


#: Deux écarts du MathML de KaTeX au schéma HTML (vérificateur du W3C) : un indice qui est
#: un nom de fonction (``\lambda_{\max}``) donne à ``msub`` trois enfants, le nom et
#: l'opérateur invisible d'application U+2061 ; ``aligned`` écrit ``columnspacing=""``.
_FUNCTION_SCRIPT = re.compile(
    r"(<mi>[^<]*</mi><mo>\u2061</mo>)(?=</msub>|</msup>|</msubsup>)"
)
_EMPTY_SPACING = re.compile(r' columnspacing=""')


def valid_mathml(html: str) -> str:
    """Le HTML de KaTeX, son MathML rendu conforme : le nom de fonction en indice et son
    U+2061 regroupés dans un ``mrow`` (un seul enfant), l'attribut vide retiré."""
    return _EMPTY_SPACING.sub(
        "", _FUNCTION_SCRIPT.sub(r"<mrow>\1</mrow>", html)
    )


def node_modules(prefix: str | Path = sys.prefix) -> Path:
    """Les paquets Node du livre : ``<venv>/katex/node_modules`` (``npm ci`` de nox)."""
    return Path(prefix) / "katex" / "node_modules"


class KaTeX:
    """Un processus Node qui compose les formules une à une (cache par formule)."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._cache: dict[tuple[str, bool], str] = {}

    def _start(self) -> subprocess.Popen[str]:
        node = shutil.which("node")
        modules = node_modules()
        if node is None:
            raise ExtensionError(
                "formules : Node.js introuvable (commande `node`). Le livre compose ses "
                "formules avec KaTeX à la construction : installez Node.js 18 ou plus."
            )
        if not (modules / "katex" / "package.json").is_file():
            raise ExtensionError(
                f"formules : KaTeX absent de {modules}. `nox -s build` l'installe ; à la "
                f"main : `cp {HERE}/package*.json {modules.parent}/ && npm ci --prefix "
                f"{modules.parent}`."
            )
        return subprocess.Popen(
            [node, str(RENDERER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "NODE_PATH": str(modules)},
        )

    def render(self, tex: str, display: bool, where: str) -> str:
        key = (tex, display)
        if key not in self._cache:
            if (
                self._process is None
                or self._process.poll() is not None
            ):
                self._process = self._start()
            assert self._process.stdin and self._process.stdout
            self._process.stdin.write(
                json.dumps({"tex": tex, "display": display}) + "\n"
            )
            self._process.stdin.flush()
            line = self._process.stdout.readline()
            if not line:
                raise ExtensionError(
                    f"formules : le processus KaTeX s'est arrêté ({where})."
                )
            answer = json.loads(line)
            if "error" in answer:
                raise ExtensionError(
                    f"formules : {where} : {answer['error']}\n  formule : {tex}"
                )
            self._cache[key] = valid_mathml(answer["html"])
        return self._cache[key]

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin:
                self._process.stdin.close()
            self._process.wait(timeout=10)
            if self._process.stdout:
                self._process.stdout.close()
            self._process = None


_KATEX = KaTeX()


def _where(translator: Any, node: nodes.Node) -> str:
    return f"{translator.builder.current_docname}, ligne {node.line or '?'}"


def visit_math(self: Any, node: nodes.math) -> None:
    html = _KATEX.render(node.astext(), False, _where(self, node))
    self.body.append(
        self.starttag(
            node, "span", "", CLASS="math notranslate nohighlight"
        )
    )
    self.body.append(html + "</span>")
    raise nodes.SkipNode


def visit_displaymath(self: Any, node: nodes.math_block) -> None:
    """Comme ``sphinx.ext.mathjax`` : numéro et lien de l'équation, plusieurs équations
    séparées par une ligne vide alignées, ``\\\\`` dans ``split``."""
    self.body.append(
        self.starttag(
            node, "div", CLASS="math notranslate nohighlight"
        )
    )
    if node["nowrap"]:
        tex = node.astext()
    else:
        if node["number"]:
            number = get_node_equation_number(self, node)
            self.body.append(f'<span class="eqno">({number})')
            self.add_permalink_ref(node, _("Link to this equation"))
            self.body.append("</span>")
        parts = [
            part
            for part in node.astext().split("\n\n")
            if part.strip()
        ]
        parts = [
            r"\begin{split}" + part + r"\end{split}"
            if r"\\" in part
            else part
            for part in parts
        ]
        tex = (
            parts[0]
            if len(parts) == 1
            else r"\begin{aligned}"
            + r"\\".join(parts)
            + r"\end{aligned}"
        )
    self.body.append(_KATEX.render(tex, True, _where(self, node)))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def copy_katex(static: Path) -> None:
    """La feuille de style de KaTeX et ses polices woff2 (tout navigateur récent les lit)
    dans ``static/katex`` ; la feuille ne nomme plus les woff et ttf, non copiés."""
    dist = node_modules() / "katex" / "dist"
    target = static / "katex"
    if target.exists():
        shutil.rmtree(target)
    (target / "fonts").mkdir(parents=True)
    css = (dist / "katex.min.css").read_text(encoding="utf-8")
    lean = _WOFF2_ONLY.sub("", css)
    if (
        lean.count(".woff2") != css.count(".woff2")
        or ".ttf" in lean
    ):
        raise ExtensionError(
            "formules : la feuille de KaTeX a changé de forme (sources des polices)."
        )
    (target / "katex.min.css").write_text(lean, encoding="utf-8")
    for font in (dist / "fonts").glob("*.woff2"):
        shutil.copy2(font, target / "fonts" / font.name)


def builder_inited(app: Sphinx) -> None:
    if app.builder.format == "html":
        app.add_css_file(CSS_PATH)


def build_finished(
    app: Sphinx, exception: Exception | None
) -> None:
    _KATEX.close()
    if exception is None and app.builder.format == "html":
        copy_katex(Path(app.outdir) / "_static")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_html_math_renderer(
        "katex", (visit_math, None), (visit_displaymath, None)
    )
    app.config.html_math_renderer = "katex"
    app.connect("builder-inited", builder_inited)
    app.connect("build-finished", build_finished)
    return {
        "parallel_read_safe": True,
        "parallel_write_safe": False,
    }

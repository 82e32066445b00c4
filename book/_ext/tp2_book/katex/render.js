// Compose les formules du livre avec KaTeX, à la construction (book/_ext/tp2_book/formulas.py).
// Une requête par ligne sur l'entrée standard : {"tex": "...", "display": true} ; une réponse
// par ligne sur la sortie : {"html": "..."} ou {"error": "..."}. Un seul processus Node pour
// toutes les formules du livre : le lancer pour chacune coûterait ~50 ms × 700.
"use strict";
const katex = require("katex");
const readline = require("readline");

const ALLOWED = new Set(["unicodeTextInMathMode", "htmlExtension"]);

const options = (display) => ({
  displayMode: display,
  // Une formule fausse arrête la construction (formulas.py nomme la page et la formule).
  throwOnError: true,
  // Le HTML pour l'œil, le MathML caché pour les lecteurs d'écran.
  output: "htmlAndMathml",
  // Les termes colorés du chapitre 1 : \class{tpvert}{…}, la commande de MathJax, devient
  // \htmlClass (la couleur vient de tp2-lisibilite.css, dans les deux thèmes). Seule cette
  // commande est permise parmi celles qui écrivent du HTML.
  trust: (context) => context.command === "\\htmlClass",
  macros: { "\\class": "\\htmlClass{#1}{#2}" },
  // Permis : le texte accentué (\text{entrée}) et \htmlClass ci-dessus ; toute autre entorse
  // à LaTeX est une erreur.
  strict: (code) => (ALLOWED.has(code) ? "ignore" : "error"),
});

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    answer = { html: katex.renderToString(tex, options(display)) };
  } catch (error) {
    answer = { error: String(error.message || error) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});

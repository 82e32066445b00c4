/* Les figures « étape par étape » (extension book/_ext/tp2_book/stepper.py).
 *
 * Une figure .tp2-stepper contient une étape par .tp2-step (l'image et son texte). Sans ce
 * script, les étapes se suivent. Avec lui, une seule est montrée, la première d'abord, et
 * deux boutons placés sous elle
 * (« Étape précédente », « Étape suivante ») et les flèches du clavier (Début et Fin
 * pour la première et la dernière), quand le focus est dans la figure, passent d'une étape
 * à l'autre ; « Étape 3 sur 12 » est annoncé aux
 * lecteurs d'écran (aria-live). Le script ne lit aucune taille : il ne force aucun calcul
 * de mise en page, et la hauteur de la figure est celle de sa plus grande étape (CSS grid),
 * si bien que rien ne bouge sous elle quand on change d'étape.
 */
(() => {
  "use strict";

  const setUp = (figure) => {
    const steps = Array.from(figure.querySelectorAll(":scope > .tp2-step"));
    if (steps.length < 2) return;
    const count = steps.length;
    let current = 0; // la première étape : on suit la passe arrière depuis son début
    const bar = document.createElement("div");
    bar.className = "tp2-stepper-bar";
    const button = (label, text) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "tp2-stepper-button";
      b.setAttribute("aria-label", label);
      b.textContent = text;
      return b;
    };
    const previous = button("Étape précédente", "◀ Précédente");
    const status = document.createElement("span");
    status.className = "tp2-stepper-status";
    status.setAttribute("aria-live", "polite");
    const next = button("Étape suivante", "Suivante ▶");
    bar.append(previous, next, status);
    // Sous les étapes, près de leur texte : on lit, puis on passe à la suivante.
    steps[count - 1].after(bar);

    const boxes = steps.map((step) => step.querySelector(".tp2-step-image"));
    const show = (k) => {
      const before = current;
      current = Math.max(0, Math.min(count - 1, k));
      // Sur un téléphone, l'image défile : la suivante garde la même position.
      if (boxes[before] && boxes[current] && before !== current) {
        boxes[current].scrollLeft = boxes[before].scrollLeft;
      }
      steps.forEach((step, i) => {
        step.classList.toggle("tp2-step-hidden", i !== current);
        step.setAttribute("aria-hidden", String(i !== current));
      });
      status.textContent = `Étape ${current + 1} sur ${count}`;
      const focused = document.activeElement;
      previous.disabled = current === 0;
      next.disabled = current === count - 1;
      // Un bouton qui devient inactif perd le focus : on le rend à la figure.
      if (focused && focused.disabled) figure.focus();
    };
    previous.addEventListener("click", () => show(current - 1));
    next.addEventListener("click", () => show(current + 1));
    figure.addEventListener("keydown", (event) => {
      if (event.key === "ArrowLeft") show(current - 1);
      else if (event.key === "ArrowRight") show(current + 1);
      else if (event.key === "Home") show(0);
      else if (event.key === "End") show(count - 1);
      else return;
      event.preventDefault();
    });
    // Sur un téléphone, une étape défile : son image s'estompe au bord tant qu'il en reste
    // à voir. La taille n'est lue qu'au défilement, jamais au chargement.
    figure.querySelectorAll(".tp2-step-image").forEach((box) => {
      box.addEventListener("scroll", () => {
        const end = box.scrollLeft + box.clientWidth >= box.scrollWidth - 2;
        box.classList.toggle("tp2-step-end", end);
      }, { passive: true });
    });
    // La figure prend le focus (clic, tabulation) : les flèches y changent d'étape.
    figure.tabIndex = 0;
    figure.setAttribute("aria-label",
      "Figure étape par étape : flèches gauche et droite pour changer d'étape");
    figure.classList.add("tp2-stepper-ready");
    show(current);
  };

  const start = () => document.querySelectorAll("figure.tp2-stepper").forEach(setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

"""Code d'appui du livre « TP 2 — Graphe de calcul, autograd et modules ».

Un module par thème : ``data`` (Boston Housing), ``graph`` (graphe d'autograd),
``functions`` (``torch.autograd.Function`` écrites à la main), ``gradcheck``
(différences finies). Les chapitres du livre gardent visible la leçon elle-même ;
ce paquet n'en porte que la plomberie.
"""

__version__ = "0.1.0"

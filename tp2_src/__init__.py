"""Code d'appui du livre « TP 2 — Graphe de calcul, autograd et modules ».

Un module par thème : ``graph`` (graphe d'autograd et passe arrière relevée, chapitre
1), ``figures`` (style des figures, dessin des graphes, chapitres 1 à 5), ``functions``
(``torch.autograd.Function`` écrites à la main, chapitre 2), ``gradcheck`` (différences
finies, chapitres 1-2), ``data`` (Boston Housing), ``linreg`` (descentes de gradient,
chapitre 3), ``training`` (apprentissage avec un optimiseur, chapitres 4-5), ``logs`` et
``plots`` (journaux TensorBoard et leurs courbes), ``report`` (tableaux, valeurs collées),
``device`` (CPU ou CUDA). ``sphinx_ext`` contient les extensions Sphinx du livre.
Les chapitres gardent visible la leçon elle-même ; ce paquet n'en porte que la plomberie.
"""

__version__ = "0.1.0"

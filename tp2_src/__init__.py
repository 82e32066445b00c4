"""Code d'appui du livre « TP 2 — Graphe de calcul, autograd et modules ».

Un module par thème : ``graph`` (graphe d'autograd et passe arrière relevée, chapitre
1), ``figures`` (style des figures, dessin des graphes, chapitres 1 à 5), ``functions``
(``torch.autograd.Function`` écrites à la main, chapitre 2), ``finite_diff`` (différences
finies, chapitres 1-2), ``data`` (Boston Housing), ``training`` (la boucle d'apprentissage
commune, chapitres 3 à 5), ``linreg`` (régression linéaire : coût, solution exacte,
descente de gradient, chapitre 3), ``logs`` et ``plots`` (journaux TensorBoard et leurs
courbes), ``report`` (tableaux, valeurs collées, messages), ``device`` (CPU ou CUDA),
``settings`` (réglages partagés avec nox et les tests), ``checks`` (les vérifications de
l'édition étudiant) et ``editions`` (les deux éditions des notebooks et le kit de
l'étudiant, tirés des chapitres). ``sphinx_ext`` contient les
extensions Sphinx du livre. Les chapitres gardent visible la leçon elle-même ; ce paquet
n'en porte que la plomberie.
"""

"""Le code d'appui du TP 2 — Graphe de calcul, autograd et modules : ce que les chapitres
et l'étudiant importent, et rien d'autre (c'est la roue du kit de l'étudiant).

Un module par thème :

- ``graph`` : le graphe d'autograd d'un calcul et sa passe arrière relevée (chapitre 1) ;
- ``graph_drawing`` : le dessin de ces graphes (chapitre 1) ;
- ``finite_diff`` : les différences finies (chapitres 1 et 2) ;
- ``functions`` : des ``torch.autograd.Function`` écrites à la main (chapitre 2) ;
- ``data`` : Boston Housing, découpé et standardisé (chapitres 3 à 5) ;
- ``linreg`` : la régression linéaire — coût, solution exacte, descentes (chapitre 3) ;
- ``training`` : la boucle d'apprentissage commune (chapitres 4 et 5) ;
- ``logs`` et ``plots`` : les journaux TensorBoard et leurs courbes (chapitres 3 à 5) ;
- ``checks`` : les vérifications qui notent le code de l'étudiant (chapitres 2 à 5) ;
- ``device`` : CPU ou CUDA, et ce qui exécute le code ;
- ``style`` : le style des figures (SVG à texte réel, lisibles dans la colonne) ;
- ``french`` : les nombres écrits à la française ;
- ``glue`` : les valeurs calculées que la prose cite ;
- ``display`` : tableaux et messages d'erreur résumés.

Les chapitres gardent visible la leçon elle-même ; ce paquet n'en porte que l'appui. La
machinerie du livre (extensions Sphinx, éditions, kit) vit à part, dans ``book/_ext``.
"""

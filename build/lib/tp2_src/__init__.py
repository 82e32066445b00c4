"""Le code d'appui du TP 2 — Graphe de calcul, autograd et modules : ce que les chapitres
et l'étudiant importent, et rien d'autre (c'est la roue du kit de l'étudiant).

Un module par thème :

- ``graph`` : le graphe d'autograd d'un calcul et sa passe arrière relevée, pour les
  figures (chapitres 1 et 2) ;
- ``graph_drawing`` : le dessin de ces graphes (chapitres 1 et 2) ;
- ``finite_diff`` : les différences finies (chapitre 1, qui en montre le code) ;
- ``functions`` : des ``torch.autograd.Function`` écrites à la main (chapitre 2, qui les
  montre) ;
- ``data`` : Boston Housing, découpé et standardisé (montré au chapitre 3, repris aux
  chapitres 4 et 5) ;
- ``linreg`` : le coût, la solution exacte et la hessienne de la régression linéaire
  (montrés au chapitre 3) ;
- ``training`` : la boucle d'apprentissage avec un optimiseur (montrée au chapitre 4,
  reprise au chapitre 5) ;
- ``logs`` et ``plots`` : les journaux TensorBoard et leurs courbes (chapitres 3 à 5) ;
- ``checks`` : les vérifications qui jugent le code de l'étudiant, un module par
  chapitre, inscrites au registre des exercices par leur étiquette
  (``check("ex-4a", globals())``), et leurs outils (``checks.grading``) ;
- ``device`` : CPU ou CUDA, et ce qui exécute le code ;
- ``style`` : le style des figures (SVG à texte réel, lisibles dans la colonne) ;
- ``french`` : les nombres écrits à la française ;
- ``glue`` : les valeurs calculées que la prose cite ;
- ``display`` : tableaux et messages d'erreur résumés.

Le code de la leçon que porte ce paquet est montré par la page qui l'enseigne
(``{literalinclude}``) ; le reste n'est que l'appui (vérifications, figures, affichage). La
machinerie du livre (extensions Sphinx, éditions, kit) vit à part, dans ``book/_ext``.
"""

"""Réglages de la construction du livre, lus par les extensions, nox, les tests et le banc d'essai.

Ce module n'importe rien : le ``noxfile`` le charge par son chemin, sans installer quoi que
ce soit dans l'environnement de nox.
"""

#: Options de ``jupyter-book build`` : un avertissement est une erreur (``-W``), les
#: renvois sont vérifiés (``-n``), et tous les problèmes sont listés avant l'échec.
BUILD_FLAGS: tuple[str, ...] = (
    "--warningiserror",
    "--nitpick",
    "--keep-going",
)

#: Environnement de la construction : le hachage de Python fixé, et un fil de calcul par
#: chapitre (les chapitres s'exécutent en parallèle, un par cœur ; et un chapitre
#: ré-exécuté seul calcule avec le même nombre de fils, donc les mêmes nombres).
BUILD_ENV: dict[str, str] = {
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
}

#: Variable d'environnement qui choisit le dossier des notebooks de ``nox -s lab``
#: (sinon ``_build/lab``).
LAB_DIR_ENV = "TP2_LAB_DIR"

#: Nombre de chapitres exécutés en même temps par la construction (sinon, un par cœur).
JOBS_ENV = "TP2_BUILD_JOBS"

#: Fichier de ``_build`` touché quand la construction HTML relit au moins une page : le PDF
#: plus ancien que lui (ou que ``_config.yml``) est à refaire (``nox -s build``).
PAGES_READ_STAMP = ".tp2-pages-read"

#: Les paquets Debian dont le projet a besoin (TeX Live pour le PDF, Chromium pour les
#: tests du navigateur, Java pour le vérificateur HTML) : un par ligne, relu par ``.ci/run``,
#: le ``noxfile`` et la commande du README.
DEBIAN_PACKAGES_FILE = ".ci/debian-packages.txt"

#: Le verrou de l'environnement : la version exacte de chaque paquet (contraintes de pip),
#: écrit par ``nox -s lock`` à partir de ``pyproject.toml`` ; chaque session de nox installe
#: avec (``pip install -c``), et le kit de l'étudiant en tire ses versions.
CONSTRAINTS_FILE = ".ci/constraints.txt"

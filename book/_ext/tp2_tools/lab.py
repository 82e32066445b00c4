"""Les notebooks de ``nox -s lab`` : ``python -m tp2_tools.lab DOSSIER`` écrit les deux
éditions dans ``DOSSIER/etudiant`` et ``DOSSIER/complet``, sans jamais écraser un notebook
existant (le travail de l'étudiant).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tp2_book.conventions import chapters
from tp2_book.editions import write_editions


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Écrit les deux éditions des notebooks, sans écraser l'existant."
    )
    parser.add_argument(
        "target",
        type=Path,
        help="dossier où écrire etudiant/ et complet/",
    )
    root = (
        Path(__file__).resolve().parents[3]
    )  # book/_ext/tp2_tools/lab.py → le dépôt
    parser.add_argument(
        "--book",
        type=Path,
        default=root / "book",
        help="dossier des chapitres NN_*.py",
    )
    parser.add_argument(
        "--glue",
        type=Path,
        default=root / "_build" / "jupyter_execute" / "book",
        help="chapitres exécutés par la construction du livre (valeurs citées par la prose)",
    )
    args = parser.parse_args(argv)
    sources = chapters(args.book)
    if not sources:
        parser.error(f"aucun chapitre NN_*.py dans {args.book}")
    written = write_editions(
        sources, args.target, overwrite=False, glue_dir=args.glue
    )
    kept = 2 * len(sources) - len(written)
    print(
        f"{len(written)} notebook(s) écrit(s) dans {args.target}"
        + (f", {kept} gardé(s) tel(s) quel(s)" if kept else "")
    )


if __name__ == "__main__":
    main()

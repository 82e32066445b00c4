"""Les notebooks de ``nox -s lab`` : ``python -m tp2_tools.lab DOSSIER`` écrit les deux
éditions dans ``DOSSIER/etudiant`` et ``DOSSIER/complet``, sans jamais écraser un notebook
existant (le travail de l'étudiant).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import yaml
from tp2_book.build_date import SUBSTITUTION, book_date
from tp2_book.conventions import chapters
from tp2_book.editions import write_editions
from tp2_book.settings import BOOK, BUILD_DIR, ROOT


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Écrit les deux éditions des notebooks, sans écraser l'existant."
    )
    parser.add_argument(
        "target",
        type=Path,
        help="dossier où écrire etudiant/ et complet/",
    )
    parser.add_argument(
        "--book",
        type=Path,
        default=BOOK,
        help="dossier des chapitres NN_*.py",
    )
    parser.add_argument(
        "--glue",
        type=Path,
        default=BUILD_DIR / "jupyter_execute" / "book",
        help="chapitres exécutés par la construction du livre (valeurs citées par la prose)",
    )
    args = parser.parse_args(argv)
    sources = chapters(args.book)
    if not sources:
        parser.error(f"aucun chapitre NN_*.py dans {args.book}")
    # Ce que la construction du livre donnerait aux éditions : le titre du livre
    # (``_config.yml``) et sa date (le dernier commit).
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    written = write_editions(
        sources,
        args.target,
        overwrite=False,
        glue_dir=args.glue,
        book_title=yaml.safe_load(config)["title"],
        substitutions={SUBSTITUTION: book_date(ROOT)},
    )
    kept = 2 * len(sources) - len(written)
    print(
        f"{len(written)} notebook(s) écrit(s) dans {args.target}"
        + (f", {kept} gardé(s) tel(s) quel(s)" if kept else "")
    )


if __name__ == "__main__":
    main()

"""Extension Sphinx locale : sphinx-exercise avec des titres en bon français.

La traduction française livrée avec sphinx-exercise produit « Solution de Exercice (…) ».
Sphinx fusionne les catalogues de traduction d'un même domaine en gardant le premier
chargé comme prioritaire : on enregistre donc notre catalogue (``locales/``) *avant* de
charger sphinx-exercise, qui est chargé par cette extension (et non par
``extra_extensions``). Le ``.mo`` est compilé à partir du ``.po`` à chaque construction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sphinx.application import Sphinx

CATALOG = "exercise"  # domaine de traduction de sphinx-exercise


def setup(app: Sphinx) -> dict[str, Any]:
    source = Path(__file__).with_name("locales")
    compiled = Path(app.doctreedir) / "tp2-locales"
    for po in source.glob(f"*/LC_MESSAGES/{CATALOG}.po"):
        mo = compiled / po.relative_to(source).with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f_in, mo.open("wb") as f_out:
            write_mo(f_out, read_po(f_in))
    app.add_message_catalog(CATALOG, str(compiled))
    app.setup_extension("sphinx_exercise")
    return {"parallel_read_safe": True, "parallel_write_safe": True}

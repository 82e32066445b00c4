"""Les nombres écrits à la française, dans la prose, les légendes et les messages (chapitres 1 à 5)."""

from __future__ import annotations

#: Les chiffres en exposant, pour écrire « 10⁻⁵ » en texte (sans formule).
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def french_number(value: float, fmt: str) -> str:
    """Nombre écrit à la française : ``french_number(5252.5, ".1f")`` donne « 5 252,5 ».

    ``fmt`` est un format Python (``".2f"``, ``"d"``, ``".1e"``…) ; la virgule sépare les
    décimales, une espace fine insécable les milliers, et une puissance de dix s'écrit
    « 2,7 × 10⁻⁹ » (« 10⁻⁵ » quand la mantisse vaut 1).
    """
    sign = fmt[0] if fmt[:1] in ("+", "-", " ") else ""
    spec = (
        fmt if fmt.endswith(("e", "E")) else sign + "," + fmt[len(sign) :]
    )
    try:
        text = format(value, spec)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"Impossible de formater {value!r} avec {fmt!r} : {err}"
        ) from err
    mantissa, _, exponent = text.lower().partition("e")
    mantissa = mantissa.translate({ord(","): "\u202f", ord("."): ","})
    if not exponent:
        return mantissa
    power = f"10{str(int(exponent)).translate(SUPERSCRIPTS)}"
    return power if mantissa == "1" else f"{mantissa} × {power}"

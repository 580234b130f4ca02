"""Comparing what people type: names whatever the case, spacing, apostrophes and accents, in
Python and in SQL alike (phone numbers: phones.py)."""

import unicodedata

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower


def normalise(text) -> str:
    """Compare labels whatever the apostrophe, case and spacing."""
    text = str(text).replace("’", "'").replace("‘", "'").replace("\u00a0", " ")
    return " ".join(text.split()).casefold()


def fold(text) -> str:
    """Compare names (of people, places, communes) whatever the accents too."""
    decomposed = unicodedata.normalize("NFKD", normalise(text or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Street words written short in addresses, and their full form.
STREET_WORDS = {
    "r": "rue",
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "boul": "boulevard",
    "pl": "place",
    "all": "allee",
    "imp": "impasse",
    "ch": "chemin",
    "che": "chemin",
    "rte": "route",
    "sq": "square",
    "crs": "cours",
    "fg": "faubourg",
    "fbg": "faubourg",
    "st": "saint",
    "ste": "sainte",
}


def address(text) -> str:
    """Compare postal addresses whatever the accents, punctuation and usual abbreviations:
    "26, r. Pierre-de-Coubertin" and "26 RUE PIERRE DE COUBERTIN" compare equal."""
    words = "".join(c if c.isalnum() else " " for c in fold(text)).split()
    return " ".join(STREET_WORDS.get(word, word) for word in words)


def digits(text) -> str:
    """The digits of a phone number, whatever spaces, dots or dashes were typed."""
    return "".join(c for c in text or "" if c.isdigit())


def _folding_table() -> tuple[str, str]:
    """Characters that `fold` turns into another single letter, for SQL's translate()."""
    source, target = "’‘\u00a0", "'' "
    for code in range(0xC0, 0x250):
        char = chr(code)
        folded_char = fold(char)
        if len(folded_char) == 1 and folded_char != char:
            source, target = source + char, target + folded_char
    return source, target


FOLD_FROM, FOLD_TO = _folding_table()


def folded(expression):
    """SQL near enough to `fold(expression)` to find candidates in the database (letters that
    fold into two, like œ, stay as they are); compare exactly in Python where it matters."""
    translated = Func(expression, Value(FOLD_FROM), Value(FOLD_TO), function="translate")
    spaced = Func(translated, Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace")
    return Lower(Func(spaced, function="btrim", output_field=CharField()))

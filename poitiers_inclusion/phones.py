"""Phone numbers: read however people write them, stored in one format (E.164, "+33549410000",
what data·inclusion, the national places standard and text-message services want), shown the
French way ("05 49 41 00 00") and compared by one key, in Python and in SQL alike."""

import re

from django.db.models import CharField, Func, Value

INVALID = "Numéro de téléphone invalide : écrivez par exemple 05 49 41 00 00 ou +33 5 49 41 00 00"

# What people type between the digits: spaces (non-breaking ones pasted from documents too),
# dots, slashes, dashes of every width, brackets.
SEPARATORS = re.compile(r"[\s.\-/()\u2010-\u2015]")
NATIONAL = re.compile(r"0[1-9][0-9]{8}")
INTERNATIONAL = re.compile(r"[1-9][0-9]{7,14}")  # E.164: at most 15 digits, country code first

# The French numbering plan (ARCEP, « plan national de numérotation ») covers the overseas
# departments and Saint-Pierre-et-Miquelon: there they are dialled as ten-digit national numbers,
# but each has its own ITU country code, which E.164 uses instead of +33:
#   Réunion 0262, 0263 (fixed), 0692, 0693 (mobile); Mayotte 0269, 0639     -> +262
#   Guadeloupe, Saint-Barthélemy, Saint-Martin 0590, 0690, 0691              -> +590
#   Guyane 0594, 0694                                                       -> +594
#   Martinique 0596, 0696, 0697                                             -> +596
# the national number after the 0 follows the code whole: 0590 12 34 56 is +590 590 12 34 56.
OVERSEAS = {
    "0262": "262",
    "0263": "262",
    "0269": "262",
    "0639": "262",
    "0692": "262",
    "0693": "262",
    "0590": "590",
    "0690": "590",
    "0691": "590",
    "0594": "594",
    "0694": "594",
    "0596": "596",
    "0696": "596",
    "0697": "596",
}
# Saint-Pierre-et-Miquelon: 05 08 then its six-digit number inside the plan, +508 and the six
# digits abroad. New Caledonia (+687), French Polynesia (+689) and Wallis-et-Futuna (+681) are
# outside the plan (reached from France by 00 687…): they are written with their + code, and
# 06 81… stays a metropolitan mobile (+33 6 81…).
SAINT_PIERRE = "0508"
FRENCH_CODES = ("33", "262", "590", "594", "596", "508")

# ITU-T E.164 country codes are prefix-free: these are the one- and two-digit ones, every
# other code has three digits. Only used to put a space after the code of a foreign number.
SHORT_COUNTRY_CODES = {"1", "7"} | set(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
    "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split()
)


def _from_national(number: str) -> str:
    """E.164 of a ten-digit national number (0…)."""
    if number[:4] in OVERSEAS:
        return "+" + OVERSEAS[number[:4]] + number[1:]
    if number[:4] == SAINT_PIERRE:
        return "+508" + number[4:]
    return "+33" + number[1:]


def _from_french_code(code: str, rest: str) -> str | None:
    """E.164 of a number written +33, +262… (rest: the digits after the code)."""
    if code == "508":
        return "+508" + rest if re.fullmatch(r"[0-9]{6}", rest) else None
    if len(rest) == 10 and rest[0] == "0":  # "+33 0 5 49…": the 0 kept by habit
        rest = rest[1:]
    if not NATIONAL.fullmatch("0" + rest):
        return None
    number = _from_national("0" + rest)
    # +33 6 92… is Réunion's 06 92…, but +262 5 49… is no number of Réunion.
    return number if code == "33" or number.startswith("+" + code) else None


def normalise(text) -> str | None:
    """The E.164 form of a phone number however written ("05 49 41 00 00", "05.49.41.00.00",
    "+33 (0)5 49 41 00 00", "0033 5 49…", "0590 12 34 56", "+44 20 7946 0958"), or None when
    it is not one."""
    typed = str(text or "").strip()
    if typed.startswith(("+", "00")):
        typed = typed.replace("(0)", "", 1)
    compact = SEPARATORS.sub("", typed)
    # Ten digits from 00 are a French number mistyped ("00 12 34 56 78"), not a call abroad.
    if compact.startswith("00") and len(compact) != 10:
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        digits = compact[1:]
        if not INTERNATIONAL.fullmatch(digits):
            return None
        for code in FRENCH_CODES:
            if digits.startswith(code):
                return _from_french_code(code, digits[len(code) :])
        return "+" + digits
    return _from_national(compact) if NATIONAL.fullmatch(compact) else None


def national(number) -> str | None:
    """The ten-digit French form (05…) of a stored E.164 number of the French plan, else None."""
    number = str(number or "")
    if re.fullmatch(r"\+33[1-9][0-9]{8}", number):
        return "0" + number[3:]
    if re.fullmatch(r"\+(262|590|594|596)[1-9][0-9]{8}", number):
        return "0" + number[4:]
    if re.fullmatch(r"\+508[0-9]{6}", number):
        return SAINT_PIERRE + number[4:]
    return None


def _pairs(digits: str) -> str:
    head = 3 if len(digits) % 2 else 2
    return " ".join([digits[:head]] + [digits[i : i + 2] for i in range(head, len(digits), 2)])


def display(value) -> str:
    """A phone number as people read it: "05 49 41 00 00" in France and overseas, "+44 20 79 46
    09 58" abroad; a stored value that is no number (an old one) as it is."""
    number = normalise(value)
    if number is None:
        return str(value or "")
    french = national(number)
    if french:
        return _pairs(french)
    digits = number[1:]
    size = 1 if digits[:1] in SHORT_COUNTRY_CODES else 2 if digits[:2] in SHORT_COUNTRY_CODES else 3
    return f"+{digits[:size]} {_pairs(digits[size:])}"


def is_mobile(value) -> bool:
    """A French mobile number (06, 07, overseas ones too), the only kind a text message reaches."""
    french = national(normalise(value))
    return bool(french) and french[:2] in ("06", "07")


# --- Comparing --------------------------------------------------------------------------------
# Numbers are compared by a key: the ten national digits for a number of the French plan, the
# digits after + for another. Stored numbers are E.164, but an old value the migration could not
# read stays as typed: the SQL key turns a leading French code (+33, 0033, +262…) into 0 and
# drops what is not a digit, and a typed text that is no number gets the same treatment here.
_FRENCH_PREFIX = r"^\s*(\+|00)\s*(33|262|590|594|596)"


def key(text) -> str:
    """What a phone number is compared by: "06 12 34 56 78", "+33612345678" and "0033 6 12 34
    56 78" have the same key; so do part of a number and the same part stored (searching)."""
    number = normalise(text)
    if number:
        return national(number) or number[1:]
    text = str(text or "").strip()
    text = re.sub(r"^\s*(\+|00)\s*508", SAINT_PIERRE, text)
    text = re.sub(_FRENCH_PREFIX, "0", text)
    return re.sub(r"[^0-9]", "", text)


def sql_key(expression):
    """SQL: `key` of a stored phone number (a column name or an expression)."""
    spm = Func(
        expression, Value(r"^\s*(\+|00)\s*508"), Value(SAINT_PIERRE), function="regexp_replace"
    )
    french = Func(spm, Value(_FRENCH_PREFIX), Value("0"), function="regexp_replace")
    return Func(
        french,
        Value("[^0-9]"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=CharField(),
    )


# --- Migrations -------------------------------------------------------------------------------


def normalise_column(apps, app_label: str, model_name: str, field: str, batch: int = 10_000) -> int:
    """Data migration: store the E.164 form of every number of one column that reads as a
    number; a value that does not stays as it was (never lose what someone typed). Returns how
    many rows changed. Reads (key, value) pairs, not objects, and writes each batch with one
    UPDATE … FROM (VALUES …): millions of rows in minutes, not hours."""
    from django.db import connection
    from psycopg2.extras import execute_values

    model = apps.get_model(app_label, model_name)
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    key_column = connection.ops.quote_name(model._meta.pk.column)
    update = (
        f"UPDATE {table} AS t SET {column} = v.number FROM (VALUES %s) AS v(pk, number) "  # noqa: S608
        f"WHERE t.{key_column} = v.pk"
    )
    rows = model._base_manager.exclude(**{field: ""}).order_by().values_list("pk", field)
    changed, pending = 0, []

    def write():
        with connection.cursor() as cursor:
            execute_values(cursor.cursor, update, pending, page_size=len(pending))

    for pk, value in rows.iterator(chunk_size=batch):
        number = normalise(value)
        if number and number != value:
            pending.append((pk, number))
        if len(pending) >= batch:
            write()
            changed, pending = changed + len(pending), []
    if pending:
        write()
        changed += len(pending)
    return changed

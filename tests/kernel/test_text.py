"""The comparison of typed names and phone numbers, in Python and in SQL."""

import pytest
from django.db.models import CharField, Value
from django.db.models.functions import Cast

from poitiers_inclusion.models import Usager
from poitiers_inclusion.text import digits, fold, folded, normalise


def test_it_ignores_case_spacing_and_apostrophes():
    assert normalise("  L’Atelier\u00a0 du  Numérique ") == "l'atelier du numérique"


def test_it_folds_accents():
    assert fold("Hélène  LEFÈVRE-Ça") == "helene lefevre-ca"
    assert fold(None) == ""


def test_it_keeps_the_digits_of_a_phone_number():
    assert digits("06 12.34-56 (78)") == "0612345678"
    assert digits(None) == ""


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["Hélène  Lefèvre", "  ÇA’VA ", "Zoë Ñúñez", "Ørsted"])
def test_the_sql_fold_agrees_with_python(text):
    usager = Usager.objects.create()
    sql = (
        Usager.objects.filter(pk=usager.pk)
        .annotate(f=folded(Cast(Value(text), output_field=CharField())))
        .values_list("f", flat=True)
        .get()
    )
    assert sql == fold(text)


def test_it_compares_addresses_whatever_the_abbreviations_and_punctuation():
    from poitiers_inclusion.text import address

    assert address("26, r. Pierre-de-Coubertin") == address("26 RUE PIERRE DE COUBERTIN")
    assert address("3 bd du Grand Cerf") == "3 boulevard du grand cerf"
    assert address("4 rue de l'Université") == "4 rue de l universite"

"""The phone number of every form and model: read however written, stored E.164, shown the
French way, compared by one key, and the migration that brings old values to that format."""

import pytest
from django import forms
from django.template import Context, Template
from django.utils import timezone

from poitiers_inclusion import phones
from poitiers_inclusion.fields import PhoneField, PhoneNumberField
from poitiers_inclusion.models import Usager

INVALID = "Numéro de téléphone invalide : écrivez par exemple 05 49 41 00 00 ou +33 5 49 41 00 00"


class Form(forms.Form):
    telephone = PhoneField()


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("05.49.12.34.56", "+33549123456"),
        ("05-49-12-34-56", "+33549123456"),
        ("05/49/12/34/56", "+33549123456"),
        ("05\u00a049\u00a012\u00a034\u00a056", "+33549123456"),  # pasted from a document
        ("05–49–12–34–56", "+33549123456"),  # en dash
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33612345678", "+33612345678"),
        ("+33 (0)5 49 12 34 56", "+33549123456"),
        ("+33 0 5 49 12 34 56", "+33549123456"),
        ("0033 5 49 12 34 56", "+33549123456"),
        ("00 33 (0)5 49 12 34 56", "+33549123456"),
        ("(05) 49 12 34 56", "+33549123456"),
        ("  05 49 12 34 56  ", "+33549123456"),
        ("0800 12 34 56", "+33800123456"),
        ("09 72 12 34 56", "+33972123456"),
        ("", ""),
    ],
)
def test_it_stores_a_french_number_in_its_international_form(typed, kept):
    form = Form(data={"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"] == kept


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("0590 12 34 56", "+590590123456"),  # Guadeloupe
        ("06 90 12 34 56", "+590690123456"),
        ("0691 12 34 56", "+590691123456"),
        ("0594 12 34 56", "+594594123456"),  # Guyane
        ("0694 12 34 56", "+594694123456"),
        ("0596 12 34 56", "+596596123456"),  # Martinique
        ("0696 12 34 56", "+596696123456"),
        ("0697 12 34 56", "+596697123456"),
        ("0262 12 34 56", "+262262123456"),  # La Réunion
        ("0263 01 23 45", "+262263012345"),
        ("0692 12 34 56", "+262692123456"),
        ("0693 12 34 56", "+262693123456"),
        ("0269 61 23 45", "+262269612345"),  # Mayotte
        ("0639 12 34 56", "+262639123456"),
        ("05 08 41 23 45", "+508412345"),  # Saint-Pierre-et-Miquelon
        ("+508 41 23 45", "+508412345"),
        ("+262 692 12 34 56", "+262692123456"),
        ("+262 (0)692 12 34 56", "+262692123456"),
        ("+33 6 92 12 34 56", "+262692123456"),  # the same number, its own code
        ("00590 590 12 34 56", "+590590123456"),
    ],
)
def test_it_gives_an_overseas_number_its_own_country_code(typed, kept):
    form = Form(data={"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"] == kept


@pytest.mark.parametrize("typed", ["06 81 23 45 67", "0687 12 34 56", "0689 12 34 56"])
def test_a_metropolitan_mobile_stays_french_whatever_it_looks_like(typed):
    """06 81, 06 87, 06 89 are mobiles of metropolitan France: Wallis-et-Futuna, New Caledonia
    and French Polynesia are outside the French plan and reached with their + code."""
    form = Form(data={"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"].startswith("+336")


@pytest.mark.parametrize(
    "typed, kept",
    [
        ("+44 20 7946 0958", "+442079460958"),
        ("0044 20 7946 0958", "+442079460958"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+32 2 123 45 67", "+3221234567"),
        ("+687 12 34 56", "+687123456"),  # New Caledonia: 6 digits
        ("+689 40 12 34 56", "+68940123456"),
        ("+681 72 12 34", "+681721234"),
        ("+86 139 1234 5678", "+8613912345678"),
    ],
)
def test_it_keeps_a_foreign_number_written_with_its_code(typed, kept):
    form = Form(data={"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"] == kept


@pytest.mark.parametrize(
    "typed",
    [
        "12",
        "06 12 34 56",
        "00 12 34 56 78",
        "06 12 34 56 78 9",
        "abc",
        "612345678",  # the 0 forgotten: which number is meant is a guess
        "06 12 34 56 7a",
        "tél. 06 12 34 56 78",
        "+33 6 12 34 56",
        "+33 6 12 34 56 78 9",
        "+262 5 49 12 34 56",  # a metropolitan number under Réunion's code
        "+590 12 34",
        "+508 41 23 45 6",
        "+1234567",  # 7 digits: too short for any country
        "+1234567890123456",  # 16 digits: longer than E.164 allows
        "+0 549 12 34 56",
        "06 12 34 56 78 / 05 49 12 34 56",
        "٠٦١٢٣٤٥٦٧٨",  # digits of another script
    ],
)
def test_it_explains_a_wrong_number_in_french(typed):
    form = Form(data={"telephone": typed})
    assert not form.is_valid()
    assert form.errors["telephone"] == [INVALID]
    # Shown again as typed, for the person to correct it.
    assert f'value="{typed}"' in str(form["telephone"])


def test_it_offers_the_phone_keyboard():
    html = str(Form()["telephone"])
    assert 'type="tel"' in html and 'inputmode="tel"' in html and 'autocomplete="tel"' in html


def test_a_stored_number_is_edited_the_french_way_and_is_not_a_change():
    form = Form(initial={"telephone": "+33549123456"})
    assert 'value="05 49 12 34 56"' in str(form["telephone"])
    posted = Form(initial={"telephone": "+33549123456"}, data={"telephone": "05 49 12 34 56"})
    assert posted.is_valid() and not posted.has_changed()


@pytest.mark.parametrize(
    "stored, shown",
    [
        ("+33549000000", "05 49 00 00 00"),
        ("+33612345678", "06 12 34 56 78"),
        ("+590590123456", "05 90 12 34 56"),
        ("+262692123456", "06 92 12 34 56"),
        ("+508412345", "05 08 41 23 45"),
        ("+442079460958", "+44 20 79 46 09 58"),
        ("+14155552671", "+1 41 55 55 26 71"),
        ("+687123456", "+687 12 34 56"),
        ("+3221234567", "+32 21 23 45 67"),
        # Old values the migration could not read: as stored.
        ("0549000000", "05 49 00 00 00"),
        ("05 49 00 00 00", "05 49 00 00 00"),
        ("112", "112"),
        ("06 12 34 56 (soir)", "06 12 34 56 (soir)"),
        ("", ""),
        (None, ""),
    ],
)
def test_the_filter_shows_a_number_as_people_read_it(stored, shown):
    template = Template("{% load kernel_tags %}{{ number|phone }}")
    assert template.render(Context({"number": stored})) == shown


@pytest.mark.parametrize(
    "stored, html",
    [
        ("+33549000000", '<a href="tel:+33549000000">05 49 00 00 00</a>'),
        ("+590590123456", '<a href="tel:+590590123456">05 90 12 34 56</a>'),
        ("+442079460958", '<a href="tel:+442079460958">+44 20 79 46 09 58</a>'),
        ("06 12 34 56 78", '<a href="tel:+33612345678">06 12 34 56 78</a>'),
        ("<b>06 12</b>", "&lt;b&gt;06 12&lt;/b&gt;"),  # no number: no link, escaped
        ("", ""),
    ],
)
def test_the_link_calls_the_international_number(stored, html):
    template = Template("{% load kernel_tags %}{{ number|phone_link }}")
    assert template.render(Context({"number": stored})) == html


def _person(**fields):
    return Usager.objects.create(
        first_name="Awa", last_name="Diallo", consent_at=timezone.now(), **fields
    )


# --- Comparing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "one, other",
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06 12 34 56 78", "0033 6 12 34 56 78"),
        ("0692 12 34 56", "+262692123456"),
        ("05 08 41 23 45", "+508412345"),
        ("0044 20 7946 0958", "+442079460958"),
    ],
)
def test_two_writings_of_a_number_have_one_key(one, other):
    assert phones.key(one) == phones.key(other)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stored",
    [
        "+33612345678",
        "0612345678",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+33 6 12 34 56 78",
        "0033 6 12 34 56 78",
    ],
)
def test_the_sql_key_of_a_stored_number_is_the_key_of_what_is_typed(stored):
    """Old values stay as typed when the migration cannot read them: a search or a duplicate
    check in SQL must still find them."""
    usager = _person()
    Usager.objects.filter(pk=usager.pk).update(phone=stored)  # as an old release stored it
    found = Usager.objects.alias(key=phones.sql_key("phone")).filter(
        key=phones.key("06 12 34 56 78")
    )
    assert list(found) == [usager]


@pytest.mark.django_db
@pytest.mark.parametrize("stored", ["+262692123456", "+508412345", "+442079460958"])
def test_the_sql_key_agrees_with_python_beyond_metropolitan_france(stored):
    usager = _person(phone=stored)
    value = Usager.objects.annotate(key=phones.sql_key("phone")).get(pk=usager.pk).key
    assert value == phones.key(stored)


# --- The model field ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_model_field_stores_what_code_sets_in_its_international_form():
    usager = _person(phone="06 12 34 56 78")
    usager.refresh_from_db()
    assert usager.phone == "+33612345678"


@pytest.mark.django_db
def test_the_model_field_keeps_a_value_that_is_no_number_rather_than_lose_it():
    usager = _person(phone="06 12 34 56")
    usager.refresh_from_db()
    assert usager.phone == "06 12 34 56"
    with pytest.raises(Exception) as refused:
        usager.full_clean()
    assert INVALID in str(refused.value)


def test_the_model_field_is_edited_with_the_kernel_form_field():
    field = PhoneNumberField(max_length=20, blank=True).formfield()
    assert isinstance(field, PhoneField)
    assert field.clean("+33 (0)5 49 41 00 00") == "+33549410000"


# --- The migration --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_stores_old_numbers_in_their_international_form_and_keeps_the_rest():
    from django.apps import apps

    old = {
        "06 12 34 56 78": "+33612345678",
        "0549000000": "+33549000000",
        "05.49.00.00.01": "+33549000001",
        "+33 (0)5 49 00 00 02": "+33549000002",
        "0590 12 34 56": "+590590123456",
        "+33612345679": "+33612345679",
        # Not numbers: kept as typed, never lost.
        "06 12 34 56": "06 12 34 56",
        "demander à l'accueil": "demander à l'accueil",
        "": "",
    }
    people = {}
    for value in old:
        usager = _person()
        Usager.objects.filter(pk=usager.pk).update(phone=value)
        people[usager.pk] = value
    changed = phones.normalise_column(apps, "kernel", "usager", "phone", batch=2)
    after = dict(Usager.objects.filter(pk__in=people).values_list("pk", "phone"))
    assert {people[pk]: phone for pk, phone in after.items()} == old
    assert changed == 5
    # Run again (a migration re-applied after a rollback): nothing left to change.
    assert phones.normalise_column(apps, "kernel", "usager", "phone") == 0

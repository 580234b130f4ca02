"""Usager.objects.search: one search for every page that finds a person (the usager list, the
merge, the log form's and the workshop's pickers), scoped to what the user may see."""

import pytest

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import Usager
from tests.factories import UsagerFactory


@pytest.fixture
def people(db, users):
    conseiller = users[Role.CONSEILLER]
    helene = UsagerFactory(
        identified=True,
        first_name="Hélène",
        last_name="Lefèvre-Durand",
        phone="06 12 34 56 78",
        email="helene.l@exemple.fr",
    )
    paul = UsagerFactory(
        identified=True, first_name="Paul", last_name="Martin", phone="+33549001122", email=""
    )
    anonymous = UsagerFactory()
    for usager in (helene, paul, anonymous):
        usager.conseillers.add(conseiller)
    return {"helene": helene, "paul": paul, "anonymous": anonymous}


def _found(text, user, queryset=None):
    queryset = Usager.objects.all() if queryset is None else queryset
    return list(queryset.search(text, user))


def test_it_finds_by_first_or_last_name_whatever_the_case(people, users):
    coordinator = users[Role.COORDINATEUR]
    assert _found("MARTIN", coordinator) == [people["paul"]]
    assert _found("paul", coordinator) == [people["paul"]]


def test_it_finds_first_and_last_name_in_either_order(people, users):
    coordinator = users[Role.COORDINATEUR]
    assert _found("Paul Martin", coordinator) == [people["paul"]]
    assert _found("martin paul", coordinator) == [people["paul"]]
    assert _found("Paul Lefèvre", coordinator) == []


def test_it_ignores_accents_on_either_side(people, users):
    coordinator = users[Role.COORDINATEUR]
    assert _found("helene lefevre", coordinator) == [people["helene"]]
    assert _found("Hélène", coordinator) == [people["helene"]]
    assert _found("durand", coordinator) == [people["helene"]]


def test_it_finds_by_e_mail(people, users):
    assert _found("helene.l@", users[Role.COORDINATEUR]) == [people["helene"]]


@pytest.mark.parametrize(
    "typed", ["0612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "5678"]
)
def test_it_finds_a_phone_number_however_written(people, users, typed):
    assert _found(typed, users[Role.COORDINATEUR]) == [people["helene"]]


def test_it_finds_an_international_number_stored_from_its_national_form(people, users):
    assert _found("05 49 00 11 22", users[Role.COORDINATEUR]) == [people["paul"]]


@pytest.mark.parametrize("typed", ["0692 12 34 56", "06 92 12", "+262 692 12 34 56"])
def test_it_finds_an_overseas_number_as_people_write_it(people, users, typed):
    """Stored +262692123456 (Réunion's own code), typed as dialled in France."""
    person = UsagerFactory(identified=True, first_name="Lina", phone="0692 12 34 56")
    person.conseillers.add(users[Role.CONSEILLER])
    assert _found(typed, users[Role.COORDINATEUR]) == [person]


def test_it_finds_a_number_stored_before_numbers_had_one_format(people, users):
    Usager.objects.filter(pk=people["paul"].pk).update(phone="0033 5 49 00 11 22")
    assert _found("05 49 00 11 22", users[Role.COORDINATEUR]) == [people["paul"]]


@pytest.mark.parametrize("template", ["n°{}", "N° {}", "no {}", "#{}", "{}"])
def test_it_finds_a_record_by_its_number(people, users, template):
    anonymous = people["anonymous"]
    assert anonymous in _found(template.format(anonymous.pk), users[Role.COORDINATEUR])


def test_a_single_letter_finds_nothing(people, users):
    assert _found("a", users[Role.COORDINATEUR]) == []
    assert _found("  ", users[Role.COORDINATEUR]) == []


def test_it_finds_only_whom_the_user_may_see(people, users, make_user):
    other = make_user(Role.CONSEILLER)
    assert _found("Paul", users[Role.CONSEILLER]) == [people["paul"]]
    assert _found("Paul", other) == []
    assert _found(f"n°{people['paul'].pk}", other) == []
    assert _found("Paul", users[Role.PRESCRIPTEUR]) == []
    assert _found("Paul", users[Role.TECHNICIEN]) == []


def test_it_never_finds_a_merged_record(people, users):
    double = UsagerFactory(identified=True, first_name="Paul", last_name="Martin")
    double.merged_into = people["paul"]
    double.save()
    assert _found("Paul Martin", users[Role.COORDINATEUR]) == [people["paul"]]


def test_it_keeps_the_callers_filters_and_lists_by_name(people, users):
    coordinator = users[Role.COORDINATEUR]
    zoe = UsagerFactory(identified=True, first_name="Zoé", last_name="Abel", phone="0700000000")
    assert _found("e", coordinator) == []
    assert _found("é", coordinator) == []
    assert _found("el", coordinator) == [zoe, people["helene"]]
    identified = Usager.objects.identified()
    assert people["anonymous"] not in _found(str(people["anonymous"].pk), coordinator, identified)

"""LargeSelect writes the markup Django's Select writes, in one pass."""

import re

import pytest
from django import forms

from poitiers_inclusion.widgets import LargeSelect, LargeSelectMultiple
from reseau.models import Lieu
from tests.factories import LieuFactory

pytestmark = pytest.mark.django_db


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html).replace("> <", "><").replace(' selected=""', " selected")
    return html.strip()


@pytest.mark.parametrize("chosen", [None, "first", "last"])
def test_it_writes_what_djangos_select_writes(chosen):
    lieux = [LieuFactory(nom=name) for name in ("Médiathèque <Sud>", "Épicerie « Aux 4 vents »")]
    value = {None: None, "first": lieux[0].pk, "last": lieux[1].pk}[chosen]

    def form(widget):
        class LieuForm(forms.Form):
            lieu = forms.ModelChoiceField(
                queryset=Lieu.objects.order_by("pk"),
                required=False,
                empty_label="Tous les lieux",
                widget=widget(attrs={"class": "form-select"}),
            )

        return LieuForm(data={"lieu": value or ""})

    ours, django = str(form(LargeSelect)["lieu"]), str(form(forms.Select)["lieu"])
    assert _normalised(ours) == _normalised(django)
    assert "Médiathèque &lt;Sud&gt;" in ours  # escaped
    assert ours.count(" selected") == 1


def test_the_multiple_select_writes_and_reads_what_djangos_does():
    lieux = [LieuFactory(nom=name) for name in ("Médiathèque", "Épicerie", "Mairie")]
    chosen = [str(lieux[0].pk), str(lieux[2].pk)]

    def form(widget):
        class LieuxForm(forms.Form):
            lieux = forms.ModelMultipleChoiceField(
                queryset=Lieu.objects.order_by("pk"), widget=widget(attrs={"size": 8})
            )

        return LieuxForm(data={"lieux": chosen})

    ours, django = form(LargeSelectMultiple), form(forms.SelectMultiple)
    assert _normalised(str(ours["lieux"])) == _normalised(str(django["lieux"]))
    assert str(ours["lieux"]).count(" selected") == 2
    assert ours.is_valid() and list(ours.cleaned_data["lieux"]) == [lieux[0], lieux[2]]


def test_option_groups_are_written_as_django_writes_them():
    choices = [("Vienne <86>", [("1", "Poitiers"), ("3", "Châtellerault")]), ("2", "Niort")]
    ours = LargeSelect(choices=choices).render("lieu", "3", {"id": "id_lieu"})
    django = forms.Select(choices=choices).render("lieu", "3", {"id": "id_lieu"})
    assert _normalised(ours) == _normalised(django)
    assert '<optgroup label="Vienne &lt;86&gt;">' in ours and ours.count(" selected") == 1


def test_checkboxes_are_written_as_crispys_and_keep_the_ticked_ones():
    from django.template import Context, Template

    from poitiers_inclusion.widgets import LargeModelMultipleChoiceField

    lieux = [LieuFactory(nom=name) for name in ("Médiathèque <Sud>", "Épicerie", "Mairie")]

    class LieuxForm(forms.Form):
        lieux = LargeModelMultipleChoiceField(
            label="Lieux partenaires", queryset=Lieu.objects.order_by("pk")
        )

    form = LieuxForm(data={"lieux": [lieux[0].pk, lieux[2].pk]})
    assert form.is_valid() and list(form.cleaned_data["lieux"]) == [lieux[0], lieux[2]]
    page = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    assert "<legend" in page and "Lieux partenaires" in page  # the group is named
    assert page.count('type="checkbox"') == 3 and page.count(" checked") == 2
    assert "Médiathèque &lt;Sud&gt;" in page
    for index in range(3):
        assert f'id="id_lieux_{index}"' in page and f'for="id_lieux_{index}"' in page


def test_a_large_choice_reads_rows_and_gives_back_the_record(django_assert_num_queries):
    from poitiers_inclusion.models import User
    from poitiers_inclusion.widgets import PERSON_FIELDS, LargeModelChoiceField, person_label
    from tests.factories import UserFactory

    named = UserFactory(conseiller=True, first_name="Awa", last_name="Diallo")
    unnamed = UserFactory(conseiller=True, first_name="", last_name="")

    class Form(forms.Form):
        conseiller = LargeModelChoiceField(
            queryset=User.objects.filter(pk__in=[named.pk, unnamed.pk]).order_by("pk"),
            required=False,
            empty_label="Tous les conseillers",
            label_fields=PERSON_FIELDS,
            row_label=person_label,
        )

    form = Form(data={"conseiller": named.pk})
    assert form.is_valid()  # validating fetches the chosen record
    with django_assert_num_queries(1):  # the rows, no count, no instance
        html = str(form["conseiller"])
    assert f'<option value="{named.pk}" selected>Awa Diallo</option>' in html
    assert f'<option value="{unnamed.pk}">{unnamed.email}</option>' in html
    assert form.cleaned_data["conseiller"] == named
    field = form.fields["conseiller"]
    assert field.label_from_instance(named) == str(named) == "Awa Diallo"
    assert field.label_from_instance(unnamed) == str(unnamed)

"""Guard on the usager record: every field is classified as personal, statistical or bookkeeping."""

from django.db import models

from poitiers_inclusion.models import Usager


def test_it_classifies_every_field_of_the_usager():
    fields = {f.name for f in Usager._meta.get_fields() if not f.auto_created or f.concrete}
    fields |= {f.name for f in Usager._meta.many_to_many}
    classified = [*Usager.PERSONAL_FIELDS, *Usager.STATISTICAL_FIELDS, *Usager.RECORD_FIELDS]
    assert len(classified) == len(set(classified)), "un champ est classé deux fois"
    unclassified = fields - set(classified)
    assert unclassified == set(), (
        f"Champs de Usager non classés : {sorted(unclassified)}. Ajoutez-les à PERSONAL_FIELDS "
        "(effacés à l'anonymisation) ou à STATISTICAL_FIELDS / RECORD_FIELDS."
    )
    assert set(classified) <= fields, "un champ classé n'existe plus"


def test_personal_looking_fields_are_personal():
    """Text, e-mail, phone and date fields are where names and contacts hide."""
    personal_looking = {
        f.name
        for f in Usager._meta.concrete_fields
        if isinstance(f, models.CharField | models.EmailField | models.DateField)
        or "phone" in f.name
        or "birth" in f.name
    }
    non_personal_by_design = set(Usager.STATISTICAL_FIELDS) | {
        "created_at",
        "last_seen_on",
        "anonymised_at",
    }
    assert personal_looking - non_personal_by_design <= set(Usager.PERSONAL_FIELDS)


def test_anonymise_empties_every_personal_field_and_keeps_statistics():
    usager = Usager(
        first_name="Awa",
        last_name="Diallo",
        phone="0600000000",
        email="awa@exemple.test",
        birth_year=1950,
        commune="Poitiers",
        genre="feminin",
    )
    usager.consent_at = usager.created_at = None
    usager.anonymise()
    for name in Usager.PERSONAL_FIELDS:
        assert getattr(usager, name) in ("", None), name
    assert usager.tranche_age == "70_ans_et_plus"
    assert (usager.commune, usager.genre) == ("Poitiers", "feminin")

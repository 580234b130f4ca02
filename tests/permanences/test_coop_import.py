"""Importing La Coop's activities export: the real sample's figures, every mapping branch, bad rows."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from permanences.coop import (
    CoopFileError,
    InvalidRowsError,
    apply_import,
    plan_import,
    read_workbook,
)
from permanences.figures import attendance
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.models import AuditEvent, Usager
from reseau.models import Lieu
from tests.factories import LieuFactory, QuartierFactory, UsagerFactory, UserFactory

from .factories import PermanenceFactory
from .factories_coop import (
    SAMPLE,
    app_header,
    coop_row,
    coop_workbook,
    coordinator_header,
    workshop_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def conseiller():
    return UserFactory(conseiller=True, email="conseillere@exemple.test")


def _import(content, conseiller, **kwargs):
    parsed = read_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    return parsed, apply_import(parsed=parsed, conseiller=conseiller, actor=None, **kwargs)


def _figures():
    accompagnements = Accompagnement.objects.all()
    return {
        "accompagnements": accompagnements.count(),
        "individual": accompagnements.filter(mediation__type_activite="individuel").count(),
        "collective_activities": Mediation.objects.filter(type_activite="collectif").count(),
        "collective_participants": accompagnements.filter(
            mediation__type_activite="collectif"
        ).count(),
        "unique_usagers": accompagnements.values("usager").distinct().count(),
        "first_half_2025": accompagnements.filter(
            mediation__date__gte=datetime.date(2025, 1, 1),
            mediation__date__lte=datetime.date(2025, 6, 30),
        ).count(),
    }


def test_it_imports_the_sample_with_the_published_figures(conseiller):
    _import(SAMPLE, conseiller)
    assert _figures() == {
        "accompagnements": 489,
        "individual": 480,
        "collective_activities": 1,
        "collective_participants": 9,
        "unique_usagers": 294,
        "first_half_2025": 248,
    }
    workshop = Mediation.objects.get(type_activite="collectif")
    assert workshop.titre_atelier == "Découvrir la messagerie"
    assert workshop.niveau_atelier == "debutant" and workshop.autonomie == ""
    assert not workshop.accompagnements.filter(usager__consent_at__isnull=False).exists()
    assert set(Mediation.objects.values_list("conseiller", flat=True)) == {conseiller.pk}


def test_it_maps_labels_to_codes_and_identifies_named_beneficiaries(conseiller):
    _import(SAMPLE, conseiller)
    first = Mediation.objects.get(coop_id="acc-00000-2022")
    assert first.date == datetime.date(2025, 6, 27)
    assert first.type_lieu == "lieu_activite"
    assert first.thematiques == ["navigation_sur_internet", "securite_numerique"]
    assert first.materiel == ["ordinateur"]
    assert first.autonomie == "autonome" and first.redirige is True
    assert first.duree_minutes == 45
    usager = first.accompagnements.get().usager
    assert (usager.first_name, usager.last_name) == ("Fatou", "Moreau")
    assert usager.consent_at is not None and usager.commune == "Poitiers"
    assert conseiller in usager.conseillers.all()
    # The same person on several rows is one usager.
    assert (
        Accompagnement.objects.filter(usager__first_name="Mohamed", usager__last_name="Moreau")
        .values("usager")
        .distinct()
        .count()
        == 1
    )
    assert usager.last_seen_on == max(
        a.mediation.date for a in usager.accompagnements.select_related("mediation")
    )
    consent = AuditEvent.objects.for_object(usager).get(action="kernel.usager.created")
    assert consent.changes["consent_source"] == "import_coop"


def test_it_creates_the_lieux_once_and_matches_existing_ones(conseiller):
    existing = LieuFactory(nom="MEDIATHEQUE FRANCOIS-MITTERRAND", commune="poitiers")
    _import(SAMPLE, conseiller)
    assert Mediation.objects.filter(lieu=existing).count() == 130 - 8  # 122 rows + 1 workshop
    created = Lieu.objects.exclude(pk=existing.pk)
    assert set(created.values_list("nom", flat=True)) == {
        "Épicerie solidaire des Trois-Cités",
        "Mairie de quartier des Couronneries",
        "Maison de quartier Sèvre",
    }
    sevre = created.get(nom="Maison de quartier Sèvre")
    assert (sevre.adresse, sevre.code_postal, sevre.code_insee) == (
        "Rue de la Sèvre",
        "86000",
        "86194",
    )


def test_it_adds_nothing_when_the_same_file_is_imported_again(conseiller):
    _import(SAMPLE, conseiller)
    before = (_figures(), Usager.objects.count(), Lieu.objects.count())
    parsed, result = _import(SAMPLE, conseiller)
    assert result.accompagnements == 0 and result.already_imported == 489
    assert (_figures(), Usager.objects.count(), Lieu.objects.count()) == before


def test_it_recognises_a_named_usager_already_in_the_database(conseiller):
    known = UsagerFactory(identified=True, first_name="Fatou", last_name="Moreau")
    known.commune = "Poitiers"
    known.save()
    _import(SAMPLE, conseiller)
    assert known.accompagnements.count() == 2
    assert Usager.objects.filter(first_name="Fatou", last_name="Moreau").count() == 1


def test_it_accepts_the_plain_apostrophe_in_headers_and_labels(conseiller):
    content = coop_workbook(
        [coop_row(1), coop_row(2, **{"Canaux d’accompagnement": "À distance"})],
        apostrophe="'",
    )
    parsed, _ = _import(content, conseiller)
    assert parsed.errors == []
    assert sorted(Mediation.objects.values_list("type_lieu", flat=True)) == [
        "a_distance",
        "lieu_activite",
    ]


def test_it_reads_a_coordinators_export_without_beneficiaire(conseiller):
    rows = [coop_row(n, **{"Bénéficiaire": "Jean Dupont"}) for n in (1, 2, 3)]
    content = coop_workbook(rows, header=coordinator_header())
    parsed, result = _import(content, conseiller)
    assert parsed.has_coordinator_columns and not parsed.has_beneficiaire
    # No Bénéficiaire column: every row is its own anonymous usager.
    assert result.usagers_created == 3
    assert not Usager.objects.filter(consent_at__isnull=False).exists()


def test_it_ignores_unknown_columns(conseiller):
    content = coop_workbook([coop_row(1)], extra_columns=[(5, "Colonne maison"), (40, "Autre")])
    parsed, result = _import(content, conseiller)
    assert parsed.errors == [] and result.accompagnements == 1
    assert parsed.ignored_columns == ["Colonne maison", "Autre"]


def test_it_reads_dates_typed_as_text_and_multivalued_cells(conseiller):
    row = coop_row(
        1,
        **{
            "Date": "05/02/2025",
            "Matériel numérique utilisé": "Ordinateur\nTéléphone",
            "Thématique(s) d’accompagnement": "Aide aux démarches administratives\nLogement",
            "Tags": "CAF\nUrgent",
            "Bénéficiaire réorienté": "Oui",
            "Structure de redirection": "Structure d'aide sociale (maison des solidarités, "
            "centre social…)",
            "Niveau d’autonomie (ou de l’atelier)": "1/3",
        },
    )
    _import(coop_workbook([row]), conseiller)
    m = Mediation.objects.get()
    assert m.date == datetime.date(2025, 2, 5)
    assert m.materiel == ["ordinateur", "telephone"]
    assert m.thematiques == ["aide_aux_demarches_administratives"]
    assert m.thematiques_demarche == ["logement"]
    assert m.tags == ["CAF", "Urgent"]
    assert m.structure_redirection == "aide_sociale" and m.redirige
    assert m.autonomie == "entierement_accompagne"


def test_it_gives_each_anonymous_row_its_own_usager(conseiller):
    rows = [
        coop_row(1, **{"Bénéficiaire": "Bénéficiaire anonyme"}),
        coop_row(2, **{"Bénéficiaire": "Anonyme"}),
        coop_row(3, **{"Bénéficiaire": None, "Genre du bénéficiaire": "Masculin"}),
    ]
    _import(coop_workbook(rows), conseiller)
    assert Usager.objects.count() == 3
    assert Usager.objects.filter(consent_at__isnull=True).count() == 3
    assert Usager.objects.filter(genre="masculin").count() == 1


def test_it_keeps_homonyms_of_different_communes_apart(conseiller):
    rows = [
        coop_row(1, **{"Bénéficiaire": "Jean Dupont", "Commune du bénéficiaire": "Poitiers"}),
        coop_row(2, **{"Bénéficiaire": "Jean Dupont", "Commune du bénéficiaire": "Buxerolles"}),
        coop_row(3, **{"Bénéficiaire": "Jean Dupont", "Commune du bénéficiaire": "POITIERS"}),
    ]
    _import(coop_workbook(rows), conseiller)
    assert Usager.objects.filter(last_name="Dupont").count() == 2


def test_it_makes_one_collective_activity_of_a_workshops_rows(conseiller):
    _import(coop_workbook([coop_row(1), *workshop_rows("atelier-x", 4)]), conseiller)
    workshop = Mediation.objects.get(coop_id="atelier-x")
    assert workshop.type_activite == "collectif"
    assert workshop.accompagnements.count() == 4
    assert Mediation.objects.count() == 2


BAD_ROWS = [
    ({"Thématique(s) d’accompagnement": "Jardinage"}, "thématique inconnue « Jardinage »"),
    ({"Date": "31/02/2025"}, "date illisible"),
    ({"Date": None}, "date manquante"),
    ({"Durée (min)": "trois quarts d'heure"}, "durée illisible"),
    ({"Durée (min)": 0}, "durée hors limites"),
    ({"ID CRA": None}, "ID CRA manquant"),
    ({"Type": "Visio"}, "type inconnu(e) « Visio »"),
    ({"Genre du bénéficiaire": "Autre"}, "genre inconnu(e)"),
    ({"Niveau d’autonomie (ou de l’atelier)": "5/3"}, "niveau d’autonomie illisible"),
    ({"Bénéficiaire réorienté": "Peut-être"}, "doit valoir Oui ou Non"),
    ({"Matériel numérique utilisé": "Console"}, "matériel inconnu(e)"),
]


@pytest.mark.parametrize("values,reason", BAD_ROWS, ids=[r for _, r in BAD_ROWS])
def test_it_reports_a_bad_row_with_its_line_number_and_imports_nothing(values, reason, conseiller):
    content = coop_workbook([coop_row(1), coop_row(2, **values), coop_row(3)])
    parsed = read_workbook(io.BytesIO(content))
    # 11 metadata lines, the header on line 12, rows from line 13.
    assert [e.line for e in parsed.errors] == [14]
    assert reason in str(parsed.errors[0])
    assert str(parsed.errors[0]).startswith("Ligne 14 : ")
    with pytest.raises(InvalidRowsError):
        apply_import(parsed=parsed, conseiller=conseiller, actor=None)
    assert not Mediation.objects.exists() and not Usager.objects.exists()


def test_it_reports_a_repeated_id_and_an_incomplete_workshop(conseiller):
    rows = [coop_row(1), coop_row(1), *workshop_rows("atelier-y", 3)[:2]]
    parsed = read_workbook(io.BytesIO(coop_workbook(rows)))
    assert [e.line for e in parsed.errors] == [13, 14, 15, 16]
    assert "répété" in str(parsed.errors[0])
    assert "annonce 3 participants" in str(parsed.errors[2])


def test_it_imports_only_the_valid_rows_when_asked(conseiller):
    content = coop_workbook([coop_row(1), coop_row(2, **{"Durée (min)": "x"}), coop_row(3)])
    parsed, result = _import(content, conseiller, skip_invalid=True)
    assert result.skipped_invalid == 1
    assert sorted(Mediation.objects.values_list("coop_id", flat=True)) == [
        "test-00001",
        "test-00003",
    ]


def test_it_refuses_a_file_that_is_not_a_coop_export():
    with pytest.raises(CoopFileError, match="illisible"):
        read_workbook(io.BytesIO(b"Date;ID CRA\n01/01/2025;x\n"))
    with pytest.raises(CoopFileError, match="feuille « Activités »"):
        read_workbook(io.BytesIO(coop_workbook([coop_row(1)], sheet="Feuil1")))
    with pytest.raises(CoopFileError, match="en-tête"):
        read_workbook(io.BytesIO(coop_workbook([], header=["Jour", "Heure"])))
    with pytest.raises(CoopFileError, match="illisible|endommagé"):
        read_workbook(io.BytesIO(coop_workbook([coop_row(1)])[:2000]))


# --- the command ---


def test_the_command_imports_the_sample(conseiller, capsys):
    call_command("import_coop", str(SAMPLE), conseiller=conseiller.email)
    assert Accompagnement.objects.count() == 489
    assert "489 accompagnements" in capsys.readouterr().out


def test_the_command_dry_run_writes_nothing(conseiller, capsys):
    call_command("import_coop", str(SAMPLE), conseiller=conseiller.email, dry_run=True)
    out = capsys.readouterr().out
    assert "294 usagers uniques" in out and "1 ateliers collectifs" in out
    assert "4 lieux à créer" in out and "489 accompagnements" in out
    assert not Mediation.objects.exists() and not Lieu.objects.exists()


def test_the_command_fails_listing_every_bad_row(conseiller, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(
        coop_workbook(
            [coop_row(1, **{"Date": "hier"}), coop_row(2), coop_row(3, **{"Durée (min)": -5})]
        )
    )
    with pytest.raises(CommandError, match="2 ligne"):
        call_command("import_coop", str(path), conseiller=conseiller.email)
    err = capsys.readouterr().err
    assert "Ligne 13 : date illisible" in err and "Ligne 15 : durée" in err
    assert not Mediation.objects.exists()

    call_command("import_coop", str(path), conseiller=conseiller.email, skip_invalid=True)
    assert list(Mediation.objects.values_list("coop_id", flat=True)) == ["test-00002"]


def test_the_command_needs_a_conseiller_account(tmp_path):
    UserFactory(coordinateur=True, email="coord@exemple.test")
    with pytest.raises(CommandError, match="conseiller"):
        call_command("import_coop", str(SAMPLE), conseiller="coord@exemple.test")
    with pytest.raises(CommandError, match="conseiller"):
        call_command("import_coop", str(SAMPLE), conseiller="personne@exemple.test")


def test_per_month_counts_follow_the_file(conseiller):
    _import(SAMPLE, conseiller)
    by_month = dict(
        Accompagnement.objects.values_list("mediation__date__month")
        .annotate(n=Count("id"))
        .values_list("mediation__date__month", "n")
    )
    assert sum(by_month[m] for m in range(1, 7)) == 248


# --- Who is who: identified usagers ---


def _named(n, name, commune=None, **values):
    return coop_row(n, **{"Bénéficiaire": name, "Commune du bénéficiaire": commune, **values})


def _records(last_name):
    return list(Usager.objects.filter(last_name__iexact=last_name).order_by("pk"))


def test_a_name_without_commune_is_the_same_person_as_with_one(conseiller):
    rows = [_named(1, "Awa Diallo", "Poitiers"), _named(2, "Awa Diallo"), _named(3, "AWA  DIALLO")]
    parsed = read_workbook(io.BytesIO(coop_workbook(rows)))
    assert plan_import(parsed, conseiller=conseiller).unique_usagers == 1
    apply_import(parsed=parsed, conseiller=conseiller, actor=None)
    [awa] = _records("Diallo")
    assert awa.accompagnements.count() == 3 and awa.commune == "Poitiers"


def test_a_person_first_seen_without_commune_takes_the_commune_given_later(conseiller):
    # The commune learnt on row 2 makes the Buxerolles row of line 3 somebody else.
    rows = [
        _named(1, "Awa Diallo"),
        _named(2, "Awa Diallo", "Poitiers"),
        _named(3, "Awa Diallo", "Buxerolles"),
        _named(4, "Awa Diallo"),
    ]
    _import(coop_workbook(rows), conseiller)
    first, second = _records("Diallo")
    assert (first.commune, first.accompagnements.count()) == ("Poitiers", 3)
    assert (second.commune, second.accompagnements.count()) == ("Buxerolles", 1)


def test_it_finds_a_usager_identified_in_the_log_form_without_commune(conseiller):
    known = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo", commune="")
    _import(
        coop_workbook(
            [_named(1, "Awa Diallo", "Poitiers", **{"Code postal du bénéficiaire": "86000"})]
        ),
        conseiller,
    )
    assert _records("Diallo") == [known]
    known.refresh_from_db()
    assert (known.commune, known.code_postal) == ("Poitiers", "86000")
    assert known.accompagnements.count() == 1
    event = AuditEvent.objects.for_object(known).get(action="kernel.usager.updated")
    assert event.changes["fields"] == ["commune", "code_postal", "code_insee"]


def test_it_matches_names_whatever_case_accents_and_apostrophes(conseiller):
    known = UsagerFactory(identified=True, first_name="Chloé", last_name="N’Diaye-Éloi")
    _import(coop_workbook([_named(1, "CHLOE N'DIAYE-ELOI", "Poitiers")]), conseiller)
    assert list(Usager.objects.filter(consent_at__isnull=False)) == [known]
    assert known.accompagnements.count() == 1


def test_an_existing_homonym_of_another_commune_is_somebody_else(conseiller):
    known = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo", commune="Niort")
    _import(coop_workbook([_named(1, "Awa Diallo", "Poitiers")]), conseiller)
    other = _records("Diallo")[1]
    assert known.accompagnements.count() == 0 and other.accompagnements.count() == 1
    known.refresh_from_db()
    assert known.commune == "Niort"


def test_it_prefers_the_record_of_the_same_commune_then_the_oldest(conseiller):
    def awa(commune):
        return UsagerFactory(identified=True, first_name="Awa", last_name="Diallo", commune=commune)

    older_without, niort, newer_without = awa(""), awa("Niort"), awa("")
    rows = [
        _named(1, "Awa Diallo", "Niort"),  # the Niort record, though an older one fits too
        _named(2, "Awa Diallo", "Poitiers"),  # Niort does not fit: the oldest without commune
        _named(3, "Awa Diallo"),  # no commune: the oldest record without commune
    ]
    parsed = read_workbook(io.BytesIO(coop_workbook(rows)))
    plan = plan_import(parsed, conseiller=conseiller)
    assert [plan.people[line].usager for line in (13, 14, 15)] == [
        niort,
        older_without,
        older_without,
    ]
    assert (plan.unique_usagers, plan.known_usagers) == (2, 2)
    apply_import(parsed=parsed, conseiller=conseiller, actor=None)
    assert niort.accompagnements.count() == 1
    assert older_without.accompagnements.count() == 2
    assert newer_without.accompagnements.count() == 0
    assert Usager.objects.count() == 3


def test_a_record_merged_into_another_is_never_matched(conseiller):
    merged = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    kept = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    merged.merged_into = kept
    merged.save()
    _import(coop_workbook([_named(1, "Awa Diallo")]), conseiller)
    assert kept.accompagnements.count() == 1 and not merged.accompagnements.exists()


# --- The app's own columns ---


def _app_row(n, **values):
    return coop_row(
        n,
        **{
            "Source de la donnée": "Poitiers Inclusion",
            "Satisfaction": "Très satisfait",
            "Connu par": "Affiche ou flyer",
            "Première visite": "Oui",
            "Quartier de résidence": "Les Couronneries",
            "Réf. usager": "U-12",
            **values,
        },
    )


def test_it_reads_the_apps_own_columns(conseiller):
    quartier = QuartierFactory(nom="Les Couronneries", code="8619401")
    rows = [
        _app_row(1),
        _app_row(2, **{"Première visite": "Non", "Connu par": "partenaire"}),
        _app_row(3, **{"Réf. usager": "U-13", "Satisfaction": None, "Première visite": None}),
        _app_row(4, **{"Réf. usager": None, "Quartier de résidence": "8619401"}),
    ]
    parsed, result = _import(coop_workbook(rows, header=app_header()), conseiller)
    assert parsed.errors == [] and parsed.ignored_columns == []
    by_id = {m.coop_id: m for m in Mediation.objects.all()}
    first = by_id["test-00001"]
    assert (first.satisfaction, first.source_connaissance, first.premiere_visite) == (
        "tres_satisfait",
        "affiche",
        True,
    )
    assert by_id["test-00002"].premiere_visite is False
    assert by_id["test-00002"].source_connaissance == "partenaire"
    third = by_id["test-00003"]
    assert (third.satisfaction, third.premiere_visite) == ("", None)
    # The anonymous usager seen twice (same "Réf. usager") is one usager again.
    assert result.usagers_created == 3
    assert by_id["test-00001"].accompagnements.get().usager == (
        by_id["test-00002"].accompagnements.get().usager
    )
    assert set(Usager.objects.values_list("quartier", flat=True)) == {quartier.pk}


APP_BAD_ROWS = [
    ({"Satisfaction": "Ravi"}, "satisfaction inconnu(e) « Ravi »"),
    ({"Connu par": "La radio"}, "canal de connaissance du service inconnu(e) « La radio »"),
    ({"Première visite": "Peut-être"}, "« Première visite » doit valoir Oui ou Non"),
    ({"Quartier de résidence": "Atlantide"}, "quartier de résidence inconnu « Atlantide »"),
]


@pytest.mark.parametrize("values,reason", APP_BAD_ROWS, ids=[r for _, r in APP_BAD_ROWS])
def test_it_reports_a_bad_value_in_the_apps_own_columns(values, reason, conseiller):
    QuartierFactory(nom="Les Couronneries")
    content = coop_workbook([_app_row(1), _app_row(2, **values)], header=app_header())
    parsed = read_workbook(io.BytesIO(content))
    assert [e.line for e in parsed.errors] == [14]
    assert reason in str(parsed.errors[0])
    with pytest.raises(InvalidRowsError):
        apply_import(parsed=parsed, conseiller=conseiller, actor=None)
    assert not Mediation.objects.exists()


# --- The médiateur column ---


def test_it_gives_each_activity_to_the_mediateur_account_of_that_name(conseiller, capsys, tmp_path):
    ines = UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    UserFactory(coordinateur=True, first_name="Paul", last_name="Roux")  # not a conseiller
    rows = [
        coop_row(1, **{"Prénom du médiateur": "Inès", "Nom du médiateur": "Martin"}),
        coop_row(2, **{"Prénom du médiateur": "INES", "Nom du médiateur": "MARTIN"}),
        coop_row(3, **{"Prénom du médiateur": "Paul", "Nom du médiateur": "Roux"}),
        coop_row(4, **{"Prénom du médiateur": None, "Nom du médiateur": None}),
    ]
    path = tmp_path / "coordination.xlsx"
    path.write_bytes(coop_workbook(rows, header=coordinator_header()))
    plan = plan_import(read_workbook(path), conseiller=conseiller)
    assert [
        (e["conseiller"], e["from_file"], e["unknown"], e["accompagnements"])
        for e in plan.attribution
    ] == [
        (ines, True, [], 2),
        (conseiller, False, ["Paul Roux"], 2),
    ]
    call_command("import_coop", str(path), conseiller=conseiller.email, dry_run=True)
    out = capsys.readouterr().out
    assert f"Attribués à {ines} : 2 accompagnements (d'après la colonne « Médiateur »)" in out
    assert "médiateurs sans compte : Paul Roux" in out

    call_command("import_coop", str(path), conseiller=conseiller.email)
    owners = dict(Mediation.objects.values_list("coop_id", "conseiller"))
    assert owners == {
        "test-00001": ines.pk,
        "test-00002": ines.pk,
        "test-00003": conseiller.pk,
        "test-00004": conseiller.pk,
    }
    assert (
        ines in Accompagnement.objects.get(mediation__coop_id="test-00001").usager.conseillers.all()
    )


def test_two_accounts_of_the_same_name_leave_the_choice_to_the_importer(conseiller):
    UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    UserFactory(conseiller=True, first_name="Inès", last_name="Martin")
    rows = [coop_row(1, **{"Prénom du médiateur": "Inès", "Nom du médiateur": "Martin"})]
    _import(coop_workbook(rows, header=coordinator_header()), conseiller)
    assert Mediation.objects.get().conseiller == conseiller


# --- The drop-in slot of each activity ---


def test_it_links_each_activity_to_the_permanence_in_force_that_day(conseiller):
    lieu = LieuFactory(nom="Médiathèque François-Mitterrand", commune="Poitiers")
    tuesday = datetime.date(2025, 3, 4)
    other_desk = PermanenceFactory(lieu=lieu, weekday=tuesday.weekday())
    own_desk = PermanenceFactory(lieu=lieu, weekday=tuesday.weekday(), start_time=datetime.time(9))
    own_desk.conseillers.add(conseiller)
    PermanenceFactory(
        lieu=lieu, weekday=tuesday.weekday(), valid_until=datetime.date(2024, 12, 31)
    )  # closed before
    rows = [
        coop_row(1),  # Tuesday 4 March 2025 at the médiathèque
        coop_row(2, **{"Date": datetime.datetime(2025, 3, 5)}),  # a Wednesday: no slot
        coop_row(3, **{"Canaux d’accompagnement": "À distance"}),
        coop_row(4, **{"Nom du lieu": "Maison de quartier Sèvre"}),  # created: no slot
    ]
    _import(coop_workbook(rows), conseiller)
    slots = dict(Mediation.objects.values_list("coop_id", "permanence"))
    assert slots == {
        "test-00001": own_desk.pk,
        "test-00002": None,
        "test-00003": None,
        "test-00004": None,
    }
    visits = attendance.Attendance([own_desk, other_desk], tuesday, tuesday).total()
    assert visits.visits == 1

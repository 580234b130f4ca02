"""insert_new stores exactly what bulk_create stores (arrays, JSON, enums, empty and null values,
timestamps, foreign keys), gives the records their ids, and the figures store's log still sees
the activities."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.forms.models import model_to_dict

from permanences.enums import Materiel, Thematique, TypeActivite, TypeLieu
from permanences.models import Accompagnement, Mediation
from poitiers_inclusion.bulkinsert import insert_new
from poitiers_inclusion.models import AuditEvent
from tests.factories import LieuFactory, UsagerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _mediations(conseiller, lieu):
    return [
        Mediation(
            date=datetime.date(2026, 3, day),
            conseiller=conseiller,
            type_activite=TypeActivite.INDIVIDUEL if day % 2 else TypeActivite.COLLECTIF,
            type_lieu=TypeLieu.LIEU_ACTIVITE,
            lieu=lieu if day % 3 else None,
            duree_minutes=30 + day,
            thematiques=[Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES] if day % 2 else [],
            materiel=[Materiel.ORDINATEUR, Materiel.TELEPHONE] if day > 2 else [],
            tags=['guillemet " et \\ barre', "tab\tligne\nfin"] if day == 4 else [],
            notes="« Notes » d’un jour, avec ' et \" et \\" if day % 2 else "",
            premiere_visite=None if day == 1 else day % 2 == 0,
            redirige=day == 5,
            coop_id=f"cra-{day}",
        )
        for day in range(1, 7)
    ]


def _stored(model, pks):
    skip = {"id", "created_at", "updated_at"}
    rows = model.objects.filter(pk__in=pks).order_by("pk")
    return [{k: v for k, v in model_to_dict(r).items() if k not in skip} for r in rows]


def test_it_stores_what_bulk_create_stores():
    conseiller, lieu = UserFactory(conseiller=True), LieuFactory()
    usager = UsagerFactory()
    by_django = Mediation.objects.bulk_create(_mediations(conseiller, lieu))
    by_us = _mediations(conseiller, lieu)
    for mediation in by_us:
        mediation.coop_id += "-b"
    before = datetime.datetime.now(datetime.UTC)
    assert insert_new(by_us) is by_us

    assert all(m.pk and not m._state.adding for m in by_us)
    expected = _stored(Mediation, [m.pk for m in by_django])
    for row in expected:
        row["coop_id"] += "-b"
    assert _stored(Mediation, [m.pk for m in by_us]) == expected
    assert all(m.created_at >= before for m in Mediation.objects.filter(pk__in=[by_us[0].pk]))

    events = [
        AuditEvent(
            actor=None,
            action="permanences.mediation.imported",
            target_type=ContentType.objects.get_for_model(Mediation),
            target_id=str(m.pk),
            changes={"file": "export « 2026 ».xlsx", "n": [1, None]},
        )
        for m in by_us
    ]
    insert_new(events)
    assert AuditEvent.objects.get(pk=events[0].pk).changes == {
        "file": "export « 2026 ».xlsx",
        "n": [1, None],
    }
    links = insert_new([Accompagnement(mediation=m, usager=usager) for m in by_us])
    assert {
        a.mediation_id for a in Accompagnement.objects.filter(pk__in=[a.pk for a in links])
    } == {m.pk for m in by_us}


def test_the_figures_store_log_sees_the_inserted_records():
    conseiller, lieu, usager = UserFactory(conseiller=True), LieuFactory(), UsagerFactory()
    mediations = insert_new(_mediations(conseiller, lieu))
    insert_new([Accompagnement(mediation=m, usager=usager) for m in mediations])
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT mediation_id FROM permanences_figures_change")
        logged = {row[0] for row in cursor.fetchall()}
    assert {m.pk for m in mediations} <= logged

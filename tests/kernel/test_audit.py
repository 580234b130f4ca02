"""The audit log: append-only (in the ORM and in the database) and written with the change."""

import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from poitiers_inclusion.audit import audited_delete, audited_save, log_view
from poitiers_inclusion.models import AppendOnlyError, AuditEvent
from tests.factories import QuartierFactory, UsagerFactory, UserFactory


def test_saving_an_existing_event_raises(db):
    actor = UserFactory()
    event = log_view(actor=actor, target=UsagerFactory(identified=True))
    event.action = "autre.chose"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_raises(db):
    event = log_view(actor=UserFactory(), target=UsagerFactory(identified=True))
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.filter(pk=event.pk, action="kernel.usager.viewed").exists()


def test_the_database_refuses_updates_and_deletes_even_in_raw_sql(db):
    log_view(actor=UserFactory(), target=UsagerFactory(identified=True))
    for sql in ("UPDATE kernel_auditevent SET action = 'x'", "DELETE FROM kernel_auditevent"):
        with pytest.raises(InternalError, match="ajout seul"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditEvent.objects.count() == 1


def test_creation_change_and_deletion_are_recorded_with_field_names_only(db):
    actor = UserFactory()
    quartier = QuartierFactory.build(nom="Les Couronneries", code="CO")
    audited_save(quartier, actor=actor)
    quartier.qpv = True
    audited_save(quartier, actor=actor)
    pk = quartier.pk
    audited_delete(quartier, actor=actor)
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == [
        "reseau.quartier.created",
        "reseau.quartier.updated",
        "reseau.quartier.deleted",
    ]
    assert {e.target_id for e in events} == {str(pk)}
    assert events[1].changes == {"fields": ["qpv"]}
    assert all(e.actor == actor for e in events)


def test_the_event_is_rolled_back_with_the_change(db):
    actor = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        audited_save(QuartierFactory.build(code="ZZ"), actor=actor)
        raise RuntimeError("échec après l'écriture")
    assert not AuditEvent.objects.exists()

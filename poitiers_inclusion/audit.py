"""Writers for the audit log, each called inside the transaction of the change it records."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .models import AuditEvent


def _action(obj, verb: str) -> str:
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}.{verb}"


def log_event(*, actor, action: str, target, changes: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        changes=changes or {},
    )


def _changed_fields(obj) -> list[str]:
    """Names (never values: the log must not keep personal data) of the fields that differ."""
    concrete = [f for f in obj._meta.concrete_fields if not f.primary_key]
    before = (
        type(obj)._base_manager.filter(pk=obj.pk).values(*[f.attname for f in concrete]).first()
    )
    if before is None:
        return []
    return [f.name for f in concrete if before[f.attname] != getattr(obj, f.attname)]


@transaction.atomic
def audited_save(obj: models.Model, *, actor, m2m_changed: list[str] | None = None) -> models.Model:
    """Save obj and record its creation or the names of the fields that changed."""
    if obj._state.adding or obj.pk is None:
        obj.save()
        log_event(actor=actor, action=_action(obj, "created"), target=obj)
    else:
        fields = _changed_fields(obj) + list(m2m_changed or [])
        obj.save()
        log_event(
            actor=actor, action=_action(obj, "updated"), target=obj, changes={"fields": fields}
        )
    return obj


@transaction.atomic
def audited_bulk_create(objs: list[models.Model], *, actor) -> list[models.Model]:
    """Create several records of one model in one statement, and one creation event each."""
    created = type(objs[0]).objects.bulk_create(objs) if objs else []
    if created:
        target_type = ContentType.objects.get_for_model(created[0])
        action = _action(created[0], "created")
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                action=action,
                target_type=target_type,
                target_id=str(obj.pk),
            )
            for obj in created
        )
    return created


@transaction.atomic
def audited_form_save(form, *, actor) -> models.Model:
    """Save a ModelForm (with its many-to-many fields) and record it."""
    obj = form.save(commit=False)
    m2m = [name for name in form.changed_data if name in {f.name for f in obj._meta.many_to_many}]
    audited_save(obj, actor=actor, m2m_changed=m2m)
    form.save_m2m()
    return obj


@transaction.atomic
def audited_delete(obj: models.Model, *, actor) -> None:
    log_event(actor=actor, action=_action(obj, "deleted"), target=obj)
    obj.delete()


def log_view(*, actor, target) -> AuditEvent:
    """Record that actor opened the page of an identified person."""
    return log_event(actor=actor, action=_action(target, "viewed"), target=target)

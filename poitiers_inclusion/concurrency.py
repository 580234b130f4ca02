"""Optimistic concurrency: two people editing the same record never overwrite each other
silently.

A record edited by several people (lieux, structures, permanences, séances, devices, requests)
inherits `Versioned`: its `version` goes up by one at every save, whatever saves it (a form, a
service, an archive button). A form that edits it carries `VersionedFormMixin`: the page holds
the version it was loaded at in a hidden field; `clean()` compares it with the record and, when
someone saved in between, refuses with both versions shown field by field (what the person
typed stays in the form, the saved value is written beside each field that differs). The form
also tells the instance which version it expects, so that the save itself is conditional
(`UPDATE … SET version = n + 1 WHERE pk = … AND version = n`): a save that lands between the
check and the write finds zero rows and raises `RecordChanged`, which `RecordChangedMiddleware`
answers with a 409 page. The expectation travels with the instance: a service that saves it,
or locks a fresh copy with `locked()`, keeps the check.

A page opened before the version existed sends no version: that save is not checked (the
release that adds the versions keeps working for pages already open).
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models, router, transaction
from django.db.models import F
from django.shortcuts import render
from django.utils import timezone

from .formatting import display_value
from .models import AuditEvent

FIELD = "version"


class RecordChanged(Exception):
    """The record was saved by someone else since the version this save was based on."""

    def __init__(self, record: models.Model):
        super().__init__(f"{record._meta.label} {record.pk} changed meanwhile")
        self.record = record


class Versioned(models.Model):
    """A record several people edit: its version counts its saves (see the module)."""

    version = models.PositiveIntegerField("version", default=1, db_default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        expected = self.__dict__.pop("_expected_version", None)
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, FIELD}
        row = type(self)._base_manager.using(using).filter(pk=self.pk)
        # No savepoint: the claim and the write succeed or fail together, at no extra query.
        with transaction.atomic(using=using, savepoint=False):
            if expected is None:
                self.version = F(FIELD) + 1
                super().save(*args, **kwargs)
                self.version = row.values_list(FIELD, flat=True).first()
                return None
            if not row.filter(version=expected).update(version=expected + 1):
                raise RecordChanged(self)
            self.version = expected + 1
            return super().save(*args, **kwargs)

    def expect_version(self, version: int | None) -> None:
        """This instance's next save goes through only if the record is still at `version`."""
        self._expected_version = version


def locked(record: models.Model) -> models.Model:
    """A fresh copy of `record`, its row locked for the transaction, that keeps the version the
    person's form expects (a service re-reads the record it changes under a lock)."""
    fresh = type(record)._default_manager.select_for_update().get(pk=record.pk)
    expected = record.__dict__.pop("_expected_version", None)
    if expected is not None:
        fresh.expect_version(expected)
    return fresh


def last_change(record: models.Model) -> AuditEvent | None:
    """The audit log's latest change of the record (who and when), if any."""
    return (
        AuditEvent.objects.for_object(record)
        .exclude(action__regex=r"\.(viewed|exported)$")
        .select_related("actor")
        .first()
    )


def changed_meanwhile_message(record: models.Model) -> str:
    event = last_change(record)
    by = ""
    if event is not None:
        if event.actor is not None:
            by += f" par {event.actor}"
        by += f" le {display_value(timezone.localtime(event.at)).replace(' ', ' à ')}"
    return (
        f"Cette fiche a été modifiée{by} pendant que vous la modifiiez : vos modifications "
        "n'ont pas été enregistrées."
    )


def _saved_display(record: models.Model, name: str) -> str:
    field = record._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(record, name).all()) or "—"
    value = getattr(record, name)
    if field.choices and not isinstance(value, list | tuple):
        value = getattr(record, f"get_{name}_display")()
    elif field.choices or getattr(getattr(field, "base_field", None), "choices", None):
        labels = dict(field.choices or field.base_field.choices)
        value = [labels.get(v, v) for v in value or []]
    if value in ("", None, []):
        return "(vide)"
    return display_value(value)


def _same(typed, saved, field: models.Field) -> bool:
    if field.many_to_many:
        return {o.pk for o in typed or []} == set(saved.values_list("pk", flat=True))
    if isinstance(field, models.FileField):
        return not typed or typed == saved
    if typed in ("", None) and saved in ("", None):
        return True
    if isinstance(saved, list | tuple) or isinstance(typed, list | tuple):
        return list(typed or []) == list(saved or [])
    return typed == saved


class VersionedFormMixin:
    """For a form that edits a `Versioned` record (the ModelForm's instance, or the record
    named by `versioned_record()`): a hidden version field, and a refusal when the record was
    saved by someone else since the page was loaded (see the module)."""

    # True once the form was refused because the record changed meanwhile.
    record_changed = False

    def versioned_record(self) -> Versioned | None:
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None or instance._state.adding:
            return None
        return instance

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.versioned_record()
        if record is not None:
            # Not required: a page opened before the upgrade sends none, and is not checked.
            self.fields[FIELD] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=record.version
            )

    def clean(self):
        data = super().clean()
        record = self.versioned_record()
        loaded = data.get(FIELD) if record is not None else None
        if loaded is None:
            return data
        record.expect_version(loaded)
        saved = type(record)._base_manager.filter(pk=record.pk).first()
        if saved is not None and saved.version != loaded:
            self._refuse_changed(saved)
        return data

    def _refuse_changed(self, saved: Versioned) -> None:
        self.record_changed = True
        for name in list(self.fields):
            if name == FIELD or name not in self.cleaned_data:
                continue
            try:
                field = saved._meta.get_field(name)
            except FieldDoesNotExist:  # a form field of its own (a one-off slot's date)
                continue
            if not field.concrete or field.primary_key:
                continue
            if not _same(self.cleaned_data[name], getattr(saved, name), field):
                self.add_error(name, f"Enregistré entre-temps : « {_saved_display(saved, name)} ».")
        self.add_error(None, changed_meanwhile_message(saved))
        # Shown again, the form carries the version now saved: sending it once more, after
        # reading both versions, saves what it holds.
        data = self.data.copy()
        data[self.add_prefix(FIELD)] = saved.version
        self.data = data


class RecordChangedMiddleware:
    """A save that lost the race after its form was checked (a few milliseconds): a 409 page
    that says nothing was saved, instead of an error page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RecordChanged):
            return None
        return render(
            request,
            "kernel/record_changed.html",
            {
                "message": changed_meanwhile_message(exception.record),
                "form_url": request.get_full_path(),
            },
            status=409,
        )

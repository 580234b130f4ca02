"""The audit log, read by the administrator: who did what to which record, who viewed whom."""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.utils import timezone

from .audit_labels import describe_event
from .enums import Role
from .exports import csv_response
from .filters import StyledFilterSet, date_filter
from .models import AuditEvent, User
from .paging import paginate
from .perms import role_required


class ActorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name() or obj.email} ({obj.get_role_display()})"


class AuditFilter(StyledFilterSet):
    du = date_filter("Du", "at", "date__gte")
    au = date_filter("Au", "at", "date__lte")
    auteur = django_filters.ModelChoiceFilter(
        field_name="actor",
        label="Auteur",
        queryset=User.objects.order_by("last_name", "email"),
        empty_label="Tous",
    )
    action = django_filters.CharFilter(
        field_name="action", lookup_expr="icontains", label="Action contient"
    )
    objet = django_filters.ModelChoiceFilter(
        field_name="target_type",
        label="Type d'objet",
        queryset=ContentType.objects.none(),
        empty_label="Tous",
    )
    identifiant = django_filters.CharFilter(field_name="target_id", label="Identifiant de l'objet")

    class Meta:
        model = AuditEvent
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["auteur"].field_class = ActorChoiceField
        used = AuditEvent.objects.values("target_type").distinct()
        self.filters["objet"].queryset = ContentType.objects.filter(pk__in=used).order_by("model")
        for name in ("du", "au"):
            self.form.fields[name].error_messages["invalid"] = "Saisissez une date valide."


def _rows(events):
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor.email if event.actor else "",
            event.action,
            event.target_type.model,
            event.target_id,
            event.changes,
        ]


@role_required(Role.ADMIN)
def audit_list(request):
    events = AuditEvent.objects.select_related("actor", "target_type")
    filtered = AuditFilter(request.GET or None, queryset=events)
    events = filtered.qs if filtered.is_bound and filtered.is_valid() else events
    if request.GET.get("format") == "csv":
        return csv_response(
            f"journal-audit-{timezone.localdate():%Y-%m-%d}.csv",
            ["Date", "Auteur", "Action", "Type d'objet", "Identifiant", "Détails"],
            _rows(events),
        )
    page, querystring = paginate(request, events, 50)
    for event in page:
        event.sentence = describe_event(event)
    return render(
        request,
        "kernel/audit_list.html",
        {"filter": filtered, "page": page, "querystring": querystring},
    )

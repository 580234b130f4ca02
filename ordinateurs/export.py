"""The workshop's inventory export: its columns and the response that streams it."""

from django.utils import timezone

from poitiers_inclusion.exports import table_response

EXPORT_COLUMNS = [
    "Numéro",
    "Type",
    "Marque",
    "Modèle",
    "N° de série",
    "Processeur",
    "Mémoire vive (Go)",
    "Système",
    "Supports de stockage",
    "Donateur",
    "Don proposé le",
    "État",
    "Dans cet état depuis le",
    "Enregistré le",
]


def _local_day(moment):
    return timezone.localtime(moment).date() if moment else None


def inventory_response(fmt, filterset):
    """The filtered inventory as CSV or Excel, the filters written above it."""
    rows = (
        [
            o.numero,
            o.get_type_display(),
            o.marque,
            o.modele,
            o.numero_serie,
            o.processeur,
            o.memoire_go,
            o.systeme,
            [str(s) for s in o.stockages.all()],
            str(o.don.donateur) if o.don else "",
            o.don.offered_on if o.don else None,
            o.get_etat_display(),
            _local_day(o.depuis),
            _local_day(o.created_at),
        ]
        for o in filterset.qs.prefetch_related("stockages").iterator(chunk_size=500)
    )
    title = "Inventaire des ordinateurs"
    preamble = [[title], ["Extrait le", timezone.localdate()]]
    if filterset.form.is_valid():
        for name, value in filterset.form.cleaned_data.items():
            if value not in (None, ""):
                field = filterset.form.fields[name]
                shown = dict(field.choices).get(value, value) if name in ("etat", "type") else value
                preamble.append([field.label, str(shown)])
    name = f"inventaire-ordinateurs-{timezone.localdate():%Y%m%d}"
    return table_response(fmt, name, title, EXPORT_COLUMNS, rows, preamble)

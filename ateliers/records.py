"""The workshop registrations of a person: their page, the export of their data, the merge."""

from poitiers_inclusion.usager_records import Holding

from .models import Inscription
from .services import merge_registrations

COLUMNS = ["Date", "Atelier", "Lieu", "Inscription", "Présence", "Origine"]


def rows(usager, viewer) -> list[list]:
    people = [usager.pk, *usager.merged_from.values_list("pk", flat=True)]
    qs = Inscription.objects.all() if viewer is None else Inscription.objects.visible_for(viewer)
    qs = qs.filter(usager_id__in=people)
    return [
        [
            i.seance.date.strftime("%d/%m/%Y"),
            i.seance.module.titre,
            i.seance.lieu.nom,
            i.get_statut_display(),
            i.get_presence_display() or "—",
            i.get_origine_display(),
        ]
        for i in qs.select_related("seance__module", "seance__lieu").order_by(
            "-seance__date", "-pk"
        )
    ]


HOLDING = Holding(
    key="ateliers",
    title="Ateliers",
    columns=COLUMNS,
    rows=rows,
    merge=merge_registrations,
    models=(Inscription,),
)

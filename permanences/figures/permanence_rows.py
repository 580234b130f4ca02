"""The permanences the attendance figures read, as rows of values: the dashboard's section
reads thousands of permanences at national scale, whose model instances (with their lieu and
quartier) took longer to build than the figures to count."""

from ..enums import permanence_label


class _Named:
    """A lieu or quartier as the figures read it: its id and name (str() is the name, as the
    models')."""

    __slots__ = ("pk", "nom", "quartier_id", "quartier")

    def __init__(self, pk, nom, quartier=None):
        self.pk, self.nom = pk, nom
        self.quartier = quartier
        self.quartier_id = quartier.pk if quartier is not None else None

    def __str__(self):
        return self.nom


class PermanenceRow:
    """What the figures read of a permanence, from one row of values: the dashboard's section
    reads thousands of permanences, whose model instances took longer to build than the figures
    to count. Same attributes and str() as the model's."""

    __slots__ = (
        "pk",
        "lieu_id",
        "lieu",
        "weekday",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
        "is_one_off",
        "hours",  # "09:00–12:00", as the model's str() writes them
    )
    FIELDS = (
        "pk",
        "lieu_id",
        "weekday",
        "start_time",
        "end_time",
        "valid_from",
        "valid_until",
        "is_one_off",
        "lieu__nom",
        "lieu__quartier_id",
        "lieu__quartier__nom",
    )

    def __str__(self):
        return permanence_label(self.lieu.nom, self.weekday, self.hours)


def permanence_rows(queryset) -> list[PermanenceRow]:
    """The permanences of a queryset as `PermanenceRow`s (one query), in order of id."""
    # Few distinct hours: each written once (a strftime per permanence showed at 8,000).
    lieux, quartiers, hours, rows = {}, {}, {}, []
    for values in queryset.order_by("pk").values_list(*PermanenceRow.FIELDS):
        row = PermanenceRow()
        (row.pk, row.lieu_id, row.weekday, row.start_time, row.end_time, row.valid_from) = values[
            :6
        ]
        row.valid_until, row.is_one_off = values[6:8]
        times = (row.start_time, row.end_time)
        row.hours = hours.get(times) or hours.setdefault(
            times, f"{times[0]:%H:%M}–{times[1]:%H:%M}"
        )
        lieu_nom, quartier_id, quartier_nom = values[8:]
        lieu = lieux.get(row.lieu_id)
        if lieu is None:
            quartier = None
            if quartier_id is not None:
                quartier = quartiers.get(quartier_id)
                if quartier is None:
                    quartier = quartiers[quartier_id] = _Named(quartier_id, quartier_nom)
            lieu = lieux[row.lieu_id] = _Named(row.lieu_id, lieu_nom, quartier)
        row.lieu = lieu
        rows.append(row)
    return rows

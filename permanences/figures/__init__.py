"""The meaning of the médiation log's figures: computed here only, read by `reporting`.

The log's figures (accompagnements, unique usagers, publics, thématiques…) are counted in
`aggregates`, broken down per dimension in `breakdowns` and laid out as dashboard sections and
the API block in `activity`; `attendance` holds those of the drop-in schedule (visits per slot,
empty slots, before/after a move).
"""


def register():
    from poitiers_inclusion import figures

    from . import activity, attendance, engine

    activity.register()
    attendance.register()
    figures.register_age_bands(engine.age_bands_of)
    figures.register_store_reader(engine.warm)

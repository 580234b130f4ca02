"""The meaning of the médiation log's figures: computed here only, read by `reporting`.

`activity` holds the figures of the log (accompagnements, unique usagers, publics, thématiques…);
`attendance` those of the drop-in schedule (visits per slot, empty slots, before/after a move).
"""


def register():
    from . import activity, attendance

    activity.register()
    attendance.register()

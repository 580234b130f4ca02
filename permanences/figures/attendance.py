"""Figures of the médiation log (attendance)."""


def register():
    """Register this module's dashboard sections and API blocks (poitiers_inclusion.figures)."""

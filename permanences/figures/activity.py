"""Figures of the médiation log (activity)."""


def register():
    """Register this module's dashboard sections and API blocks (poitiers_inclusion.figures)."""

"""Demo data of Ordinateurs solidaires: the city's published 2022 figures, then this year's
activity up to today (the workshop's to-do lists, households waiting, a ceremony to come)."""

from . import demo_2022, demo_today


def load(stdout):
    demo_2022.load(stdout)
    demo_today.load(stdout)

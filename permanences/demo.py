"""Demo data of the permanences app: schedules first, then the médiation log of 2022 (the
published figures), then this year's up to today."""

from . import demo_activity, demo_schedule, demo_today


def load(stdout):
    demo_schedule.load(stdout)
    demo_activity.load(stdout)
    demo_today.load(stdout)

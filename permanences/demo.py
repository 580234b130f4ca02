"""Demo data of the permanences app: schedules first, then the médiation log."""

from . import demo_activity, demo_schedule


def load(stdout):
    demo_schedule.load(stdout)
    demo_activity.load(stdout)

"""Date arithmetic shared by the apps' scheduled jobs (retention, reminders)."""

import datetime


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier (the month's last day when it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def reminder_days(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days whose appointments and sessions are reminded today: tomorrow and the day after
    (a person away one day still hears in time)."""
    return today + datetime.timedelta(days=1), today + datetime.timedelta(days=2)

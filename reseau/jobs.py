"""The network's scheduled jobs (the kernel scheduler runs them)."""

from poitiers_inclusion import scheduler

scheduler.register(
    scheduler.Job(
        "orientations_reminders",
        "Relance, expiration et effacement des orientations anciennes",
        scheduler.daily("07:30"),
        command="orientations_reminders",
    ),
)

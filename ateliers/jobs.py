"""The workshops' scheduled jobs (the kernel scheduler runs them)."""

from poitiers_inclusion import scheduler

scheduler.register(
    scheduler.Job(
        "send_workshop_reminders",
        "Rappels aux inscrits des séances de demain et d'après-demain",
        scheduler.daily("07:20"),
        command="send_workshop_reminders",
    ),
)

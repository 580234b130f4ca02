"""The dashboard's scheduled jobs (the kernel scheduler runs them)."""

from poitiers_inclusion import scheduler

scheduler.register(
    scheduler.Job(
        "refresh_figures",
        "Recalcul des chiffres du tableau de bord mis de côté (grands volumes)",
        scheduler.every(minutes=10),
        command="refresh_figures",
    ),
)

"""The permanences' scheduled jobs (the kernel scheduler runs them)."""

from poitiers_inclusion import scheduler

scheduler.register(
    scheduler.Job(
        "send_reminders",
        "Rappels des rendez-vous de demain et d'après-demain, effacement des coordonnées des "
        "rendez-vous passés depuis 30 jours",
        scheduler.daily("07:15"),
        command="send_reminders",
    ),
    scheduler.Job(
        "anonymise_usagers",
        "Anonymisation des usagers identifiés sans venue depuis la durée de conservation",
        scheduler.daily("03:00"),
        command="anonymise_usagers",
    ),
    scheduler.Job(
        "sync_coop",
        "Synchronisation des médiations avec l’API de La Coop de la médiation numérique "
        "(rien sans COOP_API_URL et COOP_API_TOKEN)",
        scheduler.daily("02:30"),
        command="sync_coop",
    ),
)

"""Ordinateurs solidaires' scheduled jobs (the kernel scheduler runs them)."""

from poitiers_inclusion import scheduler

scheduler.register(
    scheduler.Job(
        "ordinateurs_housekeeping",
        "Expiration des demandes d'ordinateur incomplètes, anonymisation des foyers clos",
        scheduler.daily("07:40"),
        command="ordinateurs_housekeeping",
    ),
    scheduler.Job(
        "send_donor_certificates",
        "Envoi aux donateurs du certificat d'effacement de leur don, une fois tous ses "
        "appareils traités",
        scheduler.daily("07:45"),
        command="send_donor_certificates",
    ),
)

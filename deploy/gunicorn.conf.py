"""gunicorn's settings file (deploy/serve.sh): what the command line does not say."""


def post_worker_init(worker):
    """Load the figures stores in each new worker before it takes requests: otherwise the first
    visitor of the dashboard or of « Mon activité » on each worker waits while the files are
    mapped and the people arrays built (a second at national scale)."""
    from poitiers_inclusion import figures

    try:
        figures.warm_stores()
    except Exception:  # the database not ready yet: the first request loads them instead
        worker.log.exception("Chargement des magasins de chiffres reporté")

"""gunicorn's settings file (deploy/serve.sh): what the command line does not say."""


def post_worker_init(worker):
    """Prepare each new worker before it takes requests (poitiers_inclusion.warmup): import the
    views and compile the templates (otherwise its first visitor waits half a second), load the
    figures stores (otherwise the first visitor of the dashboard or of « Mon activité » waits
    while the files are mapped and the people arrays built: a second at national scale), then
    set all that aside from the garbage collector's passes."""
    from poitiers_inclusion import figures, warmup

    try:
        warmup.load_views()
        warmup.compile_templates()
    except Exception:  # the first requests import and compile what they need instead
        worker.log.exception("Préparation des vues et des gabarits reportée")
    try:
        figures.warm_stores()
    except Exception:  # the database not ready yet: the first request loads them instead
        worker.log.exception("Chargement des magasins de chiffres reporté")
    warmup.settle()  # what was loaded above, out of the garbage collector's passes

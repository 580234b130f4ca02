"""export_data_inclusion FOLDER: writes structures.json and services.json (data·inclusion v1)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from reseau import data_inclusion


class Command(BaseCommand):
    help = (
        "Exporte les structures partenaires, les lieux et leurs services numériques au schéma "
        "data·inclusion v1 (structures.json et services.json)."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Dossier où écrire structures.json et services.json.")

    def handle(self, folder, **options):
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        counts = {}
        for name, rows in (
            ("structures", data_inclusion.structures()),
            ("services", data_inclusion.services()),
        ):
            path = target / f"{name}.json"
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
            counts[name] = len(rows)
        self.stderr.write(
            f"{counts['structures']} structure(s) et {counts['services']} service(s) exportés "
            f"au schéma data·inclusion v{data_inclusion.SCHEMA_VERSION} dans {target}."
        )

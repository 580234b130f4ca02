"""Every audit action code written by the code base reads as a French sentence."""

import datetime
import pathlib
import re

from django.apps import apps

from poitiers_inclusion.audit_labels import describe, has_label, registered_labels
from poitiers_inclusion.formatting import display_value

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP_DIRS = ["poitiers_inclusion", "reseau", "permanences", "ateliers", "ordinateurs", "reporting"]
CODE = re.compile(
    r"[\"']((?:kernel|reseau|permanences|ateliers|ordinateurs|reporting)"
    r"\.[a-z_]+\.[a-z_]+)[\"']"
)


def _codes_in_source() -> set[str]:
    found = set()
    for folder in APP_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            found.update(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_it_finds_the_codes_written_in_the_code_base():
    codes = _codes_in_source()
    assert "ordinateurs.controle.created" in codes and "reseau.orientation.answered" in codes


def test_every_code_written_by_hand_has_a_sentence_of_its_own():
    registered = registered_labels()
    missing = sorted(code for code in _codes_in_source() if code not in registered)
    # Codes made of a model and a generic verb (created, updated…) read well from the verb.
    missing = [code for code in missing if not has_label(code)]
    assert missing == []


def test_every_registered_sentence_reads_without_details():
    for code in registered_labels():
        sentence = describe(code, {})
        assert sentence and "{" not in sentence and "None" not in sentence, code


def test_every_model_has_a_sentence_for_the_generic_events():
    for model in apps.get_models():
        meta = model._meta
        for verb in ("created", "updated", "deleted", "viewed"):
            code = f"{meta.app_label}.{meta.model_name}.{verb}"
            assert has_label(code), code
            assert str(meta.verbose_name) in describe(code) or code in registered_labels()


def test_the_details_are_in_french():
    assert describe("ordinateurs.controle.created", {"reussi": True}) == (
        "Contrôle fonctionnel enregistré : réussi"
    )
    assert describe("ordinateurs.controle.created", {"reussi": False}).endswith("échoué")
    assert describe(
        "permanences.rendezvous.status_changed", {"statut": ["confirme", "absent"]}
    ) == ("Statut du rendez-vous : Confirmé → Absent")
    assert describe("reporting.rapport.joint", {"du": "2026-01-01", "au": "2026-06-30"}) == (
        "Rapport chiffré joint à la réunion (du 01/01/2026 au 30/06/2026)"
    )
    assert describe("inconnu.chose.faite", {"ok": True}) == "Action enregistrée : fiche — ok : Oui"


def test_values_are_written_for_a_french_reader():
    assert display_value(True) == "Oui" and display_value(False) == "Non"
    assert display_value(None) == "—"
    assert display_value(1234.5) == "1\u202f234,5"
    assert display_value(datetime.date(2026, 12, 25)) == "25/12/2026"
    assert display_value(["a", True]) == "a, Oui"

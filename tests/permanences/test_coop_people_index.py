"""An import finds its people by their folded name through an index (a scan folds every name of
a national programme: 22 s at ten million people, twice per import)."""

from types import SimpleNamespace

import pytest
from django.db import connection

from permanences.coop.people import existing_usagers
from poitiers_inclusion.models import Usager
from poitiers_inclusion.models.usagers import folded_full_name
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db


def test_the_name_lookup_reads_the_folded_name_index():
    # The lookup's expression is the index's (on a few rows, the identified records' other
    # index would do as well: the expression alone is asked here).
    query = Usager.objects.annotate(folded_name=folded_full_name()).filter(
        folded_name__in=["awa diallo"]
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows: a scan is cheaper
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "usager_folded_name" in plan


def test_it_finds_the_identified_kept_records_whatever_the_accents_and_case():
    found = UsagerFactory(identified=True, first_name="Élodie", last_name="Lefèvre")
    UsagerFactory(identified=True, first_name="Elodie", last_name="Lefevre", merged_into=found)
    UsagerFactory(identified=True, first_name="Eloise", last_name="Lefevre")
    rows = [SimpleNamespace(beneficiaire="ELODIE  LEFEVRE")]  # all a name lookup reads
    assert existing_usagers(rows) == {"elodie lefevre": [found]}


def test_names_asked_a_few_at_a_time_are_all_found(monkeypatch):
    from permanences.coop import people

    monkeypatch.setattr(people, "NAMES_A_QUERY", 1)
    awa = UsagerFactory(identified=True, first_name="Awa", last_name="Diallo")
    older, newer = (
        UsagerFactory(identified=True, first_name="Paul", last_name="Durand") for _ in range(2)
    )
    rows = [SimpleNamespace(beneficiaire=name) for name in ("Paul Durand", "Awa Diallo", "Zoé")]
    assert existing_usagers(rows) == {"awa diallo": [awa], "paul durand": [older, newer]}

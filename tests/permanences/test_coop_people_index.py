"""An import finds its people by their folded name through an index (a scan folds every name of
a national programme: 22 s at ten million people, twice per import)."""

from types import SimpleNamespace

import pytest
from django.db import connection

from permanences.coop.people import existing_usagers
from poitiers_inclusion.models import Usager
from poitiers_inclusion.models.usagers import IDENTIFIED_KEPT, folded_full_name
from tests.factories import UsagerFactory

pytestmark = pytest.mark.django_db


def test_the_name_lookup_reads_the_folded_name_index():
    query = (
        Usager.objects.filter(IDENTIFIED_KEPT)
        .annotate(folded_name=folded_full_name())
        .filter(folded_name__in=["awa diallo"])
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test's few rows: a scan is cheaper
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "usager_identified_folded_name" in plan


def test_it_finds_the_identified_kept_records_whatever_the_accents_and_case():
    found = UsagerFactory(identified=True, first_name="Élodie", last_name="Lefèvre")
    UsagerFactory(identified=True, first_name="Elodie", last_name="Lefevre", merged_into=found)
    UsagerFactory(identified=True, first_name="Eloise", last_name="Lefevre")
    rows = [SimpleNamespace(beneficiaire="ELODIE  LEFEVRE")]  # all a name lookup reads
    assert existing_usagers(rows) == {"elodie lefevre": [found]}

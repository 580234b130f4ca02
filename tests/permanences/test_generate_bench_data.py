"""generate_bench_data: COPY-loaded médiations, most of them at a drop-in slot on its weekday."""

import datetime
import io

import pytest
from django.core.management import call_command

from permanences.models import Accompagnement, Mediation
from tests.factories import LieuFactory, UserFactory
from tests.permanences.factories import PermanenceFactory

pytestmark = pytest.mark.django_db


def test_it_tops_up_to_n_and_links_most_to_drop_in_slots():
    UserFactory(conseiller=True)
    LieuFactory()
    slot = PermanenceFactory(weekday=2, valid_from=datetime.date(2020, 1, 1))
    call_command("generate_bench_data", mediations=200, stdout=io.StringIO())
    call_command("generate_bench_data", mediations=200, stdout=io.StringIO())  # nothing more
    assert Mediation.objects.count() == 200 and Accompagnement.objects.count() == 200
    linked = Mediation.objects.filter(permanence=slot)
    assert 100 <= linked.count() <= 180  # seven in ten, give or take
    assert {m.date.weekday() for m in linked} == {2}
    assert set(linked.values_list("lieu_id", flat=True)) == {slot.lieu_id}

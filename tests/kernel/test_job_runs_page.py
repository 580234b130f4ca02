"""The administrator's page of the scheduled jobs: each job's state, the runs, the failures in
red with their error; filters, pages; nobody else opens it."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion import scheduler
from poitiers_inclusion.enums import JobOutcome, Role
from tests.factories import JOB_ERROR as ERROR
from tests.factories import JobRunFactory

pytestmark = pytest.mark.django_db
URL = reverse("kernel:job_runs")


def _run(job="send_reminders", ago=datetime.timedelta(minutes=5), **kwargs):
    return JobRunFactory(job=job, started_at=timezone.now() - ago, **kwargs)


def _rows(html):
    return re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)


def test_the_admin_sees_each_job_and_its_runs(users, client_for):
    _run()
    _run(job="refresh_figures", counts={"vues recalculées": 2})
    html = unescape(client_for(users[Role.ADMIN]).get(URL).content.decode())
    for job in scheduler.jobs():
        assert job.label in html and str(job.schedule) in html
    assert "rappels : 3" in html and "vues recalculées : 2" in html
    assert "web-1:4242" in html and "2,0 s" in html


def test_a_failed_run_is_red_with_its_error(users, client_for):
    _run(ago=datetime.timedelta(hours=3))
    _run(failed=True)
    html = client_for(users[Role.ADMIN]).get(URL).content.decode()
    red = [row for row in _rows(html) if 'class="table-danger"' in row]
    # The job's line in the summary and the run in the list.
    assert len(red) == 2
    assert all(ERROR in row and "Échec" in row for row in red)


def test_the_failures_and_one_job_can_be_picked(users, client_for):
    _run()
    _run(failed=True)
    _run(job="anonymise_usagers", counts={"usagers anonymisés": 0})
    client = client_for(users[Role.ADMIN])
    failures = client.get(URL, {"resultat": JobOutcome.FAILED}).context["page"]
    assert [run.outcome for run in failures] == [JobOutcome.FAILED]
    one_job = client.get(URL, {"tache": "anonymise_usagers"}).context["page"]
    assert [run.job for run in one_job] == ["anonymise_usagers"]
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "Aucun passage." in client.get(URL, {"du": tomorrow}).content.decode()
    assert "Saisissez une date valide." in client.get(URL, {"au": "31/02/2026"}).content.decode()


def test_a_job_that_has_not_succeeded_since_its_time_is_late(users, client_for):
    _run(job="refresh_figures", ago=datetime.timedelta(hours=2))
    _run(job="send_reminders", ago=datetime.timedelta(minutes=1))
    response = client_for(users[Role.ADMIN]).get(URL)
    late = {row["job"].name for row in response.context["summary"] if row["late"]}
    assert "refresh_figures" in late and "send_reminders" not in late
    assert "En retard" in response.content.decode()


@pytest.mark.parametrize(
    "role", [Role.COORDINATEUR, Role.CONSEILLER, Role.PRESCRIPTEUR, Role.TECHNICIEN]
)
def test_only_the_admin_opens_it(role, users, client_for):
    assert client_for(users[role]).get(URL).status_code == 403


def test_the_admin_finds_it_in_the_menu(users, client_for):
    html = client_for(users[Role.ADMIN]).get(reverse("kernel:audit_list")).content.decode()
    assert f'href="{URL}"' in html and "Tâches planifiées" in html


def test_the_page_takes_the_same_queries_for_5_or_60_runs(
    users, client_for, django_assert_max_num_queries
):
    client = client_for(users[Role.ADMIN])
    for n in range(5):
        _run(ago=datetime.timedelta(minutes=n))
    client.get(URL)
    with django_assert_max_num_queries(15) as five:
        client.get(URL)
    for n in range(55):
        _run(job="refresh_figures", ago=datetime.timedelta(minutes=10 * n))
    with django_assert_max_num_queries(len(five.captured_queries)):
        assert client.get(URL).status_code == 200

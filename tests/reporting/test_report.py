"""The printable report for the network's meetings."""

from django.urls import reverse

from poitiers_inclusion.enums import Role

URL = reverse("reporting:report")


def test_it_shows_key_figures_charts_and_tables_of_the_period(fake_sections, users, client_for):
    response = client_for(users[Role.COORDINATEUR]).get(
        URL, {"du": "2025-01-01", "au": "2025-06-30"}
    )
    html = response.content.decode()
    assert "Période : du 01/01/2025 au 30/06/2025" in html
    assert "Chiffres clés" in html and "<dd>12</dd>" in html
    assert 'role="img"' in html and '<th scope="row">Médiathèque</th>' in html
    assert "Exporter :" not in html  # no export links on paper
    assert "data-print" in html


def test_it_is_printed_with_a_print_stylesheet(fake_sections, users, client_for, settings):
    from pathlib import Path

    html = client_for(users[Role.ADMIN]).get(URL).content.decode()
    assert "css/dashboard.css" in html
    css = (Path(settings.BASE_DIR) / "static" / "css" / "dashboard.css").read_text()
    assert "@media print" in css and "break-inside: avoid" in css


def test_it_is_for_the_coordinator_and_admin(fake_sections, users, client_for):
    assert client_for(users[Role.CONSEILLER]).get(URL).status_code == 403
    assert client_for(users[Role.PRESCRIPTEUR]).get(URL).status_code == 403


def test_the_dashboard_workbook_is_attached_to_a_meeting(users, client_for, settings, tmp_path):
    """From the meeting's page, one click attaches the figures since the previous meeting."""
    import datetime
    import io

    from django.utils import timezone
    from openpyxl import load_workbook

    from poitiers_inclusion.models import AuditEvent
    from tests.permanences.factories import MediationFactory
    from tests.reseau.factories import ReunionFactory

    settings.MEDIA_ROOT = tmp_path
    tz = timezone.get_current_timezone()
    ReunionFactory(date=datetime.datetime(2025, 1, 15, 14, tzinfo=tz))
    reunion = ReunionFactory(date=datetime.datetime(2025, 6, 20, 14, tzinfo=tz))
    MediationFactory(date=datetime.date(2025, 3, 3))  # in the period
    MediationFactory(date=datetime.date(2024, 12, 1))  # before the previous meeting

    client = client_for(users[Role.COORDINATEUR])
    detail = reverse("reseau:reunion_detail", args=[reunion.pk])
    assert reverse("reporting:attach_report", args=[reunion.pk]) in client.get(detail).text
    response = client.post(reverse("reporting:attach_report", args=[reunion.pk]), follow=True)
    assert "Rapport du 15/01/2025 au 19/06/2025" in response.text
    reunion.refresh_from_db()
    assert reunion.rapport.name.endswith(".xlsx")

    download = client.get(reverse("reseau:reunion_rapport", args=[reunion.pk]))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    first = workbook[workbook.sheetnames[0]]
    cells = [str(c) for row in first.iter_rows(values_only=True) for c in row if c is not None]
    assert any("15/01/2025" in c and "19/06/2025" in c for c in cells)
    assert AuditEvent.objects.filter(action="reporting.rapport.joint").count() == 1

    conseiller = client_for(users[Role.CONSEILLER])
    assert conseiller.post(reverse("reporting:attach_report", args=[reunion.pk])).status_code == 403
    assert client.get(reverse("reporting:attach_report", args=[reunion.pk])).status_code == 405


def test_a_long_table_is_cut_on_screen_and_whole_on_paper(registry, users, client_for):
    from poitiers_inclusion.figures import Section, SectionSpec, Table

    rows = [[f"Permanence {n:04}", n] for n in range(1, 131)]

    def build(scope):
        return Section(
            "long", "Long", tables=[Table("t", "Permanences", ["Permanence", "N"], rows)]
        )

    registry.register_section(SectionSpec("long", "Long", 1, build))
    client = client_for(users[Role.COORDINATEUR])
    page = client.get(reverse("reporting:dashboard")).content.decode()
    assert page.count('<th scope="row">Permanence') == 100
    assert "Permanence 0100" in page and "Permanence 0101" not in page
    assert "Cette page montre les 100 premières lignes sur 130" in page
    paper = client.get(URL).content.decode()
    assert paper.count('<th scope="row">Permanence') == 130
    assert "premières lignes" not in paper

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

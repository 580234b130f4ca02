"""Request bodies above REQUEST_MAX_BYTES are refused before Django reads or stores them."""

import io

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.urls import reverse

from poitiers_inclusion.enums import Role

IMPORT_URL = reverse("reporting:indicator_import")


@pytest.fixture
def coordinator_client(users, client_for):
    return client_for(users[Role.COORDINATEUR])


def test_it_refuses_an_upload_over_the_limit_before_storing_it(
    coordinator_client, settings, monkeypatch
):
    settings.REQUEST_MAX_BYTES = 4096
    stored = []
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        monkeypatch.setattr(handler, "new_file", lambda self, *a, **k: stored.append(a))
    upload = io.BytesIO(b"quartier;mois;valeur\n" + b"x" * 8000)
    upload.name = "indicateurs.csv"

    response = coordinator_client.post(IMPORT_URL, {"fichier": upload})

    assert response.status_code == 413
    assert "script-src 'self'" in response["Content-Security-Policy"]
    text = response.content.decode()
    assert "Envoi trop volumineux" in text
    assert "rien n'a été enregistré" in text
    assert stored == []


def test_a_declared_length_over_the_limit_is_refused_without_reading_the_body(
    coordinator_client, settings
):
    settings.REQUEST_MAX_BYTES = 10 * 1024 * 1024
    response = coordinator_client.post(
        IMPORT_URL,
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024**3),
    )
    assert response.status_code == 413


def test_an_upload_under_the_limit_reaches_the_form(coordinator_client, settings):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    upload = io.BytesIO(b"quartier;mois;valeur\n")
    upload.name = "indicateurs.csv"
    response = coordinator_client.post(IMPORT_URL, {"fichier": upload})
    assert response.status_code == 200  # the form gives its own verdict, not the limit

"""Every attached file is checked by one helper: its kind, its size (ATTACHMENT_MAX_BYTES) and
its first bytes."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from ordinateurs.staff_forms import EffacementForm
from poitiers_inclusion.attachments import check_attachment, max_size_in_words
from reseau.forms import OrientationForm

PDF = b"%PDF-1.7\n" + b"0" * 100


def _file(name, content):
    return SimpleUploadedFile(name, content)


def test_it_accepts_a_file_of_its_kind_and_gives_it_back_unread():
    upload = _file("rapport.pdf", PDF)
    assert check_attachment(upload, ("pdf",)) is upload
    assert upload.read() == PDF
    assert check_attachment(None, ("pdf",)) is None


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("photo.gif", b"GIF89a", "Ce type de fichier n'est pas accepté (formats : PDF, TXT)."),
        ("sans-extension", PDF, "Ce type de fichier n'est pas accepté"),
        ("faux.pdf", b"MZ\x90\x00", "Le contenu du fichier ne correspond pas à un fichier PDF."),
        ("journal.txt", b"ok\x00binaire", "ne correspond pas à un fichier TXT"),
    ],
)
def test_it_refuses_another_kind_in_french(name, content, message):
    with pytest.raises(forms.ValidationError) as refused:
        check_attachment(_file(name, content), ("pdf", "txt"))
    assert message in refused.value.messages[0]


def test_the_size_limit_is_a_setting_named_in_the_refusal(settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    check_attachment(_file("a.pdf", PDF + b"0" * (1024 * 1024)), ("pdf",))
    with pytest.raises(forms.ValidationError) as refused:
        check_attachment(_file("a.pdf", PDF + b"0" * (2 * 1024 * 1024)), ("pdf",))
    assert refused.value.messages[0].startswith("Le fichier dépasse 2 Mo")
    settings.ATTACHMENT_MAX_BYTES = 1500 * 1024
    assert max_size_in_words() == "1,5 Mo"
    settings.ATTACHMENT_MAX_BYTES = 500 * 1024
    assert max_size_in_words() == "500 Ko"


def test_the_forms_say_the_limit_in_force(settings):
    settings.ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    assert "3 Mo au plus" in str(EffacementForm().fields["preuve"].help_text)
    assert "3 Mo au plus" in str(OrientationForm.base_fields["piece_jointe"].help_text)

"""Checking a file attached to a record (a meeting's report, an orientation's document, the
evidence of an erasure): a kind the form accepts, at most ATTACHMENT_MAX_BYTES, and content that
matches its extension (the name alone proves nothing). Stored as is, never interpreted."""

from django import forms
from django.conf import settings
from django.utils.functional import lazy

# Extension -> the first bytes every such file starts with.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
}
# Plain-text kinds (the logs of erasure tools) have no signature: they must not be binary.
TEXT_FORMATS = ("txt", "log", "xml", "json", "csv", "html")
HEAD_BYTES = 4096


def max_size_in_words() -> str:
    """ATTACHMENT_MAX_BYTES as people read it: "5 Mo", "1,5 Mo", "500 Ko"."""
    size = settings.ATTACHMENT_MAX_BYTES
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} Ko"
    megabytes = f"{size / (1024 * 1024):.1f}".removesuffix(".0").replace(".", ",")
    return f"{megabytes} Mo"


# For help texts written when a form class is defined: the limit in force when shown.
max_size_lazy = lazy(max_size_in_words, str)


def check_attachment(upload, formats: tuple[str, ...]):
    """The upload, when it is of one of `formats` (extensions), within the size limit, and its
    first bytes are those of its kind; else a ValidationError in French. No file: returned as
    is."""
    if not upload:
        return upload
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in formats:
        kinds = ", ".join(e.upper() for e in formats)
        raise forms.ValidationError(f"Ce type de fichier n'est pas accepté (formats : {kinds}).")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise forms.ValidationError(
            f"Le fichier dépasse {max_size_in_words()} : réduisez-le, compressez-le ou "
            "scannez-le en plus basse résolution."
        )
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if extension in TEXT_FORMATS:
        matches = b"\x00" not in head
    else:
        matches = head.startswith(SIGNATURES[extension])
    if not matches:
        raise forms.ValidationError(
            f"Le contenu du fichier ne correspond pas à un fichier {extension.upper()}."
        )
    return upload

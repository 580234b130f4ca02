"""Reading the PDF files the application serves, as a PDF reader would (pypdf)."""

import io

from pypdf import PdfReader


def pdf_reader(response) -> PdfReader:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def pdf_text(response) -> str:
    """The text a reader finds in the document, pages joined, spaces normalised."""
    return _text(pdf_reader(response))


def pdf_file_text(content: bytes) -> str:
    """The text of a PDF file received otherwise (an e-mail's attachment), as pdf_text."""
    assert content.startswith(b"%PDF-"), content[:20]
    return _text(PdfReader(io.BytesIO(content)))


def _text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def pdf_links(response) -> list[str]:
    """The addresses the document's links point to, in page order."""
    links = []
    for page in pdf_reader(response).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.append(str(action["/URI"]))
    return links

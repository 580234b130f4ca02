"""PDF documents people attach and archive (certificates, receipts, attestations, reports,
label sheets): one page layout with the city's name, the document's number and date, and page
numbers, written with fpdf2 (pure Python) in the DejaVu fonts kept in `fonts/`, so every French
character prints (the PDF core fonts stop at Latin-1: no « œ », no « € », no « ’ »).

A view offers the PDF of a page it already renders by passing the same context to a builder
(`?format=pdf`, see `wants_pdf` and `response`): the figures are computed once, in the view.
"""

import io
from pathlib import Path

import segno
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from fpdf import FPDF, FontFace

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
MONO = "DejaVuMono"
# One column of text on A4 with 2 cm margins.
MARGIN_MM = 20
LINE_MM = 5.5


def wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


def page_or_file(request, template: str, context: dict, *, builder, filename: str):
    """The page, or with ?format=pdf the same document as a PDF file built from the same
    context by `builder(context) -> bytes`."""
    if wants_pdf(request):
        return response(builder(context), filename)
    return render(request, template, context)


def response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    answer = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    answer["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    answer["Cache-Control"] = "private, no-store"
    return answer


def date_fr(value) -> str:
    """« 6 décembre 2026 »: the way the documents write a date."""
    return formats.date_format(value, "j F Y")


class Document(FPDF):
    """An A4 page with the issuer on top, then `title`, `number` and the date of issue, and
    « page n / N » at the bottom. Write with heading(), paragraph(), facts() and table()."""

    def __init__(self, *, title: str, number: str, issued_on=None, subject: str = ""):
        super().__init__(format="A4", unit="mm")
        self.doc_title = title
        self.number = number
        self.issued_on = issued_on or timezone.localdate()
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.add_font(MONO, "", FONTS / "DejaVuSansMono.ttf")
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=MARGIN_MM)
        self.set_title(f"{title} — {number}")
        self.set_author(f"Ville de {settings.CITY_NAME}")
        self.set_subject(subject or title)
        self.set_creator("Inclusion numérique")
        self.set_lang("fr-FR")
        self.alias_nb_pages()
        self.add_page()
        self.set_font(FAMILY, "B", 16)
        self.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)
        self.multi_cell(
            0,
            LINE_MM,
            f"N° {number} — établi le {date_fr(self.issued_on)}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.ln(3)

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self):
        self.set_font(FAMILY, "", 9)
        self.set_text_color(70)
        self.cell(
            0,
            5,
            f"Ville de {settings.CITY_NAME} — programme d'inclusion numérique",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        self.set_text_color(0)
        self.ln(3)

    def footer(self):
        self.set_y(-14)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(70)
        self.cell(0, 5, f"{self.doc_title} n° {self.number} — page {self.page_no()}/{{nb}}")
        self.set_text_color(0)

    def heading(self, text: str):
        self.ln(2)
        self.set_font(FAMILY, "B", 12)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)

    def paragraph(self, text: str, *, bold: bool = False):
        self.set_font(FAMILY, "B" if bold else "", 10)
        self.multi_cell(0, LINE_MM, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)
        self.ln(1)

    def facts(self, rows):
        """Label / value lines, like a <dl>; a value of None is left out."""
        label_width = 58
        for label, value in rows:
            if value is None:
                continue
            self.set_font(FAMILY, "B", 10)
            top = self.get_y()
            self.multi_cell(label_width, LINE_MM, str(label), new_x="RIGHT", new_y="TOP")
            self.set_font(FAMILY, "", 10)
            self.multi_cell(
                self.width - label_width,
                LINE_MM,
                str(value),
                new_x="LMARGIN",
                new_y="NEXT",
                align="L",
            )
            self.set_y(max(self.get_y(), top + LINE_MM))
        self.ln(1)

    def fingerprint(self, label: str, digest: str):
        """A SHA-256 printed whole, in a monospaced font, so it can be compared by eye."""
        self.set_font(FAMILY, "B", 10)
        self.multi_cell(0, LINE_MM, label, new_x="LMARGIN", new_y="NEXT")
        self.set_font(MONO, "", 8.5)
        self.multi_cell(0, LINE_MM, digest, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FAMILY, "", 10)

    def table(self, headings, rows, widths=None):
        with super().table(
            headings_style=FontFace(emphasis="BOLD"),
            col_widths=widths,
            line_height=LINE_MM,
            text_align="LEFT",
        ) as grid:
            head = grid.row()
            for text in headings:
                head.cell(str(text))
            for values in rows:
                line = grid.row()
                for value in values:
                    line.cell("" if value is None else str(value))
        self.set_font(FAMILY, "", 10)
        self.ln(2)

    def signatures(self, *blocks: str):
        """Boxes side by side for signatures and stamps, kept together on one page."""
        height = 32
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()
        self.ln(3)
        top = self.get_y()
        width = self.width / len(blocks)
        for n, text in enumerate(blocks):
            x = self.l_margin + n * width
            self.rect(x, top, width - 4, height)
            self.set_xy(x + 2, top + 2)
            self.multi_cell(width - 8, LINE_MM, text)
        self.set_xy(self.l_margin, top + height + 2)

    def bytes(self) -> bytes:
        return bytes(self.output())


def qr_png(url: str) -> io.BytesIO:
    """A QR code of `url` as a PNG (error correction M: a label may be scratched)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=10, border=2)
    out.seek(0)
    return out

"""Refuses request bodies larger than REQUEST_MAX_BYTES before anything reads them.

Django bounds form fields in memory (DATA_UPLOAD_MAX_MEMORY_SIZE) but writes uploaded files to
disk whatever their size, before any form checks them: without this, one POST of several
gigabytes fills the server's disk. The declared length is enough: Django reads no more than
Content-Length (a chunked body without it is not read at all).
"""

from django.conf import settings
from django.shortcuts import render


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.REQUEST_MAX_BYTES:
            limit_mb = settings.REQUEST_MAX_BYTES / (1024 * 1024)
            return render(
                request,
                "413.html",
                {"limit_mb": f"{limit_mb:.0f}".replace(".", ",")},
                status=413,
            )
        return self.get_response(request)

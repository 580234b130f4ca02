"""Test-only URLconf: the project's URLs plus one page whose HTML holds what an injection would
leave (inline script, event handlers, styles), served through the project's middleware."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from poitiers_inclusion.perms import public
from poitiers_inclusion.urls import urlpatterns as project_patterns

INJECTED = engines["django"].from_string(
    """{% extends "base.html" %}{% block title %}Essai{% endblock %}{% block content %}
<h1>Essai</h1>
<style>#injected-style { color: rgb(0, 0, 255); }</style>
<p id="injected-style" style="color: rgb(255, 0, 0)">Texte</p>
<script>window.__pwned = "script";</script>
<img id="injected-img" src="x" alt="" onerror="window.__pwned = 'onerror'">
<button id="injected-click" type="button" onclick="window.__pwned = 'onclick'">Cliquer</button>
{% endblock %}"""
)


@public
def injected(request):
    return HttpResponse(INJECTED.render({}, request))


urlpatterns = [path("essai-injection/", injected), *project_patterns]
handler403 = "poitiers_inclusion.views.permission_denied"

"""Pages to import La Coop's activities export (upload, preview, confirm) and to export in its layout.

Between the preview and the confirmation the uploaded file waits in MEDIA_ROOT/imports/coop under a
random name kept in the session (never the file itself in the session); it is deleted on confirm or
cancel, and files left behind are removed after a day.
"""

import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from poitiers_inclusion.audit import log_event
from poitiers_inclusion.enums import Role
from poitiers_inclusion.exports import xlsx_response
from poitiers_inclusion.forms import Form
from poitiers_inclusion.models import User
from poitiers_inclusion.perms import STAFF, TEAM, role_required
from poitiers_inclusion.widgets import PERSON_FIELDS, LargeModelChoiceField, person_label
from reseau.models import Lieu

from .coop import (
    EXPORT_FORMATS,
    CoopFileError,
    InvalidRowsError,
    apply_import,
    export_csv,
    plan_import,
    read_workbook,
    xlsx_sheet_or_room,
)
from .models import Mediation

SESSION_KEY = "coop_import"
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
XLSX_MAGIC = b"PK\x03\x04"
STALE_AFTER_SECONDS = 24 * 3600


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "coop"


def _pending_path(token: str) -> Path | None:
    if not token or not TOKEN_PATTERN.match(token):
        return None
    return _upload_dir() / f"{token}.xlsx"


def _remove_stale_uploads():
    folder = _upload_dir()
    if not folder.is_dir():
        return
    limit = time.time() - STALE_AFTER_SECONDS
    for path in folder.glob("*.xlsx"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _conseillers():
    return User.objects.filter(role=Role.CONSEILLER, is_active=True).order_by(
        "last_name", "first_name"
    )


class CoopUploadForm(Form):
    fichier = forms.FileField(
        label="Export « Activités » de La Coop (.xlsx)",
        help_text="Le fichier téléchargé depuis La Coop de la médiation numérique, sans modification.",
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    conseiller = forms.ModelChoiceField(
        label="Conseiller à qui attribuer les activités",
        help_text="Si le fichier nomme le médiateur (export de coordinateur ou de l’application) "
        "et qu’un compte de conseiller porte exactement ce nom, ses activités lui sont "
        "attribuées ; les autres vont à ce conseiller.",
        queryset=User.objects.none(),
        empty_label="Choisissez un conseiller",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conseiller"].queryset = _conseillers()
        self.parsed = None

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        head = upload.read(4)
        upload.seek(0)
        if not upload.name.lower().endswith(".xlsx") or head != XLSX_MAGIC:
            raise forms.ValidationError(
                "Ce fichier n’est pas un classeur Excel (.xlsx). Choisissez l’export « Activités » "
                "téléchargé depuis La Coop."
            )
        try:  # read within the import limits (size, unzipped size, rows, columns)
            self.parsed = read_workbook(upload)
        except CoopFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        upload.seek(0)
        return upload


@role_required(*STAFF)
def coop_import(request):
    form = CoopUploadForm(data=request.POST or None, files=request.FILES or None)
    if request.method == "POST" and form.is_valid():
        _remove_stale_uploads()
        _discard_pending(request)
        token = secrets.token_urlsafe(24)
        path = _pending_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            for chunk in form.cleaned_data["fichier"].chunks():
                out.write(chunk)
        request.session[SESSION_KEY] = {
            "token": token,
            "conseiller": form.cleaned_data["conseiller"].pk,
            "filename": Path(form.cleaned_data["fichier"].name).name[:200],
        }
        return redirect("permanences:coop_import_preview")
    return render(
        request,
        "permanences/coop/import.html",
        {"form": form, "max_size": settings.COOP_IMPORT_MAX_UPLOAD_BYTES},
    )


def _pending(request):
    """The import waiting for confirmation: (session data, file path, conseiller) or None."""
    data = request.session.get(SESSION_KEY) or {}
    path = _pending_path(data.get("token", ""))
    conseiller = _conseillers().filter(pk=data.get("conseiller")).first()
    if path is None or not path.is_file() or conseiller is None:
        return None
    return data, path, conseiller


def _discard_pending(request):
    data = request.session.pop(SESSION_KEY, None) or {}
    path = _pending_path(data.get("token", ""))
    if path is not None:
        path.unlink(missing_ok=True)


def _lost(request):
    _discard_pending(request)
    messages.warning(request, "Aucun fichier en attente d’import : déposez à nouveau l’export.")
    return redirect("permanences:coop_import")


@role_required(*STAFF)
def coop_import_preview(request):
    pending = _pending(request)
    if pending is None:
        return _lost(request)
    data, path, conseiller = pending
    try:
        plan = plan_import(read_workbook(path), conseiller=conseiller)
    except CoopFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("permanences:coop_import")
    return render(
        request,
        "permanences/coop/preview.html",
        {
            "plan": plan,
            "filename": data["filename"],
            "conseiller": conseiller,
            "token": data["token"],
        },
    )


@require_POST
@role_required(*STAFF)
def coop_import_confirm(request):
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending[0]["token"]:
        return _lost(request)
    data, path, conseiller = pending
    choice = request.POST.get("choix")
    if choice == "annuler":
        _discard_pending(request)
        messages.info(request, "Import annulé : rien n’a été enregistré.")
        return redirect("permanences:coop_import")
    try:
        parsed = read_workbook(path)
        result = apply_import(
            parsed=parsed,
            conseiller=conseiller,
            actor=request.user,
            skip_invalid=choice == "valides",
            filename=data["filename"],
            same_lieux={int(i) for i in request.POST.getlist("meme_lieu") if i.isdigit()},
        )
    except CoopFileError as exc:
        _discard_pending(request)
        messages.error(request, str(exc))
        return redirect("permanences:coop_import")
    except InvalidRowsError:
        messages.error(
            request,
            "Le fichier contient des lignes invalides : rien n’a été importé. Corrigez le fichier "
            "ou choisissez « Importer uniquement les lignes valides ».",
        )
        return redirect("permanences:coop_import_preview")
    _discard_pending(request)
    skipped = (
        f" {result.skipped_invalid} ligne(s) invalide(s) ignorée(s)."
        if result.skipped_invalid
        else ""
    )
    per_conseiller = ", ".join(
        f"{n} pour {name}" for name, n in sorted(result.per_conseiller.items())
    )
    messages.success(
        request,
        f"Import terminé : {result.mediations} activités et {result.accompagnements} "
        f"accompagnements enregistrés ({per_conseiller or 'aucun'}), {result.usagers_created} "
        "usagers et "
        f"{result.lieux_created} lieux créés, {result.already_imported} ligne(s) déjà importée(s)."
        + skipped,
    )
    return redirect("permanences:coop_import")


# --- Export ---


class CoopExportForm(Form):
    du = forms.DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Thousands of lieux and conseillers at national scale: written from rows in one pass.
    lieu = LargeModelChoiceField(
        label="Lieu", required=False, queryset=Lieu.objects.none(), empty_label="Tous les lieux"
    )
    conseiller = LargeModelChoiceField(
        label="Conseiller",
        required=False,
        queryset=User.objects.none(),
        empty_label="Tous les conseillers",
        label_fields=PERSON_FIELDS,
        row_label=person_label,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lieu"].queryset = Lieu.objects.visible_for(user).order_by("nom")
        if user.sees_whole_city:
            # The conseillers, and anyone else with médiations (a former conseiller): one probe
            # of the médiations' index per account, not a join of millions of rows made distinct.
            authored = Mediation.objects.filter(conseiller=OuterRef("pk"))
            self.fields["conseiller"].queryset = User.objects.filter(
                Q(role=Role.CONSEILLER) | Exists(authored)
            ).order_by("last_name", "first_name", "pk")
        else:
            del self.fields["conseiller"]

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["du"] > data["au"]:
            self.add_error("au", "La date de fin doit suivre la date de début.")
        return data

    def filtered(self, mediations):
        data = self.cleaned_data
        if data.get("du"):
            mediations = mediations.filter(date__gte=data["du"])
        if data.get("au"):
            mediations = mediations.filter(date__lte=data["au"])
        if data.get("lieu"):
            mediations = mediations.filter(lieu=data["lieu"])
        if data.get("conseiller"):
            mediations = mediations.filter(conseiller=data["conseiller"])
        return mediations

    def description(self, user) -> list[tuple[str, str]]:
        data = self.cleaned_data
        du, au = data.get("du"), data.get("au")
        if du and au:
            period = f"Du {du:%d/%m/%Y} au {au:%d/%m/%Y}"
        elif du:
            period = f"Depuis le {du:%d/%m/%Y}"
        elif au:
            period = f"Jusqu’au {au:%d/%m/%Y}"
        else:
            period = "Toutes"
        if "conseiller" in self.fields:
            conseiller = str(data["conseiller"]) if data.get("conseiller") else "Tous"
        else:
            conseiller = str(user)
        return [
            ("Période", period),
            ("Lieu", data["lieu"].nom if data.get("lieu") else "Tous"),
            ("Conseiller", conseiller),
        ]


@role_required(*TEAM)
def coop_export(request):
    form = CoopExportForm(data=request.GET or None, user=request.user)
    mediations = Mediation.objects.visible_for(request.user)
    if "telecharger" in request.GET and form.is_valid():
        filters = form.description(request.user)
        fmt = request.GET.get("format")
        fmt = fmt if fmt in EXPORT_FORMATS else "xlsx"
        chosen = {
            "mediations": form.filtered(mediations),
            "citywide": request.user.sees_whole_city,
            "exporter": request.user,
            "filters": filters,
        }
        name = f"activites-coop-{timezone.localdate():%Y-%m-%d}"
        sheet = xlsx_sheet_or_room(**chosen) if fmt == "xlsx" else None
        if isinstance(sheet, int):
            room = f"{sheet:,}".replace(",", "\u202f")
            form.add_error(
                None,
                f"Cette sélection compte plus de {room} lignes, le maximum d’une feuille Excel. "
                "Resserrez la période, choisissez un lieu ou un conseiller, ou téléchargez un "
                "CSV (sans limite de lignes).",
            )
            return render(request, "permanences/coop/export.html", {"form": form})
        log_event(
            actor=request.user,
            action="permanences.coop.exported",
            target=request.user,
            changes={"filters": dict(filters), "format": fmt},
        )
        if sheet is None:
            return export_csv(filename=f"{name}.csv", fmt=fmt, **chosen)
        return xlsx_response(f"{name}.xlsx", [sheet])
    return render(request, "permanences/coop/export.html", {"form": form})

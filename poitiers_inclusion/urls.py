"""Root URLconf: kernel pages, then each app under its own prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import audit_views, availability, job_views, outbox_views, views
from .perms import any_role, public

kernel_patterns = (
    [
        path("comptes/", views.user_list, name="user_list"),
        path("comptes/nouveau/", views.user_edit, name="user_create"),
        path("comptes/<int:pk>/", views.user_edit, name="user_edit"),
        path("comptes/<int:pk>/inviter/", views.user_invite, name="user_invite"),
        path("journal/", audit_views.audit_list, name="audit_list"),
        path("taches/", job_views.job_runs, name="job_runs"),
        path("emails-non-envoyes/", outbox_views.outbox_list, name="outbox_list"),
        path(
            "emails-non-envoyes/<int:pk>/reessayer/",
            outbox_views.outbox_retry,
            name="outbox_retry",
        ),
    ],
    "kernel",
)

urlpatterns = [
    # The residents' front door is `front:home` (below); each professional's space is here.
    path("espace/", views.home, name="home"),
    path("connexion/", views.login, name="login"),
    path("deconnexion/", any_role(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "mot-de-passe/changer/",
        any_role(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        any_role(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("mot-de-passe/oubli/", views.password_reset, name="password_reset"),
    path(
        "mot-de-passe/oubli/envoye/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/fait/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("invitation/<uidb64>/<token>/", views.invitation, name="invitation"),
    path("demande-envoyee/", views.public_form_sent, name="public_form_sent"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("sante/", availability.health, name="health"),
    path("", include(kernel_patterns)),
    path("", include("reporting.front_urls")),
    path("reseau/", include("reseau.urls")),
    path("api/v1/", include("reseau.api_urls")),
    path("permanences/", include("permanences.urls")),
    path("ateliers/", include("ateliers.urls")),
    path("ordinateurs/", include("ordinateurs.urls")),
    path("pilotage/", include("reporting.urls")),
    path("api/v1/", include("reporting.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler403 = "poitiers_inclusion.views.permission_denied"
handler500 = "poitiers_inclusion.availability.server_error"

from django.urls import path

from accounts import audit_views, views

app_name = "accounts"
urlpatterns = [
    path("kommuner/", views.my_municipalities, name="my_municipalities"),
    path("inviter/", views.invite, name="invite"),
    path("sagsbehandlere/", views.officers, name="officers"),
    path("sagsbehandlere/<int:user_id>/deaktiver/", views.deactivate, name="deactivate"),
    path(
        "sagsbehandlere/invitation/<int:invitation_id>/send-igen/",
        views.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "sagsbehandlere/invitation/<int:invitation_id>/traek-tilbage/",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("revision/", audit_views.audit_log, name="audit_log"),
    path("revision/csv/", audit_views.audit_log_csv, name="audit_log_csv"),
]
from accounts.api_tokens_views import api_tokens  # noqa: E402 (API tokens, see docs/api.md)

urlpatterns += [path("api-noegler/", api_tokens, name="api_tokens")]

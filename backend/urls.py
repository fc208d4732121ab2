from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from backend import views
from backend.api_views import ApiDocsView

# The admin login goes through allauth (rate limits, two-factor) instead of its own form.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("session/forlaeng/", views.session_extend, name="session_extend"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
    path("admin/", admin.site.urls),
    path("konto/", include("allauth.urls")),
    path("konto/", include("accounts.urls")),
    path("runder/", include("surveys.urls")),
    path("registre/", include("surveys.register_urls")),
    path("undersoegelser/", include("surveys.builder_urls")),
    path("undersoegelser/", include("submissions.preview_urls")),
    path("undersoegelser/", include("surveys.xlsform_urls")),
    path("undersoegelser/", include("submissions.impact_urls")),
    path("indberet/", include("submissions.urls")),
    path("opfoelgning/", include("imports.urls")),
    path("opfoelgning/", include("tracking.urls")),
    path("data/", include("exports.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("backend.api_urls")),
]

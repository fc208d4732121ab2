"""The API's own pages: the 404 for unknown URLs and the documentation page."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import permissions

from accounts.api_base import ApiView
from lib.api_errors import ApiError


class NotFoundView(ApiView):
    """Every unknown URL under /api/v1/ answers 404 in the error shape (not Django's HTML)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def _not_found(self, request, *args, **kwargs):
        raise ApiError("not_found", _("Ikke fundet."), status_code=404)

    get = post = put = patch = delete = head = options = _not_found


NotFoundView = extend_schema(exclude=True)(NotFoundView)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (sidecar), with its init script served as a file
    and without the inline <style> block, so the strict CSP (no inline code) holds."""

    template_name = "api/swagger_ui.html"

"""The API's request size limit: a body larger than API_MAX_BODY_BYTES is refused with 413 in
the API's one error shape before anything reads it (DRF's parsers read the stream, which
Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not limit)."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _


class ApiBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.API_MAX_BODY_BYTES
            if request.method == "POST" and request.path_info.endswith("/imports/"):
                # A bulk import carries its file (imports app): up to 50 MB plus the form.
                limit = settings.API_IMPORT_MAX_BODY_BYTES
            if length > limit:
                # Imported here: lib.api_errors pulls in DRF, which must not load at start-up.
                from lib.api_errors import error_body

                body = error_body(
                    "request_too_large",
                    _("Forespørgslen er for stor (højst %(limit)s bytes).") % {"limit": limit},
                    max_bytes=limit,
                )
                response = JsonResponse(body, status=413)
                response["Connection"] = "close"  # the unread body is not drained
                return response
        return self.get_response(request)

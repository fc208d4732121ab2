"""A per-user budget for expensive downloads (exports, the report PDF, receipt PDFs), on the
pages and in the API alike: DRF's rate throttle (scope "exports", EXPORT_RATE), counted in the
shared cache."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import UserRateThrottle


class ExportRateThrottle(UserRateThrottle):
    scope = "exports"


def export_throttled(request):
    """None if the user may download now; otherwise the 429 page saying when to try again."""
    throttle = ExportRateThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = int(throttle.wait() or 60) + 1
    response = render(
        request,
        "429.html",
        {
            "throttle_message": _(
                "Du har hentet mange filer på kort tid. Prøv igen om %(seconds)d sekunder."
            )
            % {"seconds": wait}
        },
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response

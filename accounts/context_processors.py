from django.conf import settings


def navigation(request):
    user = getattr(request, "user", None)
    return {
        "site_role": getattr(user, "role", None) if user and user.is_authenticated else None,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }

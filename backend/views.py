from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.permissions import municipalities_for


@login_required
def home(request):
    return render(request, "home.html", {"municipalities": municipalities_for(request.user)})


def accessibility(request):
    return render(request, "accessibility.html")


@require_POST
@login_required
def session_extend(request):
    """Touching the session renews the idle timeout (SESSION_SAVE_EVERY_REQUEST)."""
    request.session["extended"] = request.session.get("extended", 0) + 1
    return JsonResponse({"ok": True, "idle_seconds": request.session.get_expiry_age()})

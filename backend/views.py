from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.permissions import municipalities_for
from submissions.home import officer_assignments
from surveys.selectors import rounds_for


@login_required
def home(request):
    """One page, by role: officers see their rounds × municipalities (most urgent first);
    coordinators and analysts get their way in to rounds and data."""
    user = request.user
    context = {"municipalities": municipalities_for(user) if user.is_officer else []}
    if user.is_officer:
        assignments = officer_assignments(user)
        context["open_assignments"] = [a for a in assignments if not a.round.is_closed]
        context["closed_assignments"] = [a for a in assignments if a.round.is_closed]
        context["has_demo"] = any(a.round.is_demo for a in assignments)
        context["municipalities"] = list(context["municipalities"])
    elif user.can_read_all:
        rounds = rounds_for(user).order_by("-deadline")
        context["rounds"] = list(rounds[:10])
        context["has_demo"] = any(r.is_demo for r in context["rounds"])
    return render(request, "home.html", context)


def accessibility(request):
    return render(request, "accessibility.html")


@require_POST
@login_required
def session_extend(request):
    """Touching the session renews the idle timeout (SESSION_SAVE_EVERY_REQUEST)."""
    request.session["extended"] = request.session.get("extended", 0) + 1
    return JsonResponse({"ok": True, "idle_seconds": request.session.get_expiry_age()})

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import can_read_all
from surveys.models import Round


@login_required
def index(request):
    if not can_read_all(request.user):
        raise Http404
    rounds = Round.objects.select_related("survey").exclude(state="draft").order_by("-deadline")
    return render(request, "exports/index.html", {"rounds": rounds})

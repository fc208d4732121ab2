from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from accounts.permissions import is_coordinator
from surveys.models import Round


@login_required
def round_list(request):
    if not is_coordinator(request.user):
        raise Http404
    rounds = Round.objects.select_related("survey").order_by("-deadline")
    return render(request, "surveys/round_list.html", {"rounds": rounds})

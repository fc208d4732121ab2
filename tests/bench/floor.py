"""The floor of a save: the same token and the same row writes, without DRF, validation,
audit or permissions — what Django + PostgreSQL cost per request on this machine.

Served only by the bench's gunicorn (tests/bench/settings.py adds its URL); never part of
the production URLconf. `make bench` reports save + submit as a ratio to it (issue 16).

PUT /bench-floor/<slug>/<code>/ {"version": n, "answers": {…}, "explanations": {…}}:
the API token is checked as the API checks it (`accounts.tokens.authenticate_token`), then
one UPDATE of the submission's JSON columns with the version check and one revision INSERT,
in one transaction. 200 {"version": n + 1}, 409 on a stale version, 401 without a token.
"""

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from accounts.tokens import authenticate_token
from submissions.models import Revision

UPDATE = """
UPDATE submissions_submission s
   SET answers = %s, explanations = %s, version = s.version + 1,
       last_activity_at = %s, updated_by_id = %s
  FROM surveys_round r, surveys_municipality m
 WHERE s.round_id = r.id AND s.municipality_id = m.id
   AND r.slug = %s AND m.code = %s AND s.version = %s
RETURNING s.id, s.version, s.state
"""


@csrf_exempt
def floor_save(request, slug, code):
    header = request.headers.get("Authorization", "")
    user = authenticate_token(header.removeprefix("Token ").strip())
    if user is None:
        return JsonResponse({"detail": "token"}, status=401)
    body = json.loads(request.body)
    answers, explanations = body.get("answers", {}), body.get("explanations", {})
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                UPDATE,
                [
                    json.dumps(answers),
                    json.dumps(explanations),
                    timezone.now(),
                    user.pk,
                    slug,
                    code,
                    body.get("version", 0),
                ],
            )
            row = cursor.fetchone()
        if row is None:
            return JsonResponse({"detail": "version"}, status=409)
        Revision.objects.create(
            submission_id=row[0],
            number=row[1],
            action=Revision.Action.SAVE,
            state=row[2],
            author=user,
            answers=answers,
            explanations=explanations,
            changed_keys=sorted(answers),
        )
    return JsonResponse({"version": row[1]})


urlpatterns = [path("bench-floor/<slug:slug>/<str:code>/", floor_save, name="bench-floor")]

"""The coordinator's view of the audit log: browse, filter, export the filtered rows as CSV."""

import json

import django_filters
from defusedcsv import csv
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.audit import record
from accounts.audit_text import SENTENCES, describe_page
from accounts.models import AuditEvent
from accounts.permissions import coordinator_required
from lib.date_input import DateInputField
from lib.formula import spreadsheet_text

PAGE_SIZE = 50
CSV_COLUMNS = ["at", "actor_email", "ip", "action", "object_type", "object_ref", "detail"]


def _action_choices():
    """The actions in the log, by their words ("… inviterede …"), the code in brackets."""
    actions = AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct()
    return [(a, _action_label(a)) for a in actions]


def _action_label(action):
    sentence = SENTENCES.get(action)
    if sentence is None:
        return action
    words = str(sentence).replace("%(actor)s ", "").replace(" %(object)s", " …")
    return f"{words} ({action})"


class DayMonthYearFilter(django_filters.DateFilter):
    """A date filter typed in the three DKFDS day/month/year fields."""

    field_class = DateInputField


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(
        label=_("Handling"), choices=_action_choices, empty_label=_("Alle handlinger")
    )
    actor = django_filters.CharFilter(
        label=_("Udført af (e-mail)"),
        field_name="actor_email",
        lookup_expr="icontains",
        max_length=254,
    )
    object = django_filters.CharFilter(
        label=_("Objekt"),
        method="filter_object",
        max_length=200,
        help_text=_("Del af objektets type eller reference, fx 'submission' eller '360'."),
    )
    date_from = DayMonthYearFilter(
        label=_("Fra dato"),
        field_name="at",
        lookup_expr="date__gte",
    )
    date_to = DayMonthYearFilter(
        label=_("Til dato"),
        field_name="at",
        lookup_expr="date__lte",
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_object(self, queryset, name, value):
        return queryset.filter(Q(object_type__icontains=value) | Q(object_ref__icontains=value))


def _filtered(request):
    """(filterset, rows): the rows are empty while the filter has errors, so a typo never shows
    the whole log as if it matched."""
    filterset = AuditEventFilter(request.GET or None, queryset=AuditEvent.objects.all())
    if filterset.is_bound and not filterset.is_valid():
        return filterset, AuditEvent.objects.none()
    return filterset, filterset.qs.order_by("-at", "-id")


@require_GET
@coordinator_required
def audit_log(request):
    filterset, rows = _filtered(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "rows": describe_page(page),
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    # The one cell rule of the project: clean, then neutralise formulas.
    return spreadsheet_text(value) if isinstance(value, str) else value


def _csv_rows(rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 correctly
    yield writer.writerow(CSV_COLUMNS)
    for event in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.actor_email,
                    event.ip or "",
                    event.action,
                    event.object_type,
                    event.object_ref,
                    json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
                )
            ]
        )


@require_GET
@coordinator_required
def audit_log_csv(request):
    filterset, rows = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        return audit_log(request)
    record(
        "audit.exported",
        request=request,
        detail={
            key: str(value)
            for key, value in (filterset.form.cleaned_data if filterset.is_bound else {}).items()
            if value not in (None, "")
        },
    )
    response = StreamingHttpResponse(_csv_rows(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="indberet-revision-{stamp}.csv"'
    return response

"""The REST API v1 router: each app contributes its endpoints from its own api.py.

A round is named by its slug, a municipality by its 3-digit code (a member of another register
by its code in that register, e.g. S05). Anything else under
/api/v1/ answers 404 in the API's error shape.
"""

from django.urls import path, re_path

from backend.api_views import NotFoundView
from exports import api as exports_api
from imports import api as imports_api
from submissions import api as submissions_api
from submissions import api_versions
from surveys import api as surveys_api
from surveys import api_builder
from tracking import api as tracking_api

SUBMISSION = "rounds/<slug:slug>/submissions/<str:code>/"

urlpatterns = [
    path("municipalities/", surveys_api.MunicipalityList.as_view(), name="api-municipalities"),
    path("registers/", surveys_api.RegisterList.as_view(), name="api-registers"),
    path(
        "registers/<slug:key>/members/",
        surveys_api.RegisterMembers.as_view(),
        name="api-register-members",
    ),
    path("surveys/", surveys_api.SurveyList.as_view(), name="api-surveys"),
    path(
        "surveys/<slug:key>/definition/",
        surveys_api.SurveyDefinition.as_view(),
        name="api-survey-definition",
    ),
    path("surveys/<slug:key>/draft/", api_builder.SurveyDraft.as_view(), name="api-survey-draft"),
    path(
        "surveys/<slug:key>/draft/publish/",
        api_builder.SurveyDraftPublish.as_view(),
        name="api-survey-draft-publish",
    ),
    path(
        "surveys/<slug:key>/draft/xlsform/",
        api_builder.DraftXLSFormUpload.as_view(),
        name="api-survey-draft-xlsform",
    ),
    path(
        "surveys/<slug:key>/versions/<int:version>/xlsform/",
        api_builder.VersionXLSForm.as_view(),
        name="api-survey-version-xlsform",
    ),
    path(
        "surveys/<slug:key>/versions/<int:version>/check/",
        api_versions.VersionCheck.as_view(),
        name="api-survey-version-check",
    ),
    path(
        "surveys/<slug:key>/versions/<int:version>/impact/",
        api_versions.VersionImpact.as_view(),
        name="api-survey-version-impact",
    ),
    path("impact/<int:run>/", api_versions.ImpactRunDetail.as_view(), name="api-impact-run"),
    path("rounds/", surveys_api.RoundList.as_view(), name="api-rounds"),
    path("rounds/<slug:slug>/", surveys_api.RoundDetail.as_view(), name="api-round"),
    path("rounds/<slug:slug>/open/", surveys_api.RoundOpen.as_view(), name="api-round-open"),
    path("rounds/<slug:slug>/close/", surveys_api.RoundClose.as_view(), name="api-round-close"),
    path(
        "rounds/<slug:slug>/status/",
        tracking_api.RoundStatus.as_view(),
        name="api-round-status",
    ),
    path(
        "rounds/<slug:slug>/reminders/",
        tracking_api.RoundReminders.as_view(),
        name="api-round-reminders",
    ),
    path(
        "rounds/<slug:slug>/summary/",
        exports_api.RoundSummary.as_view(),
        name="api-round-summary",
    ),
    path(
        "rounds/<slug:slug>/export/",
        exports_api.RoundExport.as_view(),
        name="api-round-export",
    ),
    path("rounds/<slug:slug>/imports/", imports_api.RoundImports.as_view(), name="api-imports"),
    path(
        "rounds/<slug:slug>/imports/<int:import_id>/",
        imports_api.ImportDetail.as_view(),
        name="api-import",
    ),
    path(
        "rounds/<slug:slug>/imports/<int:import_id>/apply/",
        imports_api.ImportApply.as_view(),
        name="api-import-apply",
    ),
    path(
        "rounds/<slug:slug>/imports/<int:import_id>/undo/",
        imports_api.ImportUndo.as_view(),
        name="api-import-undo",
    ),
    path(SUBMISSION, submissions_api.SubmissionDetail.as_view(), name="api-submission"),
    path(
        SUBMISSION + "submit/",
        submissions_api.SubmissionSubmit.as_view(),
        name="api-submission-submit",
    ),
    path(
        SUBMISSION + "accept/",
        submissions_api.SubmissionAccept.as_view(),
        name="api-submission-accept",
    ),
    path(
        SUBMISSION + "return/",
        submissions_api.SubmissionReturn.as_view(),
        name="api-submission-return",
    ),
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="api-not-found"),
]

"""Issue 12 item 9: the audit log is append-only in the database, not only in the ORM — on
PostgreSQL a trigger refuses UPDATE and DELETE of audit rows, whatever code (or SQL) tries."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.audit import record
from accounts.models import AuditEvent, Role
from tests.factories import make_user

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="database triggers are PostgreSQL's (CI runs it)"
)


@pytest.fixture
def event(db):
    return record("test.event", object_type="x", object_ref="1", detail={"n": 1})


def refused(statement):
    with pytest.raises(DatabaseError), transaction.atomic():
        statement()


@postgres_only
def test_rewriting_an_audit_row_with_a_queryset_update_is_refused_by_the_database(event):
    refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(action="nothing.happened"))
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@postgres_only
def test_deleting_audit_rows_even_with_raw_sql_is_refused_by_the_database(event):
    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table}")

    refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    refused(raw_delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@postgres_only
def test_deleting_a_user_keeps_their_audit_rows_with_the_email(db):
    user = make_user(Role.OFFICER, email="gone@lolland.dk")
    event = record("test.event", actor=user, obj=user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None and event.actor_email == "gone@lolland.dk"


def test_the_orm_refuses_to_rewrite_or_delete_an_audit_row(event):
    event.action = "nothing.happened"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()

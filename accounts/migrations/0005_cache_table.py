"""The database cache table (rate limits, throttles) is created by `migrate`, so an install
that never ran `createcachetable` does not answer 500 on every login and API call. With Redis
(REDIS_URL) there is no database cache and this does nothing; it is idempotent."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_apitoken_expires_at")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

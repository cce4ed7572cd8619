"""GIN expression indexes for full-text search. PostgreSQL only; other databases skip them."""

from django.db import migrations

# The expressions match the SearchVector(...) that discussions.selectors.search builds, so
# PostgreSQL can answer those queries from these indexes.
INDEXES = [
    "CREATE INDEX IF NOT EXISTS discussion_search_idx ON discussions_discussion USING gin "
    "((setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(body, '')), 'B')))",
    "CREATE INDEX IF NOT EXISTS reply_search_idx ON discussions_reply USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(body, '')))",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS discussion_search_idx")
        schema_editor.execute("DROP INDEX IF EXISTS reply_search_idx")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

"""pg_trgm for text similarity (PostgreSQL only), and match_text for rows that existed before.

On SQLite nothing here touches the schema: similarity falls back to comparing word sets in
Python (see ``programmes/similarity.py``).
"""

import re

from django.db import migrations


def _match_text(summary, description):
    words = re.findall(r"\w+", f"{summary} {description}".lower())
    return " ".join(words)


def fill_match_text(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    for programme in Programme.objects.only("summary", "description"):
        programme.match_text = _match_text(programme.summary, programme.description)
        programme.save(update_fields=["match_text"])


def trigram_on(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS programme_match_text_trgm "
        "ON programmes_programme USING gin (match_text gin_trgm_ops)"
    )


def trigram_off(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension may be used by others; only the index is ours to drop.
    schema_editor.execute("DROP INDEX IF EXISTS programme_match_text_trgm")


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_organisations_themes_people")]

    operations = [
        migrations.RunPython(fill_match_text, migrations.RunPython.noop),
        migrations.RunPython(trigram_on, trigram_off),
    ]

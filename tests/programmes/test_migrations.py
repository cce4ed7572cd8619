"""Extending the programmes app keeps the programmes that were already there, listed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_existing_programmes_survive_and_stay_listed():
    executor = MigrationExecutor(connection)
    executor.migrate([("programmes", "0001_initial")])
    old_apps = executor.loader.project_state([("programmes", "0001_initial")]).apps
    Old = old_apps.get_model("programmes", "Programme")
    Old.objects.create(name="Talk About Local", slug="talk-about-local", summary="Local sites!")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from programmes.models import Programme
    from programmes.selectors import listed_programmes

    programme = Programme.objects.get(slug="talk-about-local")
    assert programme.summary == "Local sites!"
    assert programme.match_text == "local sites"
    assert programme.status == "active" and programme.geography == "national"
    assert list(listed_programmes().values_list("name", flat=True)) == ["Talk About Local"]

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_twice_changes_nothing(capsys):
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    assert first["members.User"] >= 5
    assert first["programmes.Programme"] >= 7  # the seven named, plus a few for the map
    out = capsys.readouterr().out
    assert "nadia@example.org" in out and "demo-pass-2026" in out


def test_seeded_logins_work_by_username_and_email():
    call_command("seed_demo")
    assert authenticate(username="nadia", password="demo-pass-2026")
    admin = authenticate(username="admin@example.org", password="admin-pass-2026")
    assert admin and admin.is_staff


def test_seed_demo_names_the_seven_programmes():
    from programmes.models import Programme

    call_command("seed_demo")
    names = set(Programme.objects.values_list("name", flat=True))
    assert {
        "Community Voices",
        "DC10plus",
        "Talk About Local",
        "RSA Connected Communities",
    } <= names


def test_seed_demo_refuses_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo")

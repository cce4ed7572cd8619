"""The settings module, run in fresh processes with the environment a deployment would have."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k8#Jq2!vX9$mN4@pL7^wR1&zT6*yB3(cF5)hD0_gS8+eA2=uK4-oI9~nM6",
    "ALLOWED_HOSTS": "socialbysocial.example.org",
    "DATABASE_URL": "postgres://sbs@db.internal:5432/sbs",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Social by Social <hello@socialbysocial.example.org>",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_without_secret_key_refuses_to_start_with_a_clear_error():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_ENV=production needs these environment variables: SECRET_KEY" in result.stderr


def test_production_without_email_or_hosts_names_every_missing_variable():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"ALLOWED_HOSTS", "EMAIL_HOST"}}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS, EMAIL_HOST" in result.stderr


def test_check_deploy_is_clean_in_production():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_uses_secure_cookies_hsts_and_manifest_static_files():
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " s.STORAGES['staticfiles']['BACKEND'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'], s.ACCOUNT_EMAIL_VERIFICATION)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "31536000",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "False",
        "socialbysocial.cache.ResilientRedisCache",
        "mandatory",
    ]


def test_development_defaults_need_nothing_set(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER,"
        " s.CACHES['default']['BACKEND'], s.EMAIL_BACKEND)"
    )
    env = {"DJANGO_ENV": "development", "VAR_DIR": str(tmp_path)}
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "EMAIL_BACKEND"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "socialbysocial.mail.DevelopmentEmailBackend",
    ]


def test_development_email_backend_writes_console_and_outbox(tmp_path, capsys):
    from django.core.mail import EmailMessage

    from socialbysocial.mail import DevelopmentEmailBackend

    backend = DevelopmentEmailBackend(file_path=str(tmp_path))
    sent = backend.send_messages([EmailMessage("Hello", "Body text", "a@x.org", ["b@x.org"])])
    assert sent == 1
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    assert "Body text" in files[0].read_text()
    assert "Body text" in capsys.readouterr().out


def test_celery_is_json_only_with_time_limits_and_a_beat_schedule():
    from socialbysocial.celery import app

    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert "clear-expired-sessions" in app.conf.beat_schedule

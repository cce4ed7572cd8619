"""Test set-up shared by the whole suite.

Real services are used where they are configured: ``DATABASE_URL`` (PostgreSQL),
``REDIS_URL`` (Redis) and ``/usr/bin/chromium`` (browser tests). Outside CI, tests that need a
missing service are skipped with a reason; in CI (``CI=true``) a missing service fails the run.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _using_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _redis_reachable() -> bool:
    from django.conf import settings

    if not settings.REDIS_URL:
        return False
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError:
        return False
    return True


def _requirements():
    return {
        "browser": (
            os.path.exists(CHROMIUM) or shutil.which("chromium"),
            f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)",
        ),
        "postgres": (_using_postgres(), "needs PostgreSQL: set DATABASE_URL=postgres://..."),
        "redis": (_redis_reachable(), "needs a reachable Redis: set REDIS_URL=redis://..."),
    }


def pytest_report_header(config):
    from django.conf import settings
    from django.db import connection

    chromium = CHROMIUM if os.path.exists(CHROMIUM) else "not found"
    redis_state = "reachable" if _redis_reachable() else "not used"
    return [
        f"database: {connection.vendor} (tests create their own test_ database from "
        f"{settings.DATABASES['default']['NAME']})",
        f"redis: {redis_state}; chromium: {chromium}; CI: {IN_CI}",
    ]


def pytest_collection_modifyitems(config, items):
    requirements = _requirements()
    if IN_CI:
        missing = [reason for ok, reason in requirements.values() if not ok]
        if missing:
            raise pytest.UsageError("CI needs every real service: " + "; ".join(missing))
        return
    for item in items:
        for marker, (ok, reason) in requirements.items():
            if not ok and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter):
    """Say how many browser tests really ran, so a skipped browser suite cannot hide."""
    counts = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        counts[outcome] = sum(
            1
            for report in terminalreporter.stats.get(outcome, [])
            if "browser" in getattr(report, "keywords", {})
            and (report.when == "call" or outcome in ("skipped", "error"))
        )
    terminalreporter.write_line(
        "browser tests (Chromium): {passed} passed, {failed} failed, {skipped} skipped, "
        "{error} errors".format(**counts)
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _isolated_cache_and_eager_celery():
    """Each test starts with an empty cache; tasks run in-process unless a test asks otherwise."""
    from django.core.cache import cache

    from socialbysocial.celery import app

    cache.clear()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager
    cache.clear()

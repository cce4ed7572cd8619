"""Outages of Redis and PostgreSQL, against real services made unreachable (a closed port).

With Redis gone, pages render and posting works: the cache degrades and tasks that cannot be
queued wait in PendingTask until the broker is back. With PostgreSQL gone, people get a
friendly 503 page, not a traceback.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from socialbysocial.models import PendingTask
from subscriptions.models import OutgoingEmail

ROOT = Path(__file__).resolve().parent.parent
CLOSED = "127.0.0.1:1"  # nothing listens on port 1


def _run(code: str, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "socialbysocial.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_postgresql_people_get_a_friendly_503():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(raise_request_exception=False, HTTP_HOST='127.0.0.1').get('/discussions/');"
        "print(r.status_code, r['Retry-After']);"
        "print(r.content.decode())"
    )
    result = _run(
        code, DJANGO_ENV="test", DATABASE_URL=f"postgres://postgres@{CLOSED}/nothing", REDIS_URL=""
    )
    assert result.returncode == 0, result.stderr[-2000:]
    first, html = result.stdout.split("\n", 1)
    assert first == "503 60"
    assert "We&#x27;ll be back in a moment" in html or "We'll be back in a moment" in html
    assert "Traceback" not in html


@pytest.mark.django_db(transaction=True)
def test_without_redis_pages_render_posting_works_and_nothing_is_lost(settings):
    """A separate process runs the site with Redis unreachable (cache and broker): it serves
    pages and takes a reply; the email it causes waits in the database. Then, with the broker
    back (eager here), the periodic retry delivers it."""
    from discussions.models import Reply
    from tests.discussions.factories import make_discussion
    from tests.members.factories import UserFactory

    author = UserFactory(username="author", notify_replies="email")
    replier = UserFactory(username="replier")
    discussion = make_discussion(author=author, title="Outage thread")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else f"sqlite:///{db['NAME']}"
    )
    if connection.vendor != "postgresql":
        pytest.skip("the child process needs the same on-disk database (PostgreSQL)")
    code = f"""
import django; django.setup()
from django.test import Client
from members.models import User
client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
paths = ("/", "/discussions/", "{discussion.get_absolute_url()}")
pages = [client.get(p).status_code for p in paths]
client.force_login(User.objects.get(username="replier"))
post = client.post("/discussions/{discussion.pk}/reply/", {{"body": "Still here"}})
print(pages, post.status_code)
"""
    result = _run(
        code,
        DJANGO_ENV="development",
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://{CLOSED}/0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[200, 200, 200] 302"
    assert Reply.objects.filter(body="Still here", author=replier).exists()
    pending = list(PendingTask.objects.all())
    assert [p.name for p in pending] == ["subscriptions.tasks.deliver_emails"]
    email = OutgoingEmail.objects.get(to=author.email)
    assert email.sent_at is None

    # The broker is back: the periodic retry sends what waited.
    from socialbysocial.tasks import retry_pending_tasks

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retry_pending_tasks.apply()
    email.refresh_from_db()
    assert email.sent_at is not None
    assert not PendingTask.objects.exists()


def test_the_cache_degrades_instead_of_failing():
    from socialbysocial.cache import ResilientRedisCache

    cache = ResilientRedisCache(
        f"redis://{CLOSED}/0", {"OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    )
    assert cache.get("x", "fallback") == "fallback"
    assert cache.add("x", 1) is False
    cache.set("x", 1)
    assert cache.get_many(["x"]) == {}
    assert cache.incr("x") == 1
    cache.delete("x")

"""Real Celery workers on the real Redis: digests are exactly-once even when a worker is killed.

The worker is a subprocess (``celery -A socialbysocial worker --pool solo``) that talks to the
test database and to the test Redis db, and writes emails to files under ``tmp_path``. Each
batch sleeps ``DIGEST_TEST_DELAY`` seconds before writing, so the test can SIGKILL the worker in
the middle of a batch. The killed batch was never acknowledged (``acks_late``); the broker gives
it back after ``CELERY_VISIBILITY_TIMEOUT`` seconds and a second worker redoes it.
"""

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from discussions import services as discussion_services
from discussions.models import Reply
from members.models import User
from socialbysocial.celery import app
from subscriptions import services
from subscriptions.digests import BATCH_SIZE
from subscriptions.models import DigestDelivery, OutgoingEmail
from subscriptions.tasks import digest_run
from tests.discussions.factories import make_discussion
from tests.members.factories import UserFactory

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(settings.BASE_DIR)
WITH_NEWS = 120  # four full batches of 30
QUIET = 5  # daily digest, but nothing new: they get nothing
DISCUSSIONS = 4
VISIBILITY_TIMEOUT = 5  # seconds before an unacknowledged task may be given to another worker
WORKER_COMMAND = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "socialbysocial",
    "worker",
    "--pool",
    "solo",
    "--concurrency",
    "1",
    "-Q",
    "celery",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
    "-l",
    "info",
]


# --- Set-up ----------------------------------------------------------------------------------


def _database_url() -> str:
    """The test database (``test_<name>``) this test process is using, as a URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _redis_db() -> int:
    # settings.REDIS_URL was already rewritten to REDIS_TEST_DB (tests never touch db 0).
    return int(urlsplit(settings.REDIS_URL).path.lstrip("/") or 0)


def _worker_env(outbox: Path, var_dir: Path, delay: float) -> dict[str, str]:
    """The worker runs in test mode too (pytest is not imported there, so say so), which
    rewrites REDIS_URL to REDIS_TEST_DB again: pass the same db number so both processes use
    the same Redis database."""
    env = os.environ.copy()
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env |= {
        "DJANGO_SETTINGS_MODULE": "socialbysocial.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "REDIS_TEST_DB": str(_redis_db()),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "DIGEST_TEST_DELAY": str(delay),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
        "VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    return env


class Worker:
    """One ``celery worker`` subprocess with its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen(
                WORKER_COMMAND, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.text()}")
            if " ready." in self.text():
                return
            time.sleep(0.1)
        raise AssertionError(f"worker not ready in {timeout} s:\n{self.text()[-3000:]}")

    def received(self, task: str) -> list[str]:
        """Ids of the tasks of this name the worker took from the queue, in order."""
        marker = f"Task {task}["
        return [
            line.split(marker, 1)[1].split("]", 1)[0]
            for line in self.text().splitlines()
            if marker in line and "] received" in line
        ]

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)  # no warm shutdown, nothing acknowledged
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


def _members_with_and_without_news() -> tuple[list[User], list[User]]:
    """WITH_NEWS daily members, each following one of DISCUSSIONS discussions that gets a new
    reply; QUIET daily members with nothing new (no follows, or a follow whose only reply is
    three days old); plus members who get no daily digest at all."""
    author, replier = UserFactory(), UserFactory()
    discussions = [
        make_discussion(author=author, title=f"Mapping round {i}") for i in range(DISCUSSIONS)
    ]
    old = make_discussion(author=author, title="Old news")
    rows = []
    for i in range(WITH_NEWS + QUIET):
        quiet = i % 25 == 24  # spread through the batches
        name = f"{'quiet' if quiet else 'reader'}{i:03d}"
        rows.append(User(username=name, email=f"{name}@example.org", digest_frequency="daily"))
    for name, frequency in (("weekly000", "weekly"), ("nodigest000", "off")):
        rows.append(User(username=name, email=f"{name}@example.org", digest_frequency=frequency))
    User.objects.bulk_create(rows)
    people = list(User.objects.filter(username__in=[r.username for r in rows]).order_by("pk"))
    readers = [p for p in people if p.username.startswith("reader")]
    quiet = [p for p in people if p.username.startswith("quiet")]
    for n, reader in enumerate(readers):
        services.follow_add(member=reader, target=discussions[n % DISCUSSIONS])
    for other in people:
        if other.digest_frequency != "daily":  # news, but no daily digest
            services.follow_add(member=other, target=discussions[0])
    services.follow_add(member=quiet[0], target=old)
    services.follow_add(member=quiet[1], target=old)
    discussion_services.reply_create(discussion=old, author=replier, body="Long ago")
    Reply.objects.filter(discussion=old).update(created=timezone.now() - timedelta(days=3))
    for discussion in discussions:
        discussion_services.reply_create(discussion=discussion, author=replier, body="News!")
    assert len(readers) == WITH_NEWS and len(quiet) == QUIET
    return readers, quiet


def _flush_redis() -> redis.Redis:
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    return client


def _broker_idle(client: redis.Redis) -> bool:
    """Nothing queued and nothing taken but unacknowledged (acks_late: a running task)."""
    queued = sum(
        client.llen(key)
        for key in client.scan_iter("celery*")
        if client.type(key) in (b"list", "list")
    )
    return queued == 0 and client.hlen("unacked") == 0


def _wait(condition, timeout: float, what: str, *workers: Worker) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    logs = "\n".join(f"--- {w.log.name}\n{w.text()[-4000:]}" for w in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")


def _digest_messages(outbox: Path) -> Counter:
    """Digest messages in the file outbox, counted per recipient address."""
    counts = Counter()
    separator = b"\n" + b"-" * 79 + b"\n"
    for path in sorted(outbox.glob("*.log")):
        for raw in path.read_bytes().split(separator):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw, policy=email.policy.default)
            if "digest" in str(message["Subject"]).lower():
                for address in message.get_all("To", []):
                    counts[str(address).strip().lower()] += 1
    return counts


def _all_sent(readers: list[User]):
    ids = [r.pk for r in readers]

    def done() -> bool:
        delivered = DigestDelivery.objects.filter(member__in=ids).count()
        digest_emails = OutgoingEmail.objects.filter(kind="digest")
        return (
            delivered == len(ids)
            and digest_emails.count() >= len(ids)
            and not digest_emails.filter(sent_at__isnull=True).exists()
        )

    return done


def _assert_exactly_once(readers: list[User], quiet: list[User], outbox: Path) -> None:
    per_member = Counter(DigestDelivery.objects.values_list("member_id", flat=True))
    assert {r.pk: per_member[r.pk] for r in readers} == {r.pk: 1 for r in readers}
    assert set(per_member) == {r.pk for r in readers}, "someone without news got a digest"
    per_address = Counter(OutgoingEmail.objects.filter(kind="digest").values_list("to", flat=True))
    assert per_address == Counter(r.email for r in readers)
    assert not OutgoingEmail.objects.filter(kind="digest", sent_at__isnull=True).exists()
    assert all(q.email not in per_address for q in quiet)
    files = _digest_messages(outbox)
    assert files == Counter(r.email.lower() for r in readers), (
        f"file outbox: {sum(files.values())} digest messages for {len(files)} addresses"
    )


# --- Tests -----------------------------------------------------------------------------------


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(tmp_path):
    readers, quiet = _members_with_and_without_news()
    outbox, var_dir = tmp_path / "outbox", tmp_path / "var"
    outbox.mkdir()
    client = _flush_redis()
    app.conf.task_always_eager = False  # the autouse fixture restores it
    env = _worker_env(outbox, var_dir, delay=1.0)
    first = Worker(env, tmp_path / "worker1.log")
    second = None
    try:
        first.wait_ready()
        digest_run.delay("daily")

        # The first batch has committed and the worker has taken the next one, where it sleeps
        # DIGEST_TEST_DELAY before writing. Kill it there.
        def inside_second_batch() -> bool:
            taken = first.received("subscriptions.tasks.digest_batch")
            return len(taken) >= 2 and DigestDelivery.objects.exists()

        _wait(inside_second_batch, 30, "the worker to start its second batch", first)
        first.kill()
        killed_at = time.monotonic()
        delivered = DigestDelivery.objects.count()
        assert 0 < delivered < WITH_NEWS, f"{delivered} delivered before the kill"
        batches = first.received("subscriptions.tasks.digest_batch")

        # The killed batch is unacknowledged; a worker's sweep gives it back to the queue once
        # it is older than the visibility timeout. kombu sweeps on a worker's first poll and
        # then only every 100 s (unacked_restore_interval 10 s x unacked_restore_throttle 10),
        # so start the new worker once the timeout has passed, as a restarted worker would
        # after an outage longer than the timeout.
        time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
        second = Worker(env, tmp_path / "worker2.log")
        second.wait_ready()
        _wait(_all_sent(readers), 60, "every digest to be sent", first, second)
        _wait(lambda: _broker_idle(client), 30, "the queue to drain", first, second)
        killed_batch = batches[-1]
        assert killed_batch in second.received("subscriptions.tasks.digest_batch"), (
            "the batch the first worker died in was not redone by the second"
        )
        _assert_exactly_once(readers, quiet, outbox)
    finally:
        for worker in (first, second):
            if worker is not None:
                worker.stop()
        client.flushdb()


def test_a_second_run_with_a_live_worker_sends_nothing(tmp_path):
    readers, quiet = _members_with_and_without_news()
    outbox, var_dir = tmp_path / "outbox", tmp_path / "var"
    outbox.mkdir()
    client = _flush_redis()
    app.conf.task_always_eager = False
    worker = Worker(_worker_env(outbox, var_dir, delay=0), tmp_path / "worker.log")
    try:
        worker.wait_ready()
        digest_run.delay("daily")
        _wait(_all_sent(readers), 30, "every digest to be sent", worker)
        _wait(lambda: _broker_idle(client), 30, "the first run to finish", worker)
        _assert_exactly_once(readers, quiet, outbox)
        emails = OutgoingEmail.objects.count()
        files = sorted(p.name for p in outbox.iterdir())

        digest_run.delay("daily")
        expected_batches = 2 * -(-(WITH_NEWS + QUIET) // BATCH_SIZE)
        _wait(
            lambda: len(worker.received("subscriptions.tasks.digest_batch")) == expected_batches,
            30,
            "the second run's batches",
            worker,
        )
        _wait(lambda: _broker_idle(client), 30, "the second run to finish", worker)
        assert len(worker.received("subscriptions.tasks.digest_run")) == 2
        assert OutgoingEmail.objects.count() == emails
        assert sorted(p.name for p in outbox.iterdir()) == files
        _assert_exactly_once(readers, quiet, outbox)
    finally:
        worker.stop()
        client.flushdb()

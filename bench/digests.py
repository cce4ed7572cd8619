"""A daily digest run for 10,000 members with follows, on PostgreSQL, locmem email backend.

A measurement, not a test: it prints numbers and PASS/MISS against the targets and exits 0
either way unless the set-up fails.

    .venv/bin/python bench/digests.py                  # 10,000 members
    .venv/bin/python bench/digests.py --members 2000   # a quicker look

What it does (see bench/README.md):

1. drops and creates its own database ``sbs_bench_digests`` (127.0.0.1:5432, user postgres;
   nothing else is touched) and migrates it, in development mode with DEBUG off, no
   ``REDIS_URL`` (Celery eager) and ``EMAIL_BACKEND`` locmem;
2. seeds in bulk (a child process): the members, all on daily digests, in open groups, each
   following a group, a tag and three discussions; new discussions, replies and upcoming
   events; @mentions for some; one member in ten with nothing new;
3. runs the digests (another child process, so its peak memory is the run's own): every batch
   through ``subscriptions.digests.send_batch`` as ``digest_batch`` does, counting the queries
   of each batch; each batch's emails are then delivered through the outbox (eager
   ``deliver_emails``) to the locmem backend;
4. runs it again with ``manage.py send_digests --frequency daily``: it must queue nothing;
5. drops the database, also on Ctrl-C or an error.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    PYTHON,
    ROOT,
    bench_env,
    create_database,
    drop_database,
    shield_cleanup,
    unwind_on_signals,
)

DB_NAME = "sbs_bench_digests"
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"
TARGET_SECONDS = 60
GROUPS = 100
TAGS = 50
FOLLOWED_DISCUSSIONS = 2000  # each member follows three of them
REPLIES_EACH = 3  # new replies in each followed discussion
QUIET_EVERY = 10  # one member in ten has nothing new
MENTION_EVERY = 7  # one member in seven was @mentioned


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbysocial.settings")
    import django

    django.setup()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- Seeding (child process) -----------------------------------------------------------------


def seed(members: int) -> None:
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from taggit.models import Tag, TaggedItem

    from discussions.models import Discussion, Reply
    from events.models import Event
    from groups.models import Group, Membership
    from members.models import User
    from subscriptions.models import Follow, Notification

    started = time.perf_counter()
    now = timezone.now()
    size = 2000  # rows per INSERT

    authors = User.objects.bulk_create(
        User(username=f"author{i:03d}", email=f"author{i:03d}@example.org") for i in range(100)
    )
    people = User.objects.bulk_create(
        (
            User(
                username=f"member{i:05d}",
                email=f"member{i:05d}@example.org",
                digest_frequency="daily",
            )
            for i in range(members)
        ),
        batch_size=size,
    )
    groups = Group.objects.bulk_create(
        Group(
            name=f"Local group {i:03d}",
            slug=f"local-group-{i:03d}",
            kind="open",
            created_by=authors[i % len(authors)],
            last_activity_at=now,
        )
        for i in range(GROUPS)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"topic {i:02d}", slug=f"topic-{i:02d}") for i in range(TAGS)
    )

    def discussion(title: str, author, group=None) -> Discussion:
        return Discussion(
            title=title,
            slug=re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
            body=f"About {title}.",
            body_html=f"<p>About {title}.</p>",
            author=author,
            group=group,
            last_activity_at=now,
        )

    followed = Discussion.objects.bulk_create(
        (
            discussion(f"Thread {i:04d}", authors[i % len(authors)])
            for i in range(FOLLOWED_DISCUSSIONS)
        ),
        batch_size=size,
    )
    Discussion.objects.bulk_create(  # one new discussion in each group
        discussion(f"News from group {i:03d}", authors[i % len(authors)], groups[i])
        for i in range(GROUPS)
    )
    tagged = Discussion.objects.bulk_create(
        discussion(f"Tagged {i:03d}", authors[i % len(authors)]) for i in range(2 * TAGS)
    )
    (old,) = Discussion.objects.bulk_create([discussion("Old thread", authors[0])])
    content_type = ContentType.objects.get_for_model(Discussion)
    TaggedItem.objects.bulk_create(
        TaggedItem(content_type=content_type, object_id=d.pk, tag=tags[i % TAGS])
        for i, d in enumerate(tagged)
    )
    Reply.objects.bulk_create(
        (
            Reply(
                discussion=d,
                author=authors[(i + n + 1) % len(authors)],
                position=n,
                body=f"Reply {n} in {d.title}: what worked for us was a weekly surgery.",
                body_html=f"<p>Reply {n} in {d.title}</p>",
            )
            for i, d in enumerate([*followed, old])
            for n in range(1, REPLIES_EACH + 1)
        ),
        batch_size=size,
    )
    Discussion.objects.filter(pk__in=[d.pk for d in followed] + [old.pk]).update(
        reply_total=REPLIES_EACH, reply_count=REPLIES_EACH
    )
    three_days_ago = now - timedelta(days=3)
    Discussion.objects.filter(pk=old.pk).update(created=three_days_ago)
    Reply.objects.filter(discussion=old).update(created=three_days_ago)
    Event.objects.bulk_create(
        Event(
            title=f"Surgery {i:03d}",
            slug=f"surgery-{i:03d}",
            created_by=authors[0],
            group=g,
            starts_at=now + timedelta(days=3, hours=i % 24),
            ends_at=now + timedelta(days=3, hours=i % 24 + 2),
            capacity=30,
        )
        for i, g in enumerate(groups)
    )

    busy = [p for i, p in enumerate(people) if i % QUIET_EVERY]
    quiet = [p for i, p in enumerate(people) if not i % QUIET_EVERY]
    follows = []
    for i, person in enumerate(busy):
        follows.append(Follow(member=person, group=groups[i % GROUPS]))
        follows.append(Follow(member=person, tag=tags[i % TAGS]))
        follows.extend(
            Follow(member=person, discussion=followed[(i * 3 + k) % FOLLOWED_DISCUSSIONS])
            for k in range(3)
        )
    follows.extend(Follow(member=person, discussion=old) for person in quiet)
    Follow.objects.bulk_create(follows, batch_size=size)
    Membership.objects.bulk_create(
        (
            Membership(group=groups[i % GROUPS], member=person, state="active")
            for i, person in enumerate(busy)
        ),
        batch_size=size,
    )
    Notification.objects.bulk_create(
        (
            Notification(
                recipient=person,
                kind=Notification.Kind.MENTION,
                actor=authors[1],
                discussion=followed[(i * 3) % FOLLOWED_DISCUSSIONS],
                delivery="digest",
            )
            for i, person in enumerate(busy)
            if not i % MENTION_EVERY
        ),
        batch_size=size,
    )
    print(
        f"  seeded {members:,} members ({len(busy):,} with news, {len(quiet):,} without), "
        f"{len(follows):,} follows, {Discussion.objects.count():,} discussions, "
        f"{Reply.objects.count():,} replies, {GROUPS} groups with an event each, in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


# --- The run (child process) -----------------------------------------------------------------


def run(members: int) -> None:
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from subscriptions import digests
    from subscriptions.models import DigestDelivery, OutgoingEmail

    expected = members - len(range(0, members, QUIET_EVERY))
    rss_before = _rss_mib()
    mail.outbox = []

    started = time.perf_counter()
    period, since = digests.period_of("daily")
    ids = digests.recipient_ids("daily")
    batches = digests.batches(ids)
    batch_queries, delivery_queries = [], 0
    queued = delivered = 0
    queue_seconds = deliver_seconds = 0.0
    for n, batch in enumerate(batches, start=1):
        connection.queries_log.clear()  # it keeps only 9,000: counts would stop at the cap
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as everything:
            # The outer transaction holds back the after-commit delivery, as a real worker
            # does (it is another task), so the batch's own queries are counted apart.
            with transaction.atomic():
                with CaptureQueriesContext(connection) as own:
                    queued += digests.send_batch(
                        member_ids=batch, frequency="daily", period=period, since=since
                    )
                t1 = time.perf_counter()
        t2 = time.perf_counter()
        batch_queries.append(len(own))
        delivery_queries += len(everything) - len(own)
        queue_seconds += t1 - t0
        deliver_seconds += t2 - t1
        delivered += len(mail.outbox)
        mail.outbox.clear()  # count, then let go: the locmem list is not the run's memory
        if n % 50 == 0 or n == len(batches):
            print(
                f"  {n}/{len(batches)} batches, {queued:,} queued, {delivered:,} delivered, "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    unsent = OutgoingEmail.objects.filter(kind="digest", sent_at__isnull=True).count()
    markers = DigestDelivery.objects.filter(period=period).count()

    out = io.StringIO()
    t0 = time.perf_counter()
    call_command("send_digests", frequency="daily", stdout=out)
    again_seconds = time.perf_counter() - t0
    again = re.search(r"Done: queued (\d+)", out.getvalue())
    again_queued = int(again.group(1)) if again else -1
    again_delivered = len(mail.outbox)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    # The first batch also fills Django's ContentType cache (taggit's prefetch): one more.
    first, rest = batch_queries[0], batch_queries[1:] or batch_queries
    low, high = min(rest), max(rest)
    print()
    print(
        f"  members on daily digests:   {len(ids):,} in {len(batches)} batches "
        f"of {digests.BATCH_SIZE}"
    )
    print(
        f"  total time:                 {total:.1f} s (queue {queue_seconds:.1f} s, "
        f"deliver {deliver_seconds:.1f} s)  target < {TARGET_SECONDS} s: "
        f"{verdict(total < TARGET_SECONDS)}"
    )
    print(
        f"  queries per batch:          {low}..{high} after the first ({first}; last batch "
        f"{len(batches[-1])} members): constant {verdict(low == high)}; delivery "
        f"{delivery_queries / max(delivered, 1):.1f} per email"
    )
    print(f"  peak memory (ru_maxrss):    {peak:.0f} MiB (RSS before the run {rss_before:.0f} MiB)")
    print(
        f"  digests queued:             {queued:,} (expected {expected:,}: "
        f"{verdict(queued == expected)}); delivered {delivered:,}, unsent {unsent}, "
        f"markers {markers:,}"
    )
    print(
        f"  second run (send_digests):  queued {again_queued}, delivered {again_delivered} "
        f"in {again_seconds:.1f} s: {verdict(again_queued == 0 and again_delivered == 0)}"
    )


# --- Driver ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000, help="members on daily digests")
    parser.add_argument("--child", choices=["seed", "run"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _django()
        (seed if args.child == "seed" else run)(args.members)
        return 0

    unwind_on_signals()
    with tempfile.TemporaryDirectory(prefix="sbs-bench-digests-") as tmp:
        env = bench_env(DB_NAME, Path(tmp) / "var", EMAIL_BACKEND=LOCMEM_EMAIL)
        try:
            print(f"Database {DB_NAME}: drop and create, migrate", flush=True)
            create_database(DB_NAME)
            subprocess.run(
                [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            print(f"Seeding {args.members:,} members", flush=True)
            for child in ("seed", "run"):
                if child == "run":
                    print("Daily digests (batches in-process, emails to locmem)", flush=True)
                subprocess.run(
                    [PYTHON, __file__, "--child", child, "--members", str(args.members)],
                    cwd=ROOT,
                    env=env,
                    check=True,
                )
        finally:
            shield_cleanup()
            drop_database(DB_NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())

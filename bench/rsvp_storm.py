"""RSVP storm: 200 members RSVP to a 30-place event at once, over HTTP, gunicorn on PostgreSQL.

A measurement, not a test: it always exits 0 unless the set-up itself fails.

    .venv/bin/python bench/rsvp_storm.py

What it does (see bench/README.md):

1. drops and re-creates its own PostgreSQL database ``sbs_bench_rsvp`` (127.0.0.1:5432, user
   postgres) and migrates it;
2. seeds 200 members (all with one usable password) and one event with 30 places a week ahead
   through ``events.services.event_create``, and logs every member in on the server side (a
   session per member through ``django.contrib.auth.login``), because allauth's login rate
   limit (30 a minute per IP) would throttle 200 logins over HTTP from one address;
3. starts ``gunicorn socialbysocial.wsgi`` with gthread workers (4 x 8 threads by default);
4. each member GETs the event page once (proves the session works, gives the CSRF cookie and
   form token); not measured;
5. the storm: one thread per member waits on a barrier, then each POSTs
   ``/events/<pk>/rsvp/`` with ``guests=0`` on its own connection, all released together;
   a 302 back to the event page is success (redirects are not followed). Per-request latency
   and the time to settle (first send to last response) are measured;
6. counts in the database (in a child process): going, waitlisted, seats taken, whether the
   queue numbers are exactly 1..170;
7. stops gunicorn and drops the database (also on Ctrl-C or an error).

Django is set up only in child processes of this script (``--seed-into``, ``--count-into``),
with the benchmark's environment, never in the measuring process.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from _common import (
    HOST,
    PYTHON,
    ROOT,
    Visitor,
    bench_env,
    create_database,
    drop_database,
    free_port,
    percentile,
    request,
    shield_cleanup,
    start_gunicorn,
    stop,
    unwind_on_signals,
    wait_healthy,
)

DB_NAME = "sbs_bench_rsvp"
MEMBER_PASSWORD = "bench-pass-2026"  # noqa: S105 -- throwaway members in a throwaway database
LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"
# PostgreSQL allows 100 connections; each gunicorn thread keeps one (CONN_MAX_AGE=60).
MAX_SERVER_THREADS = 40


# --- Children: seeding and counting (Django set up with the benchmark's environment) --------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbysocial.settings")
    import django

    django.setup()


def seed(out_file: str, members: int, capacity: int) -> None:
    setup_django()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import login
    from django.contrib.auth.hashers import make_password
    from django.http import HttpRequest
    from django.utils import timezone

    from events import services
    from members.models import User

    started = time.perf_counter()
    # One usable password for everybody, hashed once: PBKDF2 per member would take minutes.
    password = make_password(MEMBER_PASSWORD)
    organiser = User.objects.create_user(
        username="organiser", email="organiser@example.org", display_name="Bench Organiser"
    )
    people = []
    for i in range(members):
        user = User.objects.create_user(
            username=f"member{i:03d}",
            email=f"member{i:03d}@example.org",
            display_name=f"Member Number {i}",
            organisation="Bench Trust",
        )
        user.password = password
        user.save(update_fields=["password"])
        people.append(user)
    print(f"  {len(people)} members ({time.perf_counter() - started:.1f} s)", flush=True)

    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=7)
    event = services.event_create(
        created_by=organiser,
        title="The RSVP storm",
        description="Thirty places, two hundred people, one moment.",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        venue_name="The Bench Hall",
        capacity=capacity,
    )
    print(f"  event {event.pk}: capacity {event.capacity}, starts {starts_at:%Y-%m-%d %H:%M}")

    # A real login (session rotation, auth hash, user_logged_in) without the HTTP round trip.
    engine = import_module(settings.SESSION_ENGINE)
    sessions = []
    for user in people:
        req = HttpRequest()
        req.session = engine.SessionStore()
        login(req, user, backend="django.contrib.auth.backends.ModelBackend")
        req.session.save()
        sessions.append({"username": user.username, "session": req.session.session_key})
    print(f"  {len(sessions)} sessions ({time.perf_counter() - started:.1f} s)", flush=True)
    Path(out_file).write_text(
        json.dumps(
            {
                "event": event.pk,
                "url": event.get_absolute_url(),
                "capacity": event.capacity,
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "csrf_cookie": settings.CSRF_COOKIE_NAME,
                "members": sessions,
            }
        )
    )


def count(out_file: str, event_pk: int) -> None:
    setup_django()
    from django.db.models import Count, Max, Min

    from events import services
    from events.models import Event, Rsvp, RsvpLog

    event = Event.objects.get(pk=event_pk)
    seats = services.seats(event)
    rsvps = list(
        Rsvp.objects.filter(event=event)
        .order_by("pk")
        .values_list("pk", "state", "queue_number", "member_id")
    )
    going = [pk for pk, state, _, _ in rsvps if state == Rsvp.State.GOING]
    waiting = [(pk, queue) for pk, state, queue, _ in rsvps if state == Rsvp.State.WAITLISTED]
    decided = RsvpLog.objects.filter(event=event).aggregate(
        first=Min("created"), last=Max("created")
    )
    log = dict(
        RsvpLog.objects.filter(event=event)
        .values("action")
        .annotate(n=Count("pk"))
        .values_list("action", "n")
    )
    Path(out_file).write_text(
        json.dumps(
            {
                "rsvps": len(rsvps),
                "members": len({member for _, _, _, member in rsvps}),
                "going": len(going),
                "waitlisted": len(waiting),
                "taken": seats.taken,
                "capacity": seats.capacity,
                "queue": sorted(queue for _, queue in waiting),
                "queue_counter": event.queue_counter,
                # Rows are inserted in the order the event lock was granted: the first to get
                # the lock should get the places, and the queue should follow the same order.
                "places_first": not going or not waiting or max(going) < min(waiting)[0],
                "queue_in_row_order": [q for _, q in waiting] == sorted(q for _, q in waiting),
                "log": log,
                # Decisions are logged inside the locked transaction: their span is how long
                # the event row was the queue everybody waited in.
                "decisions_span": (
                    (decided["last"] - decided["first"]).total_seconds() if decided["first"] else 0
                ),
            }
        )
    )


# --- The storm -------------------------------------------------------------------------------


@dataclass
class Member:
    username: str
    visitor: Visitor
    token: str = ""


@dataclass
class Outcome:
    started: float
    ended: float
    status: int | None
    error: str | None


def prepare(port: int, member: Member, event_url: str, rsvp_path: str) -> None:
    """GET the event page as the member: the RSVP form must be there (so the session works);
    keep the CSRF cookie and the form's token, as a browser would."""
    status, page, _, _ = request(port, member.visitor, "GET", event_url)
    form = re.search(rb'action="' + re.escape(rsvp_path.encode()) + rb'"', page)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not form or not token:
        raise RuntimeError(
            f"event page as {member.username}: HTTP {status}, RSVP form {bool(form)}, "
            f"CSRF token {bool(token)}: is the session logged in?"
        )
    member.token = token.group(1).decode()


def storm(port: int, members: list[Member], event_url: str, rsvp_path: str) -> list[Outcome]:
    """One thread per member; all wait on a barrier, then each sends its RSVP at once."""
    barrier = threading.Barrier(len(members))
    outcomes: list[Outcome | None] = [None] * len(members)
    origin = f"http://{HOST}:{port}"

    def fire(i: int) -> None:
        member = members[i]
        body = urlencode({"csrfmiddlewaretoken": member.token, "guests": "0"}).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + event_url,
        }
        barrier.wait()
        started = time.perf_counter()
        status, error = None, None
        try:
            status, _, _, response = request(
                port, member.visitor, "POST", rsvp_path, body=body, **headers
            )
            location = response.headers.get("Location", "")
            if status != 302:
                error = f"HTTP {status}"
            elif location != event_url:  # e.g. to the login page: not an RSVP
                error = f"302 to {location}"
        except Exception as exc:  # noqa: BLE001 -- every failure is counted and reported
            error = repr(exc)
        outcomes[i] = Outcome(started, time.perf_counter(), status, error)

    threads = [threading.Thread(target=fire, args=(i,), daemon=True) for i in range(len(members))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [o for o in outcomes if o is not None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=200, help="RSVPs in the storm")
    parser.add_argument("--capacity", type=int, default=30, help="places at the event")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads per worker")
    parser.add_argument(
        "--outbox",
        action="store_true",
        help="send the RSVP emails with the development backend (console + files under "
        f"VAR_DIR/outbox) instead of {LOCMEM_EMAIL}",
    )
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)
    parser.add_argument("--count-into", help=argparse.SUPPRESS)
    parser.add_argument("--event", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_into:
        seed(args.seed_into, args.members, args.capacity)
        return 0
    if args.count_into:
        count(args.count_into, args.event)
        return 0
    server_threads = args.workers * args.threads
    if server_threads > MAX_SERVER_THREADS:
        parser.error(
            f"--workers x --threads = {server_threads}: keep it at most {MAX_SERVER_THREADS}, "
            "each thread holds a PostgreSQL connection (max_connections is 100)"
        )

    unwind_on_signals()  # Ctrl-C and SIGTERM both unwind through the finally blocks below

    workdir = Path(tempfile.mkdtemp(prefix="sbs-bench-rsvp-"))
    env = bench_env(DB_NAME, workdir / "var")
    if not args.outbox:
        env["EMAIL_BACKEND"] = LOCMEM_EMAIL
    email_name = "development outbox (files)" if args.outbox else "locmem"

    gunicorn = None
    log = workdir / "gunicorn.log"
    try:
        print(f"Database {DB_NAME}: drop and create, migrate", flush=True)
        create_database(DB_NAME)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        print(
            f"Seeding {args.members} members, one event with {args.capacity} places, "
            "a session per member",
            flush=True,
        )
        seed_file = workdir / "seed.json"
        subprocess.run(
            [
                PYTHON,
                __file__,
                "--seed-into",
                str(seed_file),
                "--members",
                str(args.members),
                "--capacity",
                str(args.capacity),
            ],
            cwd=ROOT,
            env=env,
            check=True,
        )
        seeded = json.loads(seed_file.read_text())
        event_url, rsvp_path = seeded["url"], f"/events/{seeded['event']}/rsvp/"

        port = free_port()
        gunicorn = start_gunicorn(
            env,
            port,
            log,
            "--worker-class",
            "gthread",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
        )
        wait_healthy(port, gunicorn, log)
        print(
            f"gunicorn {args.workers} gthread workers x {args.threads} threads, "
            f"http://{HOST}:{port}",
            flush=True,
        )

        members = [
            Member(m["username"], Visitor(m["username"], {seeded["session_cookie"]: m["session"]}))
            for m in seeded["members"]
        ]
        print(f"Each member GETs {event_url} (session check, CSRF token)", flush=True)
        with ThreadPoolExecutor(max_workers=min(16, server_threads)) as pool:
            list(pool.map(lambda m: prepare(port, m, event_url, rsvp_path), members))
        if not all(seeded["csrf_cookie"] in m.visitor.cookies for m in members):
            raise RuntimeError("a member got no CSRF cookie from the event page")

        print(f"Storm: {len(members)} POSTs to {rsvp_path}, released together", flush=True)
        outcomes = storm(port, members, event_url, rsvp_path)

        count_file = workdir / "count.json"
        subprocess.run(
            [PYTHON, __file__, "--count-into", str(count_file), "--event", str(seeded["event"])],
            cwd=ROOT,
            env=env,
            check=True,
        )
        counts = json.loads(count_file.read_text())
        report(outcomes, counts, args, email_name, log)
    finally:
        shield_cleanup()
        if gunicorn is not None:
            stop(gunicorn)
        try:
            drop_database(DB_NAME)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"gunicorn stopped, database {DB_NAME} dropped")
    return 0


def report(outcomes: list[Outcome], counts: dict, args, email_name: str, log: Path) -> None:
    n = len(outcomes)
    walls = [o.ended - o.started for o in outcomes]
    settle = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    spread = max(o.started for o in outcomes) - min(o.started for o in outcomes)
    errors = [o for o in outcomes if o.error]
    capacity = counts["capacity"]
    expected_wait = args.members - capacity
    verdicts: list[bool] = []

    def row(label: str, value: str, ok: bool | None = None, target: str = "") -> None:
        if ok is not None:
            verdicts.append(ok)
            target = f"{'PASS' if ok else 'MISS'} ({target})"
        print(f"{label:<22} {value:<26} {target}".rstrip())

    print()
    print(
        f"RSVP storm: {args.members} members, one POST each, guests=0; event capacity "
        f"{capacity}, waitlist on"
    )
    print(
        f"Server: gunicorn {args.workers} gthread workers x {args.threads} threads = "
        f"{args.workers * args.threads} requests at once; PostgreSQL; Celery eager; "
        f"email {email_name}"
    )
    print("-" * 78)
    row("requests", f"{n} ({n} client threads)")
    row("sends spread", f"{spread * 1000:.1f} ms (first to last send)")
    row("time to settle", f"{settle:.2f} s (first send to last reply)")
    row("throughput", f"{n / settle:.0f} RSVPs/s")
    row(
        "latency p50/p95/max",
        f"{percentile(walls, 0.5) * 1000:.0f} / {percentile(walls, 0.95) * 1000:.0f} / "
        f"{max(walls) * 1000:.0f} ms",
    )
    row("errors", str(len(errors)), not errors, "target 0")
    for error, times in Counter(o.error for o in errors).most_common(5):
        print(f"{'':<22}   {times} x {error}")
    row("going", str(counts["going"]), counts["going"] == capacity, f"exactly {capacity}")
    row("seats taken", str(counts["taken"]), counts["taken"] == capacity, f"= capacity {capacity}")
    row(
        "waitlisted",
        str(counts["waitlisted"]),
        counts["waitlisted"] == expected_wait,
        f"exactly {expected_wait}",
    )
    queue = counts["queue"]
    contiguous = queue == list(range(1, expected_wait + 1))
    shown = f"{queue[0]}..{queue[-1]}" if queue else "none"
    row(
        "queue numbers",
        f"{shown}, {len(set(queue))} distinct",
        contiguous,
        f"exactly 1..{expected_wait}",
    )
    row(
        "RSVP rows",
        f"{counts['rsvps']} for {counts['members']} members",
        counts["rsvps"] == args.members,
        f"one per member, {args.members}",
    )
    print(
        f"{'arrival order':<22} places to the first rows: {yes(counts['places_first'])}; "
        f"queue in row order: {yes(counts['queue_in_row_order'])}"
    )
    print(f"{'decision log':<22} {', '.join(f'{k} {v}' for k, v in sorted(counts['log'].items()))}")
    decisions = sum(counts["log"].values())
    if decisions > 1:
        span = counts["decisions_span"]
        print(
            f"{'decisions span':<22} {span:.2f} s from first to last logged decision, "
            f"{span * 1000 / (decisions - 1):.1f} ms apart (one at a time, under the row lock)"
        )
    if errors:
        problems = [
            line for line in log.read_text().splitlines() if "Error" in line or "Traceback" in line
        ]
        if problems:
            print("gunicorn log (errors, first 10 lines):")
            for line in problems[:10]:
                print("  " + line)
    print()
    print(
        f"Overall: {'PASS' if all(verdicts) else 'MISS'} "
        f"({sum(verdicts)}/{len(verdicts)} targets met). A measurement: exit status is 0."
    )


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted (cleaned up).")

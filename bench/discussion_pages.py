"""App CPU per request for a 1,000-reply discussion, served by gunicorn on PostgreSQL.

A measurement, not a test: it always exits 0 unless the set-up itself fails.

    .venv/bin/python bench/discussion_pages.py            # local-memory cache per worker
    .venv/bin/python bench/discussion_pages.py --redis    # the shared cache in Redis db 14

What it does (see bench/README.md):

1. drops and re-creates its own PostgreSQL database ``sbs_bench`` (127.0.0.1:5432, user
   postgres) and migrates it;
2. seeds ~20 members and one discussion with 1,000 replies through the real services;
3. starts ``gunicorn socialbysocial.wsgi --workers 1`` on a free port and waits for /healthz;
4. for /healthz, page 1 and page 20 of the discussion, as an anonymous visitor and as a
   logged-in member, reads the worker's utime+stime from /proc/<pid>/stat around N sequential
   requests (after a warm-up) and reports CPU ms per request, its ratio to /healthz and the
   client-side wall-clock p50/p95;
5. stops gunicorn and drops the database (also on Ctrl-C or an error).

The seeding runs in a child process of this script (``--seed-into FILE``) so Django is set up
with the benchmark's environment and never in the measuring process.
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
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    HOST,
    PYTHON,
    ROOT,
    Visitor,
    bench_env,
    children_of,
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

DB_NAME = "sbs_bench"
REDIS_URL = "redis://127.0.0.1:6379/14"

MEMBERS = 20
REPLIES = 1000
MEMBER_PASSWORD = "bench-pass-2026"  # noqa: S105 -- a throwaway member in a throwaway database
CLK_TCK = os.sysconf("SC_CLK_TCK")

TARGET_RATIO = 3.0  # discussion pages cost at most 3x /healthz
TARGET_DEEP_PAGE = 0.10  # page 20 within 10% of page 1


# --- Seeding (runs in a child process with the benchmark's environment) ---------------------


def seed(out_file: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbysocial.settings")
    import django

    django.setup()
    from discussions import services
    from members.models import User

    started = time.perf_counter()
    # Only the member who logs in gets a (slow, PBKDF2) password.
    members = [
        User.objects.create_user(
            username=f"member{i:02d}",
            email=f"member{i:02d}@example.org",
            password=MEMBER_PASSWORD if i == 1 else None,
            display_name=f"Member Number {i}",
            organisation="Bench Trust",
        )
        for i in range(MEMBERS)
    ]
    print(f"  {len(members)} members", flush=True)
    discussion = services.discussion_create(
        author=members[0],
        title="How do we measure what a page costs?",
        body=(
            "We want every discussion page to cost about what **the health check** costs.\n\n"
            "- cache what is shared\n- fill in what is personal\n\n"
            "See [the guide](https://example.org/guide) for the details."
        ),
        tags=["performance", "benchmarks", "django"],
    )
    replies = []
    for n in range(1, REPLIES + 1):
        body = (
            f"Reply number {n}. I agree with *most* of this, and here is why:\n\n"
            f"1. the first point, with `code` and a [link](https://example.org/{n})\n"
            "2. the second point, which is a little longer so that the paragraph wraps on "
            "a normal screen and the page looks like a real thread\n\n"
            "> a quoted line from earlier in the thread\n\n"
            "Thanks for starting this."
        )
        in_reply_to = replies[n // 3] if n % 5 == 0 and replies else None
        replies.append(
            services.reply_create(
                discussion=discussion,
                author=members[n % MEMBERS],
                body=body,
                in_reply_to=in_reply_to,
            )
        )
        if n % 100 == 0:
            print(f"  {n} replies ({time.perf_counter() - started:.1f} s)", flush=True)
    discussion.refresh_from_db()
    Path(out_file).write_text(
        json.dumps(
            {
                "url": discussion.get_absolute_url(),
                "reply_total": discussion.reply_total,
                "member": members[1].username,
            }
        )
    )


# --- Redis, CPU, logging in ------------------------------------------------------------------


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(utime + stime in clock ticks, start time) of a process, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the ")": state is fields[0], so utime (field 14) is fields[11], stime fields[12],
    # starttime (field 22) fields[19].
    return int(fields[11]) + int(fields[12]), int(fields[19])


def log_in(port: int, visitor: Visitor, username: str) -> None:
    status, page, _, _ = request(port, visitor, "GET", "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or not match:
        raise RuntimeError(f"login page: HTTP {status}, no CSRF token")
    form = (
        f"csrfmiddlewaretoken={match.group(1).decode()}&login={username}&password={MEMBER_PASSWORD}"
    ).encode()
    status, _, _, response = request(
        port,
        visitor,
        "POST",
        "/accounts/login/",
        body=form,
        **{
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{port}/accounts/login/",
        },
    )
    if status != 302 or "sessionid" not in visitor.cookies:
        raise RuntimeError(f"login failed: HTTP {status}, cookies {sorted(visitor.cookies)}")


# --- Measuring -------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    visitor: Visitor
    path: str
    ticks: int = 0
    count: int = 0
    walls: list[float] = field(default_factory=list)
    size: int = 0

    @property
    def cpu_ms(self) -> float:
        return self.ticks * 1000 / CLK_TCK / self.count

    def wall_ms(self, q: float) -> float:
        return percentile(self.walls, q) * 1000


def run_batch(port: int, worker: int, result: Result, n: int, marker: bytes | None) -> None:
    before, started_at = cpu_ticks(worker)
    walls = []
    for _ in range(n):
        status, body, wall, _ = request(port, result.visitor, "GET", result.path)
        if status != 200 or (marker is not None and marker not in body):
            raise RuntimeError(f"{result.path} as {result.visitor.name}: HTTP {status}")
        walls.append(wall)
        result.size = len(body)
    after, started_again = cpu_ticks(worker)
    if started_again != started_at:
        raise RuntimeError("the gunicorn worker was replaced during a batch")
    result.ticks += after - before
    result.count += n
    result.walls += walls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--redis", action="store_true", help=f"use the cache at {REDIS_URL}")
    parser.add_argument("-n", "--requests", type=int, default=300, help="measured per row")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests per row")
    parser.add_argument(
        "--rounds", type=int, default=3, help="split each row's requests into interleaved rounds"
    )
    parser.add_argument(
        "--healthz-factor",
        type=int,
        default=10,
        help="measure /healthz with this many times more requests: it is the divisor of every "
        "ratio and costs only a few clock ticks per batch otherwise",
    )
    parser.add_argument("--seed-into", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_into:
        seed(args.seed_into)
        return 0

    unwind_on_signals()  # Ctrl-C and SIGTERM both unwind through the finally blocks below

    workdir = Path(tempfile.mkdtemp(prefix="sbs-bench-"))
    env = bench_env(DB_NAME, workdir / "var")
    if args.redis:
        env["REDIS_URL"] = REDIS_URL
    cache_name = f"Redis ({REDIS_URL})" if args.redis else "local memory, per worker"

    gunicorn = None
    try:
        print(f"Database {DB_NAME}: drop and create, migrate", flush=True)
        create_database(DB_NAME)
        if args.redis:
            flush_redis()
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        print(f"Seeding {MEMBERS} members and {REPLIES} replies through the services", flush=True)
        seed_file = workdir / "seed.json"
        subprocess.run(
            [PYTHON, __file__, "--seed-into", str(seed_file)], cwd=ROOT, env=env, check=True
        )
        seeded = json.loads(seed_file.read_text())
        thread = seeded["url"]

        port = free_port()
        log = workdir / "gunicorn.log"
        gunicorn = start_gunicorn(env, port, log, "--workers", "1")
        wait_healthy(port, gunicorn, log)
        workers = children_of(gunicorn.pid)
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        worker = workers[0]
        print(f"gunicorn master {gunicorn.pid}, worker {worker}, http://{HOST}:{port}")

        anonymous = Visitor("anonymous")
        member = Visitor(f"member ({seeded['member']})")
        log_in(port, member, seeded["member"])

        results = []
        for visitor in (anonymous, member):
            results += [
                Result("/healthz", visitor, "/healthz"),
                Result("page 1", visitor, thread),
                Result("page 20", visitor, f"{thread}?page=20"),
            ]
        # Each page must really be the page asked for (a reply of that page is on it).
        markers = {"/healthz": b"ok", "page 1": b"Reply number 1.", "page 20": b"Reply number 951."}
        print(
            f"Warm-up {args.warmup}, then {args.requests} measured requests per row "
            f"in {args.rounds} interleaved rounds",
            flush=True,
        )
        for result in results:
            for _ in range(args.warmup):
                request(port, result.visitor, "GET", result.path)
        per_round = [args.requests // args.rounds] * args.rounds
        per_round[-1] += args.requests - sum(per_round)
        for n in per_round:
            for result in results:
                factor = args.healthz_factor if result.label == "/healthz" else 1
                run_batch(port, worker, result, n * factor, markers[result.label])

        report(results, args, cache_name, seeded)
    finally:
        shield_cleanup()
        if gunicorn is not None:
            stop(gunicorn)
        try:
            drop_database(DB_NAME)
            if args.redis:
                flush_redis()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        print(f"gunicorn stopped, database {DB_NAME} dropped")
    return 0


def report(results: list[Result], args, cache_name: str, seeded: dict) -> None:
    # utime+stime is read in whole clock ticks: each round can be off by up to one tick.
    tick_ms = 1000 / CLK_TCK
    pages_err = args.rounds * tick_ms / args.requests
    healthz_err = pages_err / args.healthz_factor
    print()
    print(
        f"Discussion with {seeded['reply_total']} replies; cache: {cache_name}; "
        "1 gunicorn sync worker"
    )
    print(
        f"CPU = worker utime+stime (/proc/<pid>/stat, {tick_ms:g} ms ticks): pages "
        f"{args.requests} requests (+-{pages_err:.3f} ms/req), /healthz "
        f"{args.requests * args.healthz_factor} (+-{healthz_err:.4f} ms/req)"
    )
    header = f"{'URL':<10} {'visitor':<18} {'CPU ms/req':>10} {'x healthz':>9} "
    header += f"{'wall p50':>9} {'wall p95':>9} {'bytes':>7}  target"
    print(header)
    print("-" * len(header))
    verdicts = []
    by_visitor: dict[str, dict[str, Result]] = {}
    for r in results:
        by_visitor.setdefault(r.visitor.name, {})[r.label] = r
    for name, rows in by_visitor.items():
        base = rows["/healthz"].cpu_ms
        for label, r in rows.items():
            ratio = r.cpu_ms / base if base else float("inf")
            target = ""
            if label != "/healthz":
                ok = ratio <= TARGET_RATIO
                verdicts.append(ok)
                target = f"{'PASS' if ok else 'MISS'} (<= {TARGET_RATIO:g}x)"
            print(
                f"{label:<10} {name:<18} {r.cpu_ms:>10.3f} {ratio:>8.2f}x "
                f"{r.wall_ms(0.5):>7.2f}ms {r.wall_ms(0.95):>7.2f}ms {r.size:>7}  {target}"
            )
        p1, p20 = rows["page 1"].cpu_ms, rows["page 20"].cpu_ms
        diff = (p20 - p1) / p1 if p1 else 0.0
        ok = abs(diff) <= TARGET_DEEP_PAGE or p20 <= p1
        verdicts.append(ok)
        print(
            f"{'':<10} {name:<18} page 20 vs page 1: {diff:+.1%}  "
            f"{'PASS' if ok else 'MISS'} (within {TARGET_DEEP_PAGE:.0%})"
        )
    print()
    print(
        f"Overall: {'PASS' if all(verdicts) else 'MISS'} "
        f"({sum(verdicts)}/{len(verdicts)} targets met). A measurement: exit status is 0."
    )


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("Interrupted (cleaned up).")

"""App CPU for the programme map with 500 programmes and about 2,000 links.

A measurement, not a test: it prints numbers and PASS/MISS against the target (1 s of app CPU
per map) and exits 0 either way unless the set-up fails.

    .venv/bin/python bench/programme_map.py              # PostgreSQL (127.0.0.1:5432, postgres)
    .venv/bin/python bench/programme_map.py --sqlite     # a throwaway SQLite file instead
    .venv/bin/python bench/programme_map.py -n 10        # requests to time (default 5)

What it does (see bench/README.md): creates its own database (``sbs_bench_programmes``;
nothing else is touched), migrates it, seeds 500 listed programmes whose shared themes,
funders and people make about 2,000 links, then fetches ``/programmes/map/`` in-process with
Django's test client (DEBUG off) and reads this process's CPU time (user + system) around each
request. It also times the parts: loading the facts, the layout, and drawing the SVG, matrix
and table. The database is dropped at the end, also after an error.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DB_NAME = "sbs_bench_programmes"
TARGET_SECONDS = 1.0
PROGRAMMES = 500
THEMES = 250  # two themes each: ~4 programmes per theme
FUNDERS = 125  # one funder each: 4 programmes per funder
PEOPLE = 100  # one confirmed person on each of 400 programmes: 4 per person


def _pg(sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", **PG)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def _environment(args, tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update({"DJANGO_ENV": "development", "DEBUG": "false", "VAR_DIR": tmp})
    if args.sqlite:
        env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    else:
        env["DATABASE_URL"] = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{DB_NAME}"
    return env


def seed() -> None:
    """500 programmes, their themes, funders and people, in bulk (a few seconds)."""
    from django.utils import timezone
    from taggit.models import Tag

    from members.models import User
    from programmes.models import Organisation, Programme, ProgrammeRole, ProgrammeTheme

    started = time.perf_counter()
    now = timezone.now()
    tags = Tag.objects.bulk_create(
        Tag(name=f"theme {i:03d}", slug=f"theme-{i:03d}") for i in range(THEMES)
    )
    orgs = Organisation.objects.bulk_create(
        Organisation(name=f"Funder {i:03d}", slug=f"funder-{i:03d}") for i in range(FUNDERS)
    )
    people = User.objects.bulk_create(
        User(username=f"person{i:03d}", email=f"person{i:03d}@example.org") for i in range(PEOPLE)
    )
    programmes = Programme.objects.bulk_create(
        Programme(
            name=f"Programme {i:03d}",
            slug=f"programme-{i:03d}",
            summary=f"Programme {i} helps local groups",
            description=f"Programme {i} helps local groups use websites and social media.",
            description_html=f"<p>Programme {i} helps local groups.</p>",
            match_text=f"programme {i} helps local groups use websites and social media",
            approved_at=now,
        )
        for i in range(PROGRAMMES)
    )
    print(f"  seeded rows: {PROGRAMMES} programmes", flush=True)
    ProgrammeTheme.objects.bulk_create(
        ProgrammeTheme(content_object=p, tag=tags[n])
        for i, p in enumerate(programmes)
        for n in (i % THEMES, (i * 7 + 1) % THEMES)  # never equal: 6i + 1 is odd
    )
    Programme.funders.through.objects.bulk_create(
        Programme.funders.through(programme=p, organisation=orgs[(i * 3) % FUNDERS])
        for i, p in enumerate(programmes)
    )
    ProgrammeRole.objects.bulk_create(
        ProgrammeRole(
            programme=p, member=people[(i * 11) % PEOPLE], role="Officer", confirmed_at=now
        )
        for i, p in enumerate(programmes[: PEOPLE * 4])
    )
    print(f"  seeded links in {time.perf_counter() - started:.1f} s", flush=True)


def measure(requests: int) -> None:
    from django.test import Client

    from programmes import network as net
    from programmes import selectors, similarity

    client = Client(HTTP_HOST="127.0.0.1")

    cpu = time.process_time  # this process's user + system CPU, finer than clock ticks

    # The parts, once each.
    t0 = cpu()
    facts = similarity.load_facts(selectors.listed_programmes(), people=True)
    t1 = cpu()
    network = net.build_network(facts)
    t2 = cpu()
    svg = net.render_svg(network, url_prefix="/programmes/")
    net.matrix(network)
    net.table_rows(network, url_prefix="/programmes/")
    t3 = cpu()
    nodes, links = len(network.facts), len(network.links)
    print(f"  map: {nodes} programmes, {links} links drawn ({network.links_total} in all)")
    print(
        f"  parts: facts {1000 * (t1 - t0):.0f} ms, links + layout {1000 * (t2 - t1):.0f} ms, "
        f"SVG + matrix + table {1000 * (t3 - t2):.0f} ms; SVG {len(svg) // 1024} KiB"
    )

    response = client.get("/programmes/map/")  # warm-up: imports, template compilation
    assert response.status_code == 200, response.status_code
    samples, walls = [], []
    for _ in range(requests):
        w0, c0 = time.perf_counter(), cpu()
        response = client.get("/programmes/map/")
        samples.append(cpu() - c0)
        walls.append(time.perf_counter() - w0)
        assert response.status_code == 200
        assert response.content.count(b'class="node"') == nodes
    median = statistics.median(samples)
    verdict = "PASS" if median < TARGET_SECONDS else "MISS"
    print(
        f"  /programmes/map/ app CPU per request: median {1000 * median:.0f} ms, "
        f"max {1000 * max(samples):.0f} ms over {requests} requests "
        f"(wall median {1000 * statistics.median(walls):.0f} ms); page "
        f"{len(response.content) // 1024} KiB"
    )
    print(f"  target < {TARGET_SECONDS:.0f} s of app CPU: {verdict}")


def child(args) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialbysocial.settings")
    import django

    django.setup()
    seed()
    measure(args.n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", action="store_true", help="use a throwaway SQLite file")
    parser.add_argument("-n", type=int, default=5, help="requests to time (default 5)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as tmp:
        env = _environment(args, tmp)
        if not args.sqlite:
            _pg(f"DROP DATABASE IF EXISTS {DB_NAME}")
            _pg(f"CREATE DATABASE {DB_NAME}")
        try:
            print(f"database: {env['DATABASE_URL']}", flush=True)
            subprocess.run(
                [python, "manage.py", "migrate", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
            command = [python, __file__, "--child", "-n", str(args.n)]
            subprocess.run(command + (["--sqlite"] if args.sqlite else []), env=env, check=True)
        finally:
            if not args.sqlite:
                _pg(f"DROP DATABASE IF EXISTS {DB_NAME}")


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: a throwaway PostgreSQL database, gunicorn, plain HTTP.

Imported as ``_common`` by the scripts in this folder (run them as scripts, e.g.
``.venv/bin/python bench/rsvp_storm.py``: the script's folder is then on ``sys.path``).
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = VENV_BIN / "python"
GUNICORN = VENV_BIN / "gunicorn"

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
HOST = "127.0.0.1"


# --- Environment -----------------------------------------------------------------------------


def database_url(db_name: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db_name}"


def bench_env(db_name: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of every child (migrate, seeding, gunicorn): development mode with
    DEBUG off, the benchmark's own database, and ``VAR_DIR`` out of the project's ``var/``."""
    env = os.environ.copy()
    for name in ("REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "LOG_LEVEL", "EMAIL_BACKEND"):
        env.pop(name, None)
    env |= {
        "DATABASE_URL": database_url(db_name),
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALLOWED_HOSTS": HOST,
        "VAR_DIR": str(var_dir),  # development mode writes here; keep it out of var/
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    return env | extra


def unwind_on_signals() -> None:
    """Ctrl-C and SIGTERM both unwind through the caller's ``finally`` blocks."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def shield_cleanup() -> None:
    """Call first in the ``finally`` block: a second Ctrl-C (or SIGTERM) must not cut the
    clean-up short and leave gunicorn running or the database behind."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


# --- Database --------------------------------------------------------------------------------


def pg_admin(*statements: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def create_database(db_name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)", f"CREATE DATABASE {db_name}")


def drop_database(db_name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


# --- Processes -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(env: dict[str, str], port: int, log: Path, *options: str) -> subprocess.Popen:
    """``gunicorn socialbysocial.wsgi`` on HOST:port with extra ``options``; output to ``log``."""
    with log.open("w") as log_out:
        return subprocess.Popen(
            [
                GUNICORN,
                "socialbysocial.wsgi",
                *options,
                "--bind",
                f"{HOST}:{port}",
                "--timeout",
                "120",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop gunicorn ourselves
        )


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) comes after the command, which is in parentheses and may hold spaces.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()  # SIGTERM to the gunicorn master: graceful stop of the workers too
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Visitor:
    name: str
    cookies: dict[str, str] = field(default_factory=dict)

    def header(self) -> dict[str, str]:
        headers = {"User-Agent": "sbs-bench/1", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def remember(self, response: http.client.HTTPResponse) -> None:
        for raw in response.headers.get_all("Set-Cookie") or []:
            for key, morsel in SimpleCookie(raw).items():
                if morsel.value and morsel.get("max-age") != "0":
                    self.cookies[key] = morsel.value
                else:
                    self.cookies.pop(key, None)


def request(
    port: int, visitor: Visitor, method: str, path: str, body: bytes | None = None, **headers
) -> tuple[int, bytes, float, http.client.HTTPResponse]:
    """One request on a fresh connection; never follows redirects.

    Returns (status, body, wall seconds including connecting, response)."""
    all_headers = visitor.header() | headers
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    wall = time.perf_counter() - started
    visitor.remember(response)
    return response.status, data, wall, response


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            status, _, _, _ = request(port, Visitor("probe"), "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    tail = log.read_text()[-3000:]
    raise RuntimeError(f"gunicorn did not answer /healthz in {timeout} s:\n{tail}")


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of ``values`` by the nearest-rank rule used in every report."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

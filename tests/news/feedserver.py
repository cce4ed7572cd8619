"""A local HTTP server for feed tests: canned responses per path, and a log of the requests
(no internet). With the ``feed_server`` fixture (tests/news/conftest.py):
``url = feed_server.route("/rss", body)``, then poll ``url``."""

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str = ""
    last_modified: str = ""
    delay: float = 0.0
    stream_bytes: int = 0  # send this many bytes of filler instead of body (no Content-Length)
    headers: dict = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        server = self.server
        server.requests.append((self.path, dict(self.headers)))
        canned = server.routes.get(self.path)
        if canned is None:
            self.send_error(404)
            return
        if canned.delay:
            time.sleep(canned.delay)
        fresh = (canned.etag and self.headers.get("If-None-Match") == canned.etag) or (
            canned.last_modified and self.headers.get("If-Modified-Since") == canned.last_modified
        )
        try:
            if fresh:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(canned.status)
            self.send_header("Content-Type", canned.content_type)
            if canned.etag:
                self.send_header("ETag", canned.etag)
            if canned.last_modified:
                self.send_header("Last-Modified", canned.last_modified)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            if canned.stream_bytes:
                self.send_header("Connection", "close")
                self.end_headers()
                chunk = b"<!-- filler -->" * 4096
                sent = 0
                while sent < canned.stream_bytes:
                    self.wfile.write(chunk)
                    sent += len(chunk)
                return
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): that is the point


class FeedServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.routes = {}
        self.httpd.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def route(self, path: str, body: bytes | str = b"", **options) -> str:
        if isinstance(body, str):
            body = body.encode()
        self.httpd.routes[path] = Canned(body=body, **options)
        return self.url(path)

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{path}"

    @property
    def requests(self) -> list[tuple[str, dict]]:
        return self.httpd.requests

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


START = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def rss(*items: tuple[str, str, str, str], title: str = "A programme blog") -> str:
    """RSS 2.0 with (guid, title, link, description) items, newest first."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{t}</title><link>{link}</link>"
        f"<description><![CDATA[{desc}]]></description>"
        f"<pubDate>{format_datetime(START + timedelta(hours=i), usegmt=True)}</pubDate></item>"
        for i, (guid, t, link, desc) in enumerate(reversed(items))
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://blog.example.org/</link>"
        f"<description>Posts</description>{body}</channel></rss>"
    )

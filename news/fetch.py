"""A polite HTTP GET for external feeds, with the standard library only.

Conditional (If-None-Match / If-Modified-Since), a timeout per socket operation and a deadline
for the whole body, a size cap read in chunks, a User-Agent naming the site, http/https only
(also after redirects), and (outside development) no private or loopback addresses. Every
failure is a ``FetchError`` with a message fit for the admin.
"""

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)


class FetchError(Exception):
    """The feed could not be fetched; the message says why, in words."""


@dataclass(frozen=True)
class FetchResult:
    not_modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""
    content_type: str = ""
    url: str = ""


def user_agent() -> str:
    return f"{settings.SITE_NAME} news reader (+https://{settings.SITE_DOMAIN}/news/)"


def check_url(url: str) -> None:
    """Refuse anything but http(s), and hosts on private networks unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"Only http and https addresses can be read, not {url[:100]!r}.")
    if settings.NEWS_FEED_ALLOW_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"Could not find the host {parts.hostname}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise FetchError(f"{parts.hostname} is on a private network; it is not read.")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only http(s) handlers: no file:, ftp: or data: even if a redirect asks for them.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _CheckedRedirects(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, *, etag: str = "", last_modified: str = "") -> FetchResult:
    check_url(url)
    timeout = float(settings.NEWS_FEED_TIMEOUT)
    cap = int(settings.NEWS_FEED_MAX_BYTES)
    headers = {"User-Agent": user_agent(), "Accept": ACCEPT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (checked: http/https)
    deadline = time.monotonic() + timeout * 3
    try:
        with _opener().open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise FetchError(f"The feed is too large ({int(declared):,} bytes; limit {cap:,}).")
            chunks, size = [], 0
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise FetchError(f"The feed is too large (over {cap:,} bytes).")
                if time.monotonic() > deadline:
                    raise FetchError("The feed took too long to arrive.")
                chunks.append(chunk)
            return FetchResult(
                not_modified=False,
                body=b"".join(chunks),
                etag=(response.headers.get("ETag") or "")[:255],
                last_modified=(response.headers.get("Last-Modified") or "")[:100],
                content_type=response.headers.get("Content-Type") or "",
                url=response.geturl(),
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return FetchResult(not_modified=True, etag=etag, last_modified=last_modified, url=url)
        raise FetchError(f"The server answered HTTP {exc.code} {exc.reason}.") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"No answer within {timeout:g} seconds (timed out).") from exc
        raise FetchError(f"Could not connect: {reason}.") from exc
    except TimeoutError as exc:
        raise FetchError(f"No answer within {timeout:g} seconds (timed out).") from exc
    except (http.client.HTTPException, OSError, ValueError) as exc:
        raise FetchError(f"The connection failed: {exc.__class__.__name__}: {exc}.") from exc

"""What every outgoing feed shares: RSS 2.0 with an Atom twin, absolute links, conditional GET.

A feed is a ``ConditionalFeed`` (a ``django.contrib.syndication`` ``Feed``). It says two things:

- ``resolve(request, **kwargs)``: the feed's subject and who reads it (anonymous for public
  feeds, the member behind the token for private ones). It raises ``Http404`` for anything the
  reader may not see. It is run once per request and shared by the 304 check and the feed.
- ``freshness(subject)``: one cheap query (an aggregate) giving a version key (counts, maxima)
  and the time of the latest change. The ETag is a hash of the key; Last-Modified is the time.

``condition()`` answers ``If-None-Match`` / ``If-Modified-Since`` with 304 before the items are
read. ``?format=atom`` gives the same feed as Atom 1.0.
"""

import copy
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.views.decorators.http import condition, require_safe

from members.models import User
from socialbysocial.links import site_url
from socialbysocial.text import printable

DEFAULT_ITEMS = 30


class _Printable:
    """Feed generators that drop control characters (invalid in XML) from every string, so a
    stray character in a post can never break a feed."""

    def __init__(self, title, link, description, **kwargs):
        clean = {k: printable(v) if isinstance(v, str) else v for k, v in kwargs.items()}
        super().__init__(printable(title), link, printable(description or ""), **clean)

    def add_item(self, title, link, description, **kwargs):
        clean = {k: printable(v) if isinstance(v, str) else v for k, v in kwargs.items()}
        super().add_item(printable(title), link, printable(description or ""), **clean)


class RssFeed(_Printable, Rss201rev2Feed):
    pass


class AtomFeed(_Printable, Atom1Feed):
    pass


def feed_reader(token: str | None):
    """Who reads a feed: nobody in particular for public addresses; the member whose secret
    is in a private address (an unknown, reset or tampered secret is a 404)."""
    if token is None:
        return AnonymousUser()
    reader = User.objects.filter(feed_token=token, is_active=True).first() if token else None
    if reader is None:
        raise Http404("No such feed.")
    return reader


@dataclass
class FeedContext:
    """One request's feed: the subject, the reader and the addresses of this feed."""

    subject: Any
    reader: Any
    self_url: str
    etag: str = ""
    last_modified: datetime | None = None


class ConditionalFeed(Feed):
    feed_type = RssFeed
    item_guid_is_permalink = True

    def __init__(self) -> None:
        super().__init__()
        self._atom = copy.copy(self)
        self._atom.feed_type = AtomFeed
        self._view = require_safe(
            condition(etag_func=self._etag, last_modified_func=self._last_modified)(self._respond)
        )

    # --- What a feed defines --------------------------------------------------------------

    def resolve(self, request: HttpRequest, **kwargs) -> tuple[Any, Any]:
        """(subject, reader); raises Http404 when the reader may not see the subject."""
        raise NotImplementedError

    def freshness(self, subject: Any, reader: Any) -> tuple[Any, datetime | None]:
        """(a version key, the latest change) from one query."""
        raise NotImplementedError

    # --- Machinery --------------------------------------------------------------------------

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self._view(request, *args, **kwargs)

    def context(self, request: HttpRequest, kwargs: dict) -> FeedContext:
        # Memoised on the request: the 304 check and the feed itself share one resolution.
        ctx = getattr(request, "_sbs_feed_context", None)
        if ctx is None:
            subject, reader = self.resolve(request, **kwargs)
            key, latest = self.freshness(subject, reader)
            raw = repr((type(self).__name__, request.get_full_path(), key, latest))
            ctx = FeedContext(
                subject=subject,
                reader=reader,
                self_url=site_url(request.get_full_path()),
                etag=hashlib.sha256(raw.encode()).hexdigest()[:32],
                last_modified=latest,
            )
            request._sbs_feed_context = ctx
        return ctx

    def _etag(self, request, *args, **kwargs) -> str:
        return self.context(request, kwargs).etag

    def _last_modified(self, request, *args, **kwargs) -> datetime | None:
        return self.context(request, kwargs).last_modified

    def _respond(self, request, *args, **kwargs) -> HttpResponse:
        feed = self._atom if request.GET.get("format") == "atom" else self
        response = Feed.__call__(feed, request, *args, **kwargs)
        # Feed sets Last-Modified from the items' dates; condition() sets the one it compares.
        del response["Last-Modified"]
        return response

    def get_object(self, request, *args, **kwargs) -> FeedContext:
        return self.context(request, kwargs)

    def feed_url(self, ctx: FeedContext) -> str:
        return ctx.self_url

    def subtitle(self, ctx: FeedContext) -> str:
        return self._get_dynamic_attr("description", ctx)

    def item_link(self, item) -> str:
        return site_url(item.get_absolute_url())

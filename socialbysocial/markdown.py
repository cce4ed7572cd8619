"""Markdown to safe HTML, run once when text is written (never on GET)."""

import xml.etree.ElementTree as etree
from collections.abc import Iterable

import markdown as _markdown
import nh3
from markdown.inlinepatterns import InlineProcessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


MENTION_PATTERN = r"(?<![\w@/])@([A-Za-z0-9_.+-]{2,150})"


class _Mentions(InlineProcessor):
    """Links ``@username`` to the member's profile, for the usernames given (not in code)."""

    def __init__(self, usernames: set[str]):
        super().__init__(MENTION_PATTERN)
        self.usernames = usernames

    def handleMatch(self, m, data):  # noqa: N802 -- Markdown's API
        name = m.group(1).rstrip(".")
        if name.lower() not in self.usernames:
            return None, None, None
        link = etree.Element("a", href=f"/members/{name.lower()}/")
        link.text = f"@{name}"
        return link, m.start(0), m.start(0) + len(name) + 1


class _MentionExtension(_markdown.Extension):
    def __init__(self, usernames: set[str]):
        super().__init__()
        self.usernames = usernames

    def extendMarkdown(self, md):  # noqa: N802 -- Markdown's API
        md.inlinePatterns.register(_Mentions(self.usernames), "mention", 95)


def render_markdown(text: str, *, mentions: Iterable[str] = ()) -> str:
    """Render member-written markdown to sanitised HTML: no scripts, styles or unsafe URLs.

    Headings start at h2 (the page owns h1); every link gets ``rel="nofollow ugc noopener"``.
    ``@username`` becomes a link to the profile for each username in ``mentions``.
    """
    extensions = ["fenced_code", "tables", "sane_lists", "nl2br"]
    usernames = {name.lower() for name in mentions}
    if usernames:
        extensions.append(_MentionExtension(usernames))
    html = _markdown.markdown(text or "", extensions=extensions, output_format="html")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )


def sanitise_html(html: str) -> str:
    """Sanitise HTML written elsewhere (an external feed's entry) by the same rules as ours:
    the same tags, attributes and URL schemes; scripts, styles, event handlers and
    ``javascript:`` links are removed; links get ``rel="nofollow ugc noopener"``."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )

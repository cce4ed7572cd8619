"""Markdown to safe HTML, run once when text is written (never on GET)."""

import markdown as _markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def render_markdown(text: str) -> str:
    """Render member-written markdown to sanitised HTML: no scripts, styles or unsafe URLs.

    Headings start at h2 (the page owns h1); every link gets ``rel="nofollow ugc noopener"``.
    """
    html = _markdown.markdown(
        text or "",
        extensions=["fenced_code", "tables", "sane_lists", "nl2br"],
        output_format="html",
    )
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

from functools import cache

from django.conf import settings
from django.urls import reverse

SHELL_URLS = {
    "home": "home",
    "discussions": "discussions:index",
    "events": "events:index",
    "groups": "groups:index",
    "programmes": "programmes:index",
    "members": "members:directory",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
    "feeds": "feeds",
    "news": "news:index",
    "report_an_issue": "report_an_issue",
    "terms": "terms",
    "about": "about",
    "search": "search",
    "notifications": "subscriptions:notifications",
    "preferences": "subscriptions:preferences",
}


@cache
def _shell_urls() -> dict[str, str]:
    """The site shell's fixed links, resolved once per process instead of on every page."""
    return {key: reverse(name) for key, name in SHELL_URLS.items()}


def site(request):
    """The site's name, the shell's links, and which top-level section the page is in."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "urls": _shell_urls(),
        "nav_section": request.path.strip("/").split("/", 1)[0],
    }

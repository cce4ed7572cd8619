from django.conf import settings


def site_url(path: str) -> str:
    """An absolute address on this site, as emails, feeds and calendar files write it."""
    return f"{settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{settings.SITE_DOMAIN}{path}"

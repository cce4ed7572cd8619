from django.conf import settings


def site(request):
    """The site's name and which top-level section the page belongs to (for the nav)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "nav_section": request.path.strip("/").split("/", 1)[0],
    }

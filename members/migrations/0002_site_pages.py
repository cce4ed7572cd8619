"""Name the site and create the Terms of Service, About and Report an Issue pages.

They are flatpages, so staff edit their text in the Django admin.
"""

from django.conf import settings
from django.db import migrations

PAGES = {
    "/terms/": (
        "Terms of Service",
        "<p>By joining this network you agree to take part in good faith.</p>"
        "<h2>What you post</h2>"
        "<p>You keep the rights to what you write. You let the network show it to the people "
        "it is shared with, in pages, feeds and emails. Do not post anything you have no right "
        "to share, nor personal details of other people without their consent.</p>"
        "<h2>How we behave</h2>"
        "<p>Be kind, stay on topic, and assume good intent. Harassment, spam and hateful "
        "content are removed, and the accounts behind them may be closed.</p>"
        "<h2>Your data</h2>"
        "<p>We keep your profile, posts and event bookings to run the network. We never sell "
        "them. You can ask the site team to export or delete your account at any time.</p>",
    ),
    "/about/": (
        "About",
        "<p>This is a community network for people who use social technology for social "
        "impact: programme leaders in government and charities, local site runners, social "
        "reporters and practitioners.</p>"
        "<p>Members discuss ideas, book places at workshops, form interest groups and map "
        "which national programmes work on what, so that efforts join up and gaps show.</p>",
    ),
    "/report-an-issue/": (
        "Report an Issue",
        "<p>Seen something that breaks the Terms of Service, or a part of the site that does "
        "not work for you? Tell the site team.</p>"
        "<p>For a post, use the <strong>Report</strong> link beside it, so a moderator sees it "
        "in context. For anything else, including accessibility problems, start a discussion "
        "tagged <em>site feedback</em>: the site team reads every one.</p>",
    ),
}


def create_pages(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    FlatPage = apps.get_model("flatpages", "FlatPage")
    site, _ = Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN[:100], "name": settings.SITE_NAME[:50]},
    )
    for url, (title, content) in PAGES.items():
        page, created = FlatPage.objects.get_or_create(
            url=url, defaults={"title": title, "content": content}
        )
        if created:
            page.sites.add(site)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("sites", "0002_alter_domain_unique"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]

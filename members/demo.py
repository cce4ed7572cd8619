"""Demo members for development. Idempotent: existing rows are left as they are."""

from allauth.account.models import EmailAddress

from members.models import User
from socialbysocial.markdown import render_markdown

DEMO_PASSWORD = "demo-pass-2026"
ADMIN_PASSWORD = "admin-pass-2026"

MEMBERS = [
    {
        "username": "admin",
        "email": "admin@example.org",
        "display_name": "Site Admin",
        "organisation": "Social by Social",
        "role_title": "Site administrator",
        "location": "London",
        "bio": "I look after the site. Use **Report** on any post that needs a moderator.",
        "is_staff": True,
        "is_superuser": True,
    },
    {
        "username": "nadia",
        "email": "nadia@example.org",
        "display_name": "Nadia Rahman",
        "organisation": "Department for Communities",
        "role_title": "Community technology lead",
        "location": "London",
        "bio": "I convene the national programmes that fund local online communities, "
        "and I am organising the first mapping workshop.",
    },
    {
        "username": "owen",
        "email": "owen@example.org",
        "display_name": "Owen Pritchard",
        "organisation": "Talk About Local",
        "role_title": "Programme manager",
        "location": "Stoke-on-Trent",
        "bio": "Helping residents run hyperlocal websites. Ask me about unconferences.",
        "digest_frequency": "daily",
    },
    {
        "username": "grace",
        "email": "grace@example.org",
        "display_name": "Grace Adeyemi",
        "organisation": "Media Trust",
        "role_title": "Community Voices coordinator",
        "location": "Manchester",
        "bio": "Training community reporters and sharing what works.",
        "digest_frequency": "weekly",
    },
    {
        "username": "felix",
        "email": "felix@example.org",
        "display_name": "Felix Moreau",
        "organisation": "Ministry of Justice",
        "role_title": "Democratic engagement adviser",
        "location": "Leeds",
        "bio": "Our innovation fund backs projects that get people involved locally.",
    },
]


def seed(*, log) -> None:
    for data in MEMBERS:
        data = dict(data)
        username = data.pop("username")
        user, created = User.objects.get_or_create(
            username=username, defaults={**data, "bio_html": render_markdown(data["bio"])}
        )
        if created:
            user.set_password(ADMIN_PASSWORD if user.is_superuser else DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    log(f"members: {User.objects.count()} in total")


def logins() -> list[tuple[str, str, str]]:
    return [
        (m["username"], m["email"], ADMIN_PASSWORD if m.get("is_superuser") else DEMO_PASSWORD)
        for m in MEMBERS
    ]

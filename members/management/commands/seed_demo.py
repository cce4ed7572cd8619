"""Load demo data for development. Running it again changes nothing."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

# Each app with demo data has a ``demo`` module with ``seed(*, log)``; order matters.
DEMO_MODULES = [
    "members.demo",
    "programmes.demo",
    "discussions.demo",
    "events.demo",
    "groups.demo",
    "news.demo",
]


class Command(BaseCommand):
    help = "Create demo members, programmes and content (idempotent; development only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo creates accounts with known passwords: not in production."
            )
        # Demo RSVPs and replies must not email anybody.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for index, name in enumerate(DEMO_MODULES, start=1):
                self.stdout.write(f"[{index}/{len(DEMO_MODULES)}] {name}")
                import_module(name).seed(log=lambda msg: self.stdout.write(f"    {msg}"))
        from members.demo import logins

        self.stdout.write(self.style.SUCCESS("Demo logins (username or email, then password):"))
        for username, email, password in logins():
            self.stdout.write(f"    {username:<8} {email:<22} {password}")

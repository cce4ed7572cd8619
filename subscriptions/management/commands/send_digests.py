"""Send the daily or weekly digests by hand, batch by batch, with a progress bar."""

import sys

from django.core.management.base import BaseCommand, CommandError

from members.models import DigestFrequency
from subscriptions import digests


class Command(BaseCommand):
    help = "Send digests now (each member at most once per period; safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--frequency", required=True, choices=["daily", "weekly"])
        parser.add_argument(
            "--dry-run", action="store_true", help="Count the digests without sending any."
        )

    def handle(self, *args, frequency, dry_run, **options):
        if frequency not in (DigestFrequency.DAILY, DigestFrequency.WEEKLY):
            raise CommandError("Choose daily or weekly.")
        period, since = digests.period_of(frequency)
        ids = digests.recipient_ids(frequency)
        batches = digests.batches(ids)
        verb = "would send" if dry_run else "queued"
        self.stdout.write(
            f"{frequency} digests for {period}: {len(ids)} members, {len(batches)} batches"
        )
        sent = 0
        for done, batch in enumerate(batches, start=1):
            sent += digests.send_batch(
                member_ids=batch, frequency=frequency, period=period, since=since, dry_run=dry_run
            )
            self._progress(done, len(batches), sent, verb)
        if batches:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Done: {verb} {sent} digest(s)."))

    def _progress(self, done: int, total: int, sent: int, verb: str) -> None:
        width = 30
        filled = round(width * done / total)
        bar = "#" * filled + "-" * (width - filled)
        end = "\r" if self.stdout.isatty() else "\n"
        self.stdout.write(f"[{bar}] {done}/{total} batches, {verb} {sent}", ending=end)
        if end == "\r":
            sys.stdout.flush()

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from discussions import services as discussion_services
from subscriptions import digests, services
from subscriptions.models import DigestDelivery, OutgoingEmail
from tests.discussions.factories import make_discussion
from tests.events.factories import make_event
from tests.groups.factories import make_group
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _since():
    return timezone.now() - timedelta(days=1)


def test_a_digest_lists_what_the_member_follows_and_nothing_else():
    reader = UserFactory(digest_frequency="daily")
    followed = make_discussion(title="Followed thread")
    other = make_discussion(title="Other thread")
    services.follow_add(member=reader, target=followed)
    discussion_services.reply_create(discussion=followed, author=UserFactory(), body="Fresh reply")
    discussion_services.reply_create(discussion=other, author=UserFactory(), body="Unseen reply")
    tagged = make_discussion(title="Tagged news", tags=["social reporting"])
    from taggit.models import Tag

    services.follow_add(member=reader, target=Tag.objects.get(name="social reporting"))
    (digest,) = digests.build([reader.pk], _since())
    assert [r.body for r in digest.replies] == ["Fresh reply"]
    assert [d.title for d in digest.discussions] == [tagged.title]


def test_private_group_content_is_only_in_members_digests():
    organiser = UserFactory()
    member, former = UserFactory(digest_frequency="daily"), UserFactory(digest_frequency="daily")
    group = make_group(kind="private", organiser=organiser, members=[member, former])
    discussion = discussion_services.discussion_create(
        author=organiser, title="Inside plans", body="x", group=group
    )
    for person in (member, former):
        services.follow_add(member=person, target=discussion)
        services.follow_add(member=person, target=group)
    make_event(title="Inside meeting", group=group, organiser=organiser)
    from groups import services as group_services

    group_services.group_leave(group=group, member=former)
    discussion_services.reply_create(discussion=discussion, author=organiser, body="secret news")
    mine, theirs = digests.build([member.pk, former.pk], _since())
    assert [r.body for r in mine.replies] == ["secret news"]
    assert [e.title for e in mine.events] == ["Inside meeting"]
    assert theirs.empty


def test_members_with_nothing_new_get_nothing_and_reruns_send_nothing(
    mailoutbox, django_capture_on_commit_callbacks
):
    busy, quiet = UserFactory(digest_frequency="daily"), UserFactory(digest_frequency="daily")
    discussion = make_discussion()
    services.follow_add(member=busy, target=discussion)
    discussion_services.reply_create(discussion=discussion, author=UserFactory(), body="news")
    period, since = digests.period_of("daily")
    with django_capture_on_commit_callbacks(execute=True):
        first = digests.send_batch(
            member_ids=[busy.pk, quiet.pk], frequency="daily", period=period, since=since
        )
        again = digests.send_batch(
            member_ids=[busy.pk, quiet.pk], frequency="daily", period=period, since=since
        )
    assert (first, again) == (1, 0)
    assert list(DigestDelivery.objects.values_list("member_id", "period")) == [(busy.pk, period)]
    digest_mail = [m for m in mailoutbox if "digest" in m.subject]
    assert [m.to for m in digest_mail] == [[busy.email]]
    html = digest_mail[0].alternatives[0][0]
    assert "New replies in discussions you follow" in html and "news" in digest_mail[0].body
    assert digest_mail[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_second_worker_that_already_sent_makes_the_batch_skip(monkeypatch):
    """If another worker wrote a marker between our read and our insert, our whole batch rolls
    back and the retry skips that member: still one digest each."""
    a, b = UserFactory(digest_frequency="daily"), UserFactory(digest_frequency="daily")
    discussion = make_discussion()
    for person in (a, b):
        services.follow_add(member=person, target=discussion)
    discussion_services.reply_create(discussion=discussion, author=UserFactory(), body="news")
    period, since = digests.period_of("daily")
    real_build = digests.build
    calls = []

    def racing_build(member_ids, since_, now=None):
        if not calls:  # the other worker commits a's digest right now
            DigestDelivery.objects.create(member=a, period=period)
        calls.append(member_ids)
        return real_build(member_ids, since_, now)

    monkeypatch.setattr(digests, "build", racing_build)
    sent = digests.send_batch(
        member_ids=[a.pk, b.pk], frequency="daily", period=period, since=since
    )
    assert sent == 1
    assert DigestDelivery.objects.filter(period=period).count() == 2
    assert OutgoingEmail.objects.filter(kind="digest").count() == 1


def test_periods_name_the_day_or_the_week():
    moment = timezone.make_aware(timezone.datetime(2026, 11, 24, 9, 0))
    assert digests.period_of("daily", moment)[0] == "daily:2026-11-24"
    assert digests.period_of("weekly", moment)[0] == "weekly:2026-W48"


def test_send_digests_command_with_dry_run_and_progress(capsys):
    reader = UserFactory(digest_frequency="weekly")
    discussion = make_discussion()
    services.follow_add(member=reader, target=discussion)
    discussion_services.reply_create(discussion=discussion, author=UserFactory(), body="news")
    call_command("send_digests", "--frequency", "weekly", "--dry-run")
    out = capsys.readouterr().out
    assert "1/1 batches" in out and "would send 1" in out
    assert not DigestDelivery.objects.exists()
    call_command("send_digests", "--frequency", "weekly")
    call_command("send_digests", "--frequency", "weekly")
    assert DigestDelivery.objects.count() == 1
    assert "queued 0" in capsys.readouterr().out


def test_a_very_busy_thread_does_not_crowd_out_anybody_elses_news():
    busy_reader, other_reader = (
        UserFactory(digest_frequency="daily"),
        UserFactory(digest_frequency="daily"),
    )
    busy, quiet = make_discussion(title="Busy"), make_discussion(title="Quiet")
    services.follow_add(member=busy_reader, target=busy)
    services.follow_add(member=other_reader, target=quiet)
    from discussions.models import Reply

    author = UserFactory()
    Reply.objects.bulk_create(
        Reply(discussion=busy, author=author, position=i, body=f"b{i}", body_html="")
        for i in range(1, 2101)
    )
    discussion_services.reply_create(discussion=quiet, author=author, body="quiet news")
    first, second = digests.build([busy_reader.pk, other_reader.pk], _since())
    assert len(first.replies) == digests.MAX_ITEMS
    assert first.replies[-1].body == "b2100"  # the newest ones
    assert [r.body for r in second.replies] == ["quiet news"]

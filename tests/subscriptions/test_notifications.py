import pytest

from discussions import services as discussion_services
from groups import services as group_services
from subscriptions import services
from subscriptions.models import Follow, Notification, OutgoingEmail
from subscriptions.outbox import outbox_deliver
from tests.discussions.factories import make_discussion
from tests.groups.factories import make_group
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_starting_and_replying_follow_the_discussion_automatically():
    author, replier = UserFactory(), UserFactory()
    discussion = make_discussion(author=author)
    discussion_services.reply_create(discussion=discussion, author=replier, body="Hi")
    assert Follow.objects.filter(discussion=discussion).count() == 2


def test_each_person_hears_once_with_the_most_specific_reason():
    author = UserFactory(username="nadia")
    follower, mentioned = UserFactory(username="follower"), UserFactory(username="grace")
    discussion = make_discussion(author=author)
    services.follow_add(member=follower, target=discussion)
    discussion_services.reply_create(
        discussion=discussion, author=UserFactory(), body="Over to @nadia and @grace"
    )
    assert _kinds(author) == ["mention"]  # mentioned beats "replied to you"
    assert _kinds(mentioned) == ["mention"]
    assert _kinds(follower) == ["followed"]


def test_a_mention_links_to_the_profile_and_notifies_once_even_if_edited():
    grace = UserFactory(username="grace")
    discussion = make_discussion()
    reply = discussion_services.reply_create(
        discussion=discussion, author=UserFactory(), body="Thanks @Grace!"
    )
    assert '<a href="/members/grace/" rel="nofollow ugc noopener">@Grace</a>' in reply.body_html
    discussion_services.reply_edit(reply=reply, editor=reply.author, body="Thanks again @grace")
    assert Notification.objects.filter(recipient=grace).count() == 1
    grace.refresh_from_db()
    assert grace.unread_notifications == 1


def test_a_mention_of_nobody_or_inside_code_is_just_text():
    discussion = make_discussion(body="Ask @nobody, or mail x@y.org, or run `@grace`")
    UserFactory(username="grace")
    assert "<a" not in discussion.body_html
    assert Notification.objects.count() == 0


def test_preferences_decide_email_digest_or_nothing(mailoutbox, django_capture_on_commit_callbacks):
    emailed = UserFactory(username="emailed", notify_mentions="email")
    digested = UserFactory(username="digested", notify_mentions="digest")
    silent = UserFactory(username="silent", notify_mentions="off")
    with django_capture_on_commit_callbacks(execute=True):
        make_discussion(body="Hello @emailed @digested @silent")
    assert [m.to for m in mailoutbox] == [[emailed.email]]
    message = mailoutbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://")
    assert Notification.objects.get(recipient=digested).delivery == "digest"
    assert not Notification.objects.filter(recipient=silent).exists()
    assert OutgoingEmail.objects.get().sent_at is not None


def test_private_group_posts_notify_only_its_members():
    organiser = UserFactory()
    insider, outsider = UserFactory(username="insider"), UserFactory(username="outsider")
    group = make_group(kind="private", organiser=organiser, members=[insider])
    discussion_services.discussion_create(
        author=organiser, title="Plans", body="cc @insider @outsider", group=group
    )
    assert _kinds(insider) == ["mention"]
    assert _kinds(outsider) == []


def test_leaving_a_group_stops_news_from_its_discussions():
    organiser, member = UserFactory(), UserFactory()
    group = make_group(kind="closed", organiser=organiser, members=[member])
    discussion = discussion_services.discussion_create(
        author=organiser, title="Plans", body="x", group=group
    )
    services.follow_add(member=member, target=discussion)
    group_services.group_leave(group=group, member=member)
    discussion_services.reply_create(discussion=discussion, author=organiser, body="news")
    assert _kinds(member) == []


def test_marking_read_resets_the_unread_count(client):
    member = UserFactory(username="owen")
    make_discussion(body="@owen one")
    make_discussion(title="Two", body="@owen two")
    member.refresh_from_db()
    assert member.unread_notifications == 2
    client.force_login(member)
    html = client.get("/").content.decode()
    assert 'Notifications <span class="badge">2' in html
    first = Notification.objects.filter(recipient=member).last()
    response = client.get(f"/notifications/{first.pk}/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.unread_notifications == 1
    client.post("/notifications/read/")
    member.refresh_from_db()
    assert member.unread_notifications == 0
    assert "Mark all as read" in client.get("/notifications/").content.decode()


def test_the_outbox_never_sends_a_message_twice(mailoutbox):
    from subscriptions.outbox import outbox_queue

    email = outbox_queue(to="a@example.org", subject="Hi", text="Body", kind="test")
    assert outbox_deliver(email_id=email.pk) is True
    assert outbox_deliver(email_id=email.pk) is False
    assert len(mailoutbox) == 1


def test_follow_and_unfollow_through_the_page(client):
    member = UserFactory()
    discussion = make_discussion()
    client.force_login(member)
    client.post(f"/follow/discussion/{discussion.pk}/", {"next": discussion.get_absolute_url()})
    assert Follow.objects.filter(member=member, discussion=discussion).exists()
    assert "Unfollow" in client.get(discussion.get_absolute_url()).content.decode()
    client.post(f"/follow/discussion/{discussion.pk}/", {"action": "unfollow"})
    assert not Follow.objects.filter(member=member).exists()
    # An off-site "next" is ignored.
    response = client.post(
        f"/follow/discussion/{discussion.pk}/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == discussion.get_absolute_url()
    assert client.post("/follow/planet/1/").status_code == 404
    assert client.post("/follow/discussion/abc/").status_code == 404


def test_preferences_page_saves_and_refuses_nonsense(client):
    member = UserFactory()
    client.force_login(member)
    data = {
        "notify_followed": "email",
        "notify_mentions": "digest",
        "notify_replies": "off",
        "digest_frequency": "weekly",
    }
    assert client.post("/members/me/notifications/", data).status_code == 302
    member.refresh_from_db()
    assert (member.notify_followed, member.digest_frequency) == ("email", "weekly")
    response = client.post("/members/me/notifications/", {**data, "digest_frequency": "hourly"})
    assert "Select a valid choice" in response.content.decode()


def test_a_long_title_and_name_still_make_a_sendable_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    author = UserFactory(username="longname", display_name="N" * 80)
    discussion = make_discussion(author=UserFactory(notify_replies="email"), title="T" * 200)
    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.reply_create(discussion=discussion, author=author, body="Hello")
    (message,) = mailoutbox
    assert len(message.subject) <= 300 and message.subject.endswith("…")

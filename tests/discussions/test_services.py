import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from discussions import services
from discussions.models import Discussion, Reply, Report, Revision
from discussions.selectors import quote_markdown
from tests.discussions.factories import make_discussion, make_replies
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_renders_sanitised_html_once_and_sets_tags():
    discussion = make_discussion(
        title="  Workshop plans  ",
        body="Hello **all** <script>alert(1)</script> [x](javascript:alert(1)) "
        "<a href='https://example.org' onclick='evil()'>site</a>",
        tags=["Workshops", "workshops", " social  reporting "],
    )
    discussion.refresh_from_db()
    assert discussion.title == "Workshop plans"
    assert discussion.slug == "workshop-plans"
    assert "<strong>all</strong>" in discussion.body_html
    assert "<script" not in discussion.body_html
    assert "javascript:" not in discussion.body_html
    assert "onclick" not in discussion.body_html
    assert 'rel="nofollow ugc noopener"' in discussion.body_html
    assert sorted(discussion.tags.names()) == ["social reporting", "workshops"]


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [("   ", "body", "title"), ("Title", "  \n ", "body"), ("Title", "x" * 50_001, "body")],
)
def test_create_refuses_empty_or_huge_posts_and_saves_nothing(title, body, field):
    with pytest.raises(ValidationError) as exc:
        make_discussion(title=title, body=body)
    assert field in exc.value.message_dict
    assert Discussion.objects.count() == 0


def test_too_many_tags_is_refused():
    with pytest.raises(ValidationError):
        make_discussion(tags=[f"tag{i}" for i in range(9)])
    assert Discussion.objects.count() == 0


def test_replies_get_positions_and_counters_move_with_them():
    discussion = make_discussion()
    first, second = make_replies(discussion, 2)
    discussion.refresh_from_db()
    assert (first.position, second.position) == (1, 2)
    assert discussion.reply_count == 2
    assert discussion.reply_total == 2
    assert discussion.last_activity_at == second.created

    services.reply_remove(reply=first, remover=first.author)
    services.reply_remove(reply=first, remover=first.author)  # twice changes nothing more
    discussion.refresh_from_db()
    assert discussion.reply_count == 1
    assert discussion.reply_total == 2
    third = make_replies(discussion, 1)[0]
    assert third.position == 3


def test_reply_to_and_quote_must_be_in_the_same_discussion_and_not_removed():
    discussion, other = make_discussion(), make_discussion(title="Other")
    (elsewhere,) = make_replies(other, 1)
    (here,) = make_replies(discussion, 1)
    author = UserFactory()
    with pytest.raises(ValidationError, match="only reply to a reply in this discussion"):
        services.reply_create(discussion=discussion, author=author, body="x", in_reply_to=elsewhere)
    services.reply_remove(reply=here, remover=here.author)
    with pytest.raises(ValidationError, match="removed"):
        services.reply_create(discussion=discussion, author=author, body="x", quoted=here)
    assert Reply.objects.filter(author=author).count() == 0


def test_locked_discussion_takes_no_replies():
    discussion = make_discussion()
    services.discussion_moderate(discussion=discussion, moderator=UserFactory(), locked=True)
    with pytest.raises(PermissionDenied, match="locked"):
        make_replies(discussion, 1)
    assert Reply.objects.count() == 0


def test_quote_copies_the_source_text_not_the_html():
    discussion = make_discussion()
    author = UserFactory(display_name="Grace Adeyemi")
    reply = services.reply_create(
        discussion=discussion, author=author, body="We **train** reporters.\nSecond line."
    )
    quote = quote_markdown(reply)
    assert quote.startswith("> **Grace Adeyemi said:**\n")
    assert "> We **train** reporters.\n> Second line." in quote
    assert "<strong>" not in quote


def test_edits_keep_the_previous_version_and_mark_the_post_edited():
    discussion = make_discussion(title="Old title", body="Old body")
    editor = discussion.author
    services.discussion_edit(discussion=discussion, editor=editor, title="New", body="New body")
    discussion.refresh_from_db()
    assert discussion.edited_at is not None
    assert "New body" in discussion.body_html
    revision = Revision.objects.get(discussion=discussion, reply=None)
    assert (revision.title, revision.body) == ("Old title", "Old body")

    (reply,) = make_replies(discussion, 1)
    services.reply_edit(reply=reply, editor=reply.author, body="Changed")
    reply.refresh_from_db()
    assert reply.edited_at and reply.body_html == "<p>Changed</p>"
    assert Revision.objects.get(reply=reply).body == "Reply number 1"

    # Saving the same text again records nothing.
    services.reply_edit(reply=reply, editor=reply.author, body="Changed")
    assert Revision.objects.filter(reply=reply).count() == 1


def test_each_write_bumps_the_thread_version():
    discussion = make_discussion()
    versions = [Discussion.objects.get().version]
    (reply,) = make_replies(discussion, 1)
    versions.append(Discussion.objects.get().version)
    services.reply_edit(reply=reply, editor=reply.author, body="edited")
    versions.append(Discussion.objects.get().version)
    services.reply_remove(reply=reply, remover=reply.author)
    versions.append(Discussion.objects.get().version)
    assert versions == sorted(set(versions))


def test_a_member_cannot_report_the_same_post_twice():
    discussion = make_discussion()
    (reply,) = make_replies(discussion, 1)
    reporter = UserFactory()
    services.report_create(reporter=reporter, discussion=discussion, reason="Spam")
    services.report_create(reporter=reporter, discussion=discussion, reply=reply, reason="Rude")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(reporter=reporter, discussion=discussion, reason="Again")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(reporter=reporter, discussion=discussion, reply=reply, reason="x")
    assert Report.objects.count() == 2


def test_removing_reported_content_closes_its_reports():
    discussion = make_discussion()
    (reply,) = make_replies(discussion, 1)
    moderator = UserFactory(is_staff=True)
    first = services.report_create(
        reporter=UserFactory(), discussion=discussion, reply=reply, reason="a"
    )
    second = services.report_create(
        reporter=UserFactory(), discussion=discussion, reply=reply, reason="b"
    )
    services.report_remove_content(report=first, moderator=moderator)
    reply.refresh_from_db()
    second.refresh_from_db()
    assert reply.removed_at is not None
    assert second.status == Report.Status.REMOVED
    assert Discussion.objects.get().reply_count == 0


def test_view_counts_once_per_visitor_per_day_and_flushes_to_the_database():
    discussion = make_discussion()
    assert services.view_record(discussion_id=discussion.pk, visitor="u1") is True
    assert services.view_record(discussion_id=discussion.pk, visitor="u1") is False
    assert services.view_record(discussion_id=discussion.pk, visitor="u2") is True
    assert Discussion.objects.get().view_count == 0  # nothing written on a view
    assert services.view_counts_flush() == 2
    assert Discussion.objects.get().view_count == 2
    assert services.view_counts_flush() == 0
    assert Discussion.objects.get().view_count == 2


def test_browser_line_endings_are_stored_as_the_code_writes_them():
    discussion = make_discussion(body="one\r\ntwo")
    assert discussion.body == "one\ntwo"
    reply = services.reply_create(discussion=discussion, author=UserFactory(), body="a\nb")
    # Saving the same text from a browser form (CRLF) is not an edit.
    services.reply_edit(reply=reply, editor=reply.author, body="a\r\nb")
    reply.refresh_from_db()
    assert reply.edited_at is None
    assert not Revision.objects.exists()

"""The moderation queue and discussion admin, driven through the admin's own HTTP forms."""

import pytest

from discussions import services
from discussions.models import Discussion, Reply, Report, Revision
from tests.discussions.factories import make_discussion, make_replies
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def reported():
    discussion = make_discussion(title="Reported thread")
    (reply,) = make_replies(discussion, 1)
    reply_report = services.report_create(
        reporter=UserFactory(), discussion=discussion, reply=reply, reason="Spam link"
    )
    post_report = services.report_create(
        reporter=UserFactory(), discussion=discussion, reason="Off topic"
    )
    return discussion, reply, reply_report, post_report


def test_the_queue_lists_open_reports_with_reasons(staff_client, reported):
    html = staff_client.get("/admin/discussions/report/?status__exact=open").content.decode()
    assert "Spam link" in html and "Off topic" in html


def test_remove_content_action_removes_the_reply_and_closes_the_report(staff_client, reported):
    discussion, reply, reply_report, post_report = reported
    response = staff_client.post(
        "/admin/discussions/report/",
        {"action": "remove_content", "_selected_action": [reply_report.pk]},
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    reply_report.refresh_from_db()
    post_report.refresh_from_db()
    assert reply.removed_at is not None
    assert reply_report.status == Report.Status.REMOVED
    assert post_report.status == Report.Status.OPEN
    assert Discussion.objects.get().reply_count == 0


def test_dismiss_action_keeps_the_content(staff_client, reported):
    discussion, reply, reply_report, post_report = reported
    staff_client.post(
        "/admin/discussions/report/",
        {"action": "dismiss", "_selected_action": [post_report.pk]},
    )
    post_report.refresh_from_db()
    assert post_report.status == Report.Status.DISMISSED
    assert Discussion.objects.get().removed_at is None


def test_discussion_admin_filters_and_inline_replies_render(staff_client, reported):
    discussion = reported[0]
    make_discussion(title="Quiet thread")
    html = staff_client.get("/admin/discussions/discussion/?reported=yes").content.decode()
    assert "Reported thread" in html and "Quiet thread" not in html
    for query in ("?pinned__exact=1", "?locked__exact=0", "?q=thread", "?tags__id__exact=1"):
        assert staff_client.get("/admin/discussions/discussion/" + query).status_code == 200
    change = staff_client.get(f"/admin/discussions/discussion/{discussion.pk}/change/")
    assert "Reply number 1" in change.content.decode()


def test_editing_in_the_admin_goes_through_the_service(staff_client):
    discussion = make_discussion(title="Original", body="Original body")
    response = staff_client.post(
        f"/admin/discussions/discussion/{discussion.pk}/change/",
        {
            "title": "Tidied",
            "body": "Tidied **body**",
            "tags": "",
            "pinned": "on",
            "replies-TOTAL_FORMS": "0",
            "replies-INITIAL_FORMS": "0",
            "replies-MIN_NUM_FORMS": "0",
            "replies-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    discussion.refresh_from_db()
    assert discussion.body_html == "<p>Tidied <strong>body</strong></p>"
    assert discussion.pinned
    assert Revision.objects.get(discussion=discussion).body == "Original body"


def test_removing_a_reply_in_the_admin_leaves_a_placeholder(staff_client):
    discussion = make_discussion()
    (reply,) = make_replies(discussion, 1)
    staff_client.post(
        "/admin/discussions/reply/", {"action": "remove", "_selected_action": [reply.pk]}
    )
    assert Reply.objects.get().removed_at is not None
    assert Discussion.objects.get().reply_count == 0

import re

import pytest

from discussions import services
from discussions.models import Discussion, Reply, Report
from tests.discussions.factories import make_discussion, make_replies
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_list_shows_pinned_first_then_latest_activity_with_counts(client):
    old = make_discussion(title="Older thread")
    pinned = make_discussion(title="House rules")
    services.discussion_moderate(discussion=pinned, moderator=UserFactory(), pinned=True)
    make_replies(old, 3)  # now the most recently active
    make_discussion(title="Newest thread")
    html = _text(client.get("/discussions/"))
    order = [html.index(t) for t in ("House rules", "Newest thread", "Older thread")]
    assert order == sorted(order)
    assert "Pinned" in html
    row = html[html.index("Older thread") :]
    assert re.search(r'class="num">3<', row)


def test_tag_filter_and_tag_page(client):
    make_discussion(title="About reporting", tags=["social reporting"])
    make_discussion(title="About websites", tags=["local websites"])
    html = _text(client.get("/discussions/tags/social-reporting/"))
    assert "About reporting" in html and "About websites" not in html
    assert "Discussions tagged “social reporting”" in html
    html = _text(client.get("/discussions/?tag=local-websites"))
    assert "About websites" in html and "About reporting" not in html
    assert client.get("/discussions/tags/no-such-tag/").status_code == 404


def test_anonymous_visitors_read_but_cannot_post(client):
    discussion = make_discussion(title="Open to all")
    response = client.get(discussion.get_absolute_url())
    assert "Open to all" in _text(response)
    assert "to reply" in _text(response) and "Post reply" not in _text(response)
    for url in ("/discussions/new/", f"/discussions/{discussion.pk}/reply/"):
        response = client.post(url, {"title": "x", "body": "y"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Reply.objects.count() == 0 and Discussion.objects.count() == 1


def test_member_starts_a_discussion(client):
    client.force_login(UserFactory())
    response = client.post(
        "/discussions/new/",
        {"title": "Mapping workshop", "body": "Who is coming?", "tags": "workshops, events"},
    )
    discussion = Discussion.objects.get()
    assert response["Location"] == discussion.get_absolute_url()
    html = _text(client.get(response["Location"]))
    assert "Your discussion has started." in html
    assert "Who is coming?" in html
    assert sorted(discussion.tags.names()) == ["events", "workshops"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "  ", "body": "x"}, "This field is required."),
        ({"title": "T", "body": "   "}, "This field is required."),
        ({"title": "T", "body": "x" * 50_001}, "at most 50000 characters"),
        ({"title": "x" * 201, "body": "b"}, "at most 200 characters"),
    ],
)
def test_bad_discussions_get_form_errors_and_nothing_is_saved(client, data, message):
    client.force_login(UserFactory())
    response = client.post("/discussions/new/", data)
    assert response.status_code == 200
    assert message in _text(response)
    assert Discussion.objects.count() == 0


def test_reply_to_this_records_in_reply_to_and_shows_it(client):
    discussion = make_discussion()
    original = services.reply_create(
        discussion=discussion, author=UserFactory(display_name="Owen P"), body="First!"
    )
    client.force_login(UserFactory())
    form = _text(client.get(f"/discussions/{discussion.pk}/reply/?to={original.pk}"))
    assert "Replying to <strong>Owen P</strong>" in form
    response = client.post(
        f"/discussions/{discussion.pk}/reply/", {"body": "Agreed", "in_reply_to": original.pk}
    )
    reply = Reply.objects.get(body="Agreed")
    assert reply.in_reply_to == original
    assert response["Location"] == f"/discussions/replies/{reply.pk}/"
    page = _text(client.get(discussion.get_absolute_url()))
    assert f'href="/discussions/replies/{original.pk}/">in reply to Owen P</a>' in page


def test_quote_prefills_the_form_and_renders_name_said(client):
    discussion = make_discussion()
    original = services.reply_create(
        discussion=discussion, author=UserFactory(display_name="Grace A"), body="Train **all**"
    )
    client.force_login(UserFactory())
    form = _text(client.get(f"/discussions/{discussion.pk}/reply/?quote={original.pk}"))
    assert "&gt; **Grace A said:**" in form
    client.post(
        f"/discussions/{discussion.pk}/reply/",
        {
            "body": "> **Grace A said:**\n>\n> Train **all**\n\nYes please",
            "quoted": original.pk,
            "in_reply_to": original.pk,
        },
    )
    reply = Reply.objects.get(quoted=original)
    assert reply.body_html.startswith("<blockquote>")
    assert "<strong>Grace A said:</strong>" in reply.body_html


@pytest.mark.parametrize("param", ["to=999999", "quote=abc", "to=-1"])
def test_reply_form_with_a_bad_target_is_404(client, param):
    discussion = make_discussion()
    client.force_login(UserFactory())
    assert client.get(f"/discussions/{discussion.pk}/reply/?{param}").status_code == 404


def test_replying_to_a_reply_in_another_discussion_is_a_form_error(client):
    discussion, other = make_discussion(), make_discussion(title="Other")
    (elsewhere,) = make_replies(other, 1)
    client.force_login(UserFactory())
    response = client.post(
        f"/discussions/{discussion.pk}/reply/", {"body": "hi", "in_reply_to": elsewhere.pk}
    )
    assert response.status_code == 200
    assert "only reply to a reply in this discussion" in _text(response)
    assert Reply.objects.filter(discussion=discussion).count() == 0


def test_quoting_a_removed_reply_is_refused(client):
    discussion = make_discussion()
    (gone,) = make_replies(discussion, 1)
    services.reply_remove(reply=gone, remover=gone.author)
    client.force_login(UserFactory())
    assert client.get(f"/discussions/{discussion.pk}/reply/?quote={gone.pk}").status_code == 404
    response = client.post(f"/discussions/{discussion.pk}/reply/", {"body": "x", "quoted": gone.pk})
    assert "removed" in _text(response)
    assert Reply.objects.count() == 1


def test_replying_to_a_locked_discussion_is_403_with_the_reason(client):
    discussion = make_discussion()
    services.discussion_moderate(discussion=discussion, moderator=UserFactory(), locked=True)
    client.force_login(UserFactory())
    response = client.post(f"/discussions/{discussion.pk}/reply/", {"body": "late"})
    assert response.status_code == 403
    assert "This discussion is locked" in _text(response)
    assert Reply.objects.count() == 0


def test_malformed_and_missing_ids_are_404(client):
    client.force_login(UserFactory())
    for url in (
        "/discussions/999/",
        "/discussions/999/x/",
        "/discussions/replies/999/",
        "/discussions/replies/999/edit/",
        "/discussions/999/reply/",
        "/discussions/abc/x/",
    ):
        assert client.get(url).status_code == 404, url


def test_only_authors_and_moderators_edit(client):
    author = UserFactory()
    discussion = make_discussion(author=author, body="original")
    (reply,) = make_replies(discussion, 1, author=author)
    client.force_login(UserFactory())
    assert (
        client.post(f"/discussions/{discussion.pk}/edit/", {"title": "x", "body": "y"}).status_code
        == 403
    )
    assert client.post(f"/discussions/replies/{reply.pk}/edit/", {"body": "y"}).status_code == 403
    assert client.post(f"/discussions/replies/{reply.pk}/delete/").status_code == 403
    assert (
        client.post(f"/discussions/{discussion.pk}/moderate/", {"action": "lock"}).status_code
        == 403
    )
    reply.refresh_from_db()
    assert reply.body == "Reply number 1" and reply.removed_at is None

    client.force_login(author)
    client.post(f"/discussions/replies/{reply.pk}/edit/", {"body": "fixed typo"})
    reply.refresh_from_db()
    assert reply.body == "fixed typo"
    assert "(edited)" in _text(client.get(discussion.get_absolute_url()))

    client.force_login(UserFactory(is_staff=True))
    client.post(f"/discussions/{discussion.pk}/edit/", {"title": "Moderated", "body": "tidied"})
    assert Discussion.objects.get().title == "Moderated"


def test_deleting_a_reply_leaves_a_placeholder(client):
    discussion = make_discussion()
    first, second = make_replies(discussion, 2)
    client.force_login(first.author)
    assert "Delete this reply?" in _text(client.get(f"/discussions/replies/{first.pk}/delete/"))
    client.post(f"/discussions/replies/{first.pk}/delete/")
    html = _text(client.get(discussion.get_absolute_url()))
    assert "This reply was removed." in html
    assert "Reply number 1" not in html and "Reply number 2" in html
    assert f'id="reply-{first.pk}"' in html


def test_moderators_lock_pin_remove_and_see_history(client):
    discussion = make_discussion(title="To moderate")
    services.discussion_edit(
        discussion=discussion, editor=discussion.author, title="To moderate", body="v2"
    )
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    for action in ("lock", "pin"):
        client.post(f"/discussions/{discussion.pk}/moderate/", {"action": action})
    discussion.refresh_from_db()
    assert discussion.locked and discussion.pinned
    assert (
        client.post(f"/discussions/{discussion.pk}/moderate/", {"action": "explode"}).status_code
        == 400
    )
    history = _text(client.get(f"/discussions/{discussion.pk}/history/"))
    assert "Opening post" in history and "Let&#x27;s map it." in history

    client.post(f"/discussions/{discussion.pk}/moderate/", {"action": "remove"})
    client.logout()
    assert client.get(discussion.get_absolute_url()).status_code == 404
    assert "To moderate" not in _text(client.get("/discussions/"))


def test_history_is_for_moderators_only(client):
    discussion = make_discussion()
    client.force_login(discussion.author)
    assert client.get(f"/discussions/{discussion.pk}/history/").status_code == 403


def test_reports_once_per_post_with_a_clear_message(client):
    discussion = make_discussion()
    (reply,) = make_replies(discussion, 1)
    client.force_login(UserFactory())
    response = client.post(f"/discussions/replies/{reply.pk}/report/", {"reason": "Spam link"})
    assert response.status_code == 302
    response = client.post(f"/discussions/replies/{reply.pk}/report/", {"reason": "Again"})
    assert "already reported this post" in _text(response)
    response = client.post(f"/discussions/{discussion.pk}/report/", {"reason": ""})
    assert "This field is required." in _text(response)
    assert Report.objects.count() == 1


def test_reply_permalink_redirects_to_its_page_anchored(client):
    discussion = make_discussion()
    replies = make_replies(discussion, 55)
    response = client.get(f"/discussions/replies/{replies[52].pk}/")
    assert response["Location"] == f"{discussion.get_absolute_url()}?page=2#reply-{replies[52].pk}"
    response = client.get(f"/discussions/replies/{replies[3].pk}/")
    assert response["Location"] == f"{discussion.get_absolute_url()}#reply-{replies[3].pk}"
    page2 = _text(client.get(discussion.get_absolute_url() + "?page=2"))
    assert "Reply number 53" in page2 and "Reply number 50<" not in page2


@pytest.mark.parametrize("page_number", ["0", "-3", "abc", "9999"])
def test_odd_page_numbers_show_a_real_page(client, page_number):
    discussion = make_discussion()
    make_replies(discussion, 3)
    assert client.get(discussion.get_absolute_url() + f"?page={page_number}").status_code == 200


def test_a_wrong_slug_redirects_to_the_right_one(client):
    discussion = make_discussion(title="The real title")
    response = client.get(f"/discussions/{discussion.pk}/old-title/")
    assert response.status_code == 301
    assert response["Location"] == discussion.get_absolute_url()


def test_views_count_visitors_once_a_day_and_never_the_author(client):
    discussion = make_discussion()
    url = discussion.get_absolute_url()
    client.force_login(discussion.author)
    client.get(url)
    assert "Views: 0" in _text(client.get(url))
    client.force_login(UserFactory())
    client.get(url)
    client.get(url)
    assert "Views: 1" in _text(client.get(url))
    client.logout()
    client.get(url)
    assert "Views: 2" in _text(client.get(url))


def test_a_reply_shows_up_at_once_despite_the_page_cache(client):
    discussion = make_discussion()
    make_replies(discussion, 1)
    assert "Reply number 1" in _text(client.get(discussion.get_absolute_url()))
    services.reply_create(discussion=discussion, author=UserFactory(), body="Fresh news")
    assert "Fresh news" in _text(client.get(discussion.get_absolute_url()))


def test_edit_and_delete_controls_are_revealed_only_to_their_owner(client):
    discussion = make_discussion()
    (reply,) = make_replies(discussion, 1)
    client.force_login(reply.author)
    html = _text(client.get(discussion.get_absolute_url()))
    assert f'.reply[data-author="{reply.author.pk}"] .if-own{{display:inline}}' in html
    assert ".if-mod{display:inline}" not in html
    client.force_login(UserFactory(is_staff=True))
    assert ".if-mod{display:inline}" in _text(client.get(discussion.get_absolute_url()))


HOSTILE = (
    '<script>alert("x")</script><img src=x onerror=alert(1)>'
    '[click](javascript:alert(1)) <a href="data:text/html,<script>alert(1)</script>">d</a>'
    ' <svg onload=alert(1)></svg> <iframe src="https://evil.example"></iframe>'
)


def test_hostile_markup_never_reaches_the_page(client):
    author = UserFactory()
    client.force_login(author)
    client.post("/discussions/new/", {"title": "<script>alert(1)</script>", "body": HOSTILE})
    discussion = Discussion.objects.get()
    client.post(f"/discussions/{discussion.pk}/reply/", {"body": HOSTILE})
    html = _text(client.get(discussion.get_absolute_url()))
    main = html[html.index("<main") :]
    for needle in ("<script", "onerror", "javascript:", "data:text", "<svg", "<iframe", "onload"):
        assert needle not in main, needle
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main  # the title, escaped


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("x" * 10_000, "Keep your search under 200 characters."),
        ("?!... ---", "Type at least one word"),
        ("", "Type one or more words to search for."),
    ],
)
def test_bad_searches_get_a_400_that_says_what_is_wrong(client, query, message):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    assert message in _text(response)


def test_search_finds_discussions_and_replies_and_links_to_the_reply(client):
    author = UserFactory()
    hit = make_discussion(author=author, title="Unconference in Stoke", body="Free entry")
    reply = services.reply_create(
        discussion=make_discussion(author=author, title="Other"),
        author=author,
        body="See you at the unconference!",
    )
    make_discussion(author=author, title="Nothing here", body="quiet")
    html = _text(client.get("/search/", {"q": "unconference"}))
    assert "2 results" in html
    assert hit.get_absolute_url() in html
    assert f"/discussions/replies/{reply.pk}/" in html
    assert "<mark>unconference</mark>" in html
    assert "Nothing here" not in html
    # An empty form is a plain page, not an error.
    assert client.get("/search/").status_code == 200

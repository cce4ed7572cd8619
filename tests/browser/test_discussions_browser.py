"""Members read, start and answer discussions in a real browser; the database agrees."""

import re

import pytest
from playwright.sync_api import expect

from discussions import selectors, services
from discussions.models import Discussion, Reply, Report
from tests.discussions.factories import make_discussion, make_replies
from tests.members.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def people():
    return {
        "nadia": UserFactory(username="nadia", display_name="Nadia Rahman"),
        "owen": UserFactory(username="owen", display_name="Owen Price"),
        "grace": UserFactory(username="grace", display_name="Grace Okafor"),
    }


@pytest.fixture
def thread(people):
    """A tagged discussion with a plain reply, an answer to it and a quote of it."""
    discussion = make_discussion(
        author=people["nadia"],
        title="Allotment networks online",
        body="How do allotment groups **use** local websites?",
        tags=["local websites", "growing"],
    )
    first = services.reply_create(
        discussion=discussion,
        author=people["owen"],
        body="Our allotment society runs a blog.\nIt gets fifty readers a week.",
    )
    second = services.reply_create(
        discussion=discussion, author=people["grace"], body="Ours uses a mailing list."
    )
    answer = services.reply_create(
        discussion=discussion,
        author=people["nadia"],
        body="Which blogging tool, Owen?",
        in_reply_to=first,
    )
    quote = services.reply_create(
        discussion=discussion,
        author=people["grace"],
        body=selectors.quote_markdown(first) + "Fifty is a lot for a blog!",
        in_reply_to=first,
        quoted=first,
    )
    discussion.refresh_from_db()
    return {
        "discussion": discussion,
        "first": first,
        "second": second,
        "answer": answer,
        "quote": quote,
    }


def _url(site, path_or_obj):
    path = path_or_obj if isinstance(path_or_obj, str) else path_or_obj.get_absolute_url()
    return f"{site}{path}"


def _landed_on_reply(page, site, discussion, reply):
    """The page is the discussion (page 1) scrolled to that reply."""
    page.wait_for_url(f"{_url(site, discussion)}#reply-{reply.pk}")
    item = page.locator(f"#reply-{reply.pk}")
    expect(item).to_be_visible()
    expect(item).to_be_in_viewport()
    return item


# --- Replying ----------------------------------------------------------------------------------


def test_reply_to_a_specific_reply(page, site, people, thread, log_in):
    discussion = thread["discussion"]
    log_in(page, "nadia", PASSWORD)
    page.goto(_url(site, discussion))

    page.locator(f"li#reply-{thread['second'].pk}").get_by_role(
        "link", name="Reply to this"
    ).click()
    page.wait_for_url(re.compile(rf"/reply/\?to={thread['second'].pk}#reply-form$"))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Replying to Grace Okafor")
    expect(main.locator("blockquote.context")).to_contain_text("Ours uses a mailing list.")
    page.get_by_label("Your reply").fill("Is the list moderated?")
    page.get_by_role("button", name="Post reply").click()

    new = Reply.objects.get(discussion=discussion, body="Is the list moderated?")
    assert new.author == people["nadia"]
    assert new.in_reply_to == thread["second"]
    assert new.quoted is None
    assert new.position == 5

    item = _landed_on_reply(page, site, discussion, new)
    expect(page.get_by_role("status")).to_contain_text("Your reply is posted.")
    expect(item.locator(".prose")).to_have_text("Is the list moderated?")
    link = item.get_by_role("link", name="in reply to Grace Okafor")
    expect(link).to_have_attribute("href", thread["second"].get_absolute_url())

    link.click()
    _landed_on_reply(page, site, discussion, thread["second"])


def test_quote_a_reply(page, site, people, thread, log_in):
    discussion, first = thread["discussion"], thread["first"]
    log_in(page, "grace", PASSWORD)
    page.goto(_url(site, discussion))

    page.locator(f"li#reply-{first.pk}").get_by_role("link", name="Quote").click()
    page.wait_for_url(re.compile(rf"/reply/\?quote={first.pk}#reply-form$"))
    box = page.get_by_label("Your reply")
    prefilled = box.input_value()
    assert prefilled == (
        "> **Owen Price said:**\n>\n> Our allotment society runs a blog.\n"
        "> It gets fifty readers a week.\n\n"
    )
    box.fill(prefilled + "Which platform is the blog on?")
    page.get_by_role("button", name="Post reply").click()

    new = Reply.objects.get(discussion=discussion, position=5)
    assert new.quoted == first
    # Browsers submit textarea text with CRLF line ends; the service stores it as sent.
    assert new.body.replace("\r\n", "\n").startswith(selectors.quote_markdown(first))
    assert new.body.endswith("Which platform is the blog on?")

    item = _landed_on_reply(page, site, discussion, new)
    quote = item.locator(".prose blockquote")
    expect(quote).to_have_count(1)
    lines = [line for line in quote.inner_text().splitlines() if line.strip()]
    assert lines[0] == "Owen Price said:"
    expect(quote.locator("strong").first).to_have_text("Owen Price said:")
    expect(quote).to_contain_text("Our allotment society runs a blog.")
    expect(quote).to_contain_text("It gets fifty readers a week.")
    expect(item.locator(".prose > p").last).to_have_text("Which platform is the blog on?")


# --- Starting a discussion ---------------------------------------------------------------------


def test_start_a_discussion_with_tags(page, site, people, log_in):
    log_in(page, "owen", PASSWORD)
    page.goto(f"{site}/discussions/")
    page.get_by_role("link", name="Start a discussion").click()
    page.wait_for_url(f"{site}/discussions/new/")

    page.get_by_label("Title").fill("Hyperlocal news in Leeds")
    page.get_by_label("Message").fill("Who runs a **hyperlocal** site in Leeds?")
    page.get_by_label("Tags").fill("social reporting, Local Websites")
    page.get_by_role("button", name="Start discussion").click()

    discussion = Discussion.objects.get(title="Hyperlocal news in Leeds")
    assert discussion.author == people["owen"]
    assert sorted(discussion.tags.names()) == ["local websites", "social reporting"]
    page.wait_for_url(_url(site, discussion))
    expect(page.get_by_role("status")).to_contain_text("Your discussion has started.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hyperlocal news in Leeds")
    expect(page.locator(".opening .prose strong")).to_have_text("hyperlocal")

    page.get_by_role("link", name="Discussions", exact=True).click()
    page.wait_for_url(f"{site}/discussions/")
    row = page.get_by_role("row").filter(has_text="Hyperlocal news in Leeds")
    expect(row.get_by_role("link", name="Hyperlocal news in Leeds")).to_have_attribute(
        "href", discussion.get_absolute_url()
    )
    expect(row).to_contain_text("by Owen Price")

    row.get_by_role("link", name="social reporting").click()
    page.wait_for_url(f"{site}/discussions/tags/social-reporting/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Discussions tagged “social reporting”"
    )
    expect(page.get_by_role("link", name="Hyperlocal news in Leeds")).to_be_visible()


# --- Visitors ----------------------------------------------------------------------------------


def test_visitor_reads_but_is_asked_to_log_in_to_reply(page, site, people, thread):
    discussion, first = thread["discussion"], thread["first"]
    page.goto(_url(site, discussion))

    expect(page.get_by_role("heading", level=1)).to_have_text("Allotment networks online")
    expect(page.locator(f"#reply-{first.pk}")).to_contain_text("Our allotment society")
    reply_box = page.get_by_role("region", name="Reply to discussion")
    expect(reply_box.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("button", name="Post reply")).to_have_count(0)
    expect(page.locator("form[action$='/reply/']")).to_have_count(0)
    log_in_link = reply_box.get_by_role("link", name="Log in")
    expect(log_in_link).to_have_attribute("href", re.compile(r"^/accounts/login/\?next="))

    page.locator(f"li#reply-{first.pk}").get_by_role("link", name="Reply to this").click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")

    # Logging in there leads on to the reply form for that reply.
    page.get_by_label("Username or email").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(rf"/discussions/{discussion.pk}/reply/\?to={first.pk}"))
    expect(page.get_by_role("main")).to_contain_text("Replying to Owen Price")


# --- Reports -----------------------------------------------------------------------------------


def test_report_a_reply(page, site, people, thread, log_in):
    discussion, second = thread["discussion"], thread["second"]
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, discussion))
    page.locator(f"li#reply-{second.pk}").get_by_role("link", name="Report").click()
    page.wait_for_url(f"{site}/discussions/replies/{second.pk}/report/")
    expect(page.get_by_role("main")).to_contain_text("You are reporting a reply by Grace Okafor")
    page.get_by_label("What is wrong with this post?").fill("It advertises a product.")
    page.get_by_role("button", name="Send report").click()

    _landed_on_reply(page, site, discussion, second)
    expect(page.get_by_role("status")).to_contain_text("A moderator will look at your report.")
    report = Report.objects.get()
    assert (report.reporter, report.reply, report.reason) == (
        people["owen"],
        second,
        "It advertises a product.",
    )


def test_report_form_heading_names_what_is_reported(page, site, people, thread, log_in):
    log_in(page, "owen", PASSWORD)
    page.goto(f"{site}/discussions/replies/{thread['second'].pk}/report/")
    expect(page).to_have_title(re.compile(r"^Report a post"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report a post", timeout=2_000)


# --- Permalinks --------------------------------------------------------------------------------


def test_permalink_of_a_reply_on_page_two(page, site, people):
    discussion = make_discussion(author=people["nadia"], title="A long thread")
    replies = make_replies(discussion, 55, author=people["owen"])
    target = replies[52]  # position 53: the third reply on page 2
    assert target.position == 53

    page.goto(_url(site, target))
    page.wait_for_url(f"{_url(site, discussion)}?page=2#reply-{target.pk}")
    item = page.locator(f"#reply-{target.pk}")
    expect(item).to_be_visible()
    expect(item).to_be_in_viewport()
    expect(item.locator(".prose")).to_have_text("Reply number 53")
    expect(page.locator(f"#reply-{replies[0].pk}")).to_have_count(0)
    expect(page.locator(".reply")).to_have_count(5)
    expect(
        page.get_by_role("navigation", name="Pages of replies").first.locator("[aria-current=page]")
    ).to_have_text("Page 2")


# --- Accessibility -----------------------------------------------------------------------------


def _paths(thread):
    discussion, first = thread["discussion"], thread["first"]
    return {
        "discussions list": "/discussions/",
        "discussion page": discussion.get_absolute_url(),
        "search with results": "/search/?q=allotment",
        "search with an error": "/search/?q=!!!",
        "start-discussion form": "/discussions/new/",
        "reply form with a quote": f"/discussions/{discussion.pk}/reply/?quote={first.pk}",
        "report form": f"/discussions/replies/{first.pk}/report/",
        "tag page": "/discussions/tags/local-websites/",
    }


@pytest.mark.parametrize(
    "label",
    [
        "discussions list",
        "discussion page",
        "search with results",
        "search with an error",
        "start-discussion form",
        "reply form with a quote",
        "report form",
        "tag page",
    ],
)
def test_discussion_pages_have_no_axe_violations(
    page, site, people, thread, log_in, assert_accessible, label
):
    log_in(page, "owen", PASSWORD)
    response = page.goto(f"{site}{_paths(thread)[label]}")
    main = page.get_by_role("main")
    if label == "search with an error":
        assert response.status == 400
        expect(page.get_by_label("Search discussions and replies")).to_have_attribute(
            "aria-invalid", "true"
        )
        expect(main.locator("#q-errors")).to_contain_text("Type at least one word")
    else:
        assert response.status == 200
    if label == "search with results":
        expect(main.get_by_role("status")).to_contain_text("result")
        expect(main.locator("mark").first).to_be_visible()
    if label == "discussion page":
        expect(main.locator(".prose blockquote")).to_have_count(1)
        expect(main.locator(".in-reply-to")).to_have_count(2)
    if label == "reply form with a quote":
        expect(page.get_by_label("Your reply")).to_have_value(
            re.compile(r"^> \*\*Owen Price said:\*\*")
        )
    assert_accessible(page, label)


# --- Keyboard ----------------------------------------------------------------------------------


def test_keyboard_reaches_and_follows_reply_to_this(page, site, people, thread, log_in):
    discussion = thread["discussion"]
    log_in(page, "owen", PASSWORD)
    page.goto(_url(site, discussion))

    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => [document.activeElement.textContent.trim(),"
            " document.activeElement.closest('li.reply')?.id || '']"
        )
        if focused[0] == "Reply to this":
            break
    else:
        pytest.fail("Tab never reached a “Reply to this” link")
    assert focused[1] == f"reply-{thread['first'].pk}"

    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/discussions/{discussion.pk}/reply/\?to={thread['first'].pk}"))
    expect(page.get_by_role("main")).to_contain_text("Replying to Owen Price")

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.members.factories import UserFactory

# Every test in this folder drives Chromium against a live server.
pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, page, csp_violations):
    """The live server's base URL, with the page's timeouts kept short."""
    page.set_default_timeout(10_000)
    return live_server.url


@pytest.fixture
def csp_violations(context):
    """Every browser test runs under the site's Content-Security-Policy and fails on a
    violation (reported by Chromium on the console of any page in the test's context)."""
    seen: list[str] = []

    def watch(message):
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    context.on("console", watch)
    context.on("page", lambda new_page: None)
    yield seen
    assert not seen, "CSP violations:\n" + "\n".join(seen)


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    def check(page, label: str):
        results = axe.run(page)
        assert results.violations_count == 0, f"axe on {label}:\n{results.generate_report()}"

    return check


@pytest.fixture
def log_in(site):
    def do(page, login: str, password: str):
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Username or email").fill(login)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{site}/")

    return do


@pytest.fixture
def people():
    """The same four members in every browser test module that asks for them."""
    return {
        "nadia": UserFactory(username="nadia", display_name="Nadia Rahman"),
        "owen": UserFactory(username="owen", display_name="Owen Price"),
        "grace": UserFactory(username="grace", display_name="Grace Okafor"),
        "felix": UserFactory(username="felix", display_name="Felix Moreau"),
    }


@pytest.fixture
def new_page(browser, site):
    """Pages in browser contexts of their own (another person at another computer)."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()

import pytest
from axe_playwright_python.sync_playwright import Axe

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

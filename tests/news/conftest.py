import pytest

from tests.news.feedserver import FeedServer


@pytest.fixture
def feed_server():
    """A local HTTP server serving canned feeds (no internet), stopped after the test."""
    server = FeedServer().start()
    yield server
    server.stop()

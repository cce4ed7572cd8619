"""Query-count guards: a page must cost the same number of queries for small and large data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url: str) -> tuple[int, list[str]]:
    """Fetch ``url`` and return the number of queries it ran and their SQL."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_same_queries(small: tuple[int, list[str]], large: tuple[int, list[str]], label: str):
    if small[0] != large[0]:
        lines = [f"{label}: {small[0]} queries with little data, {large[0]} with much data."]
        lines.append("-- with little data:")
        lines.extend(f"  {sql}" for sql in small[1])
        lines.append("-- with much data:")
        lines.extend(f"  {sql}" for sql in large[1])
        raise AssertionError("\n".join(lines))


def assert_max_queries(result: tuple[int, list[str]], limit: int, label: str):
    if result[0] > limit:
        sql = "\n".join(f"  {q}" for q in result[1])
        raise AssertionError(f"{label}: {result[0]} queries, more than {limit}:\n{sql}")

"""Security headers on every response, and the production ones in production."""

import pytest

from tests.discussions.factories import make_discussion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/discussions/", "/members/", "/healthz", "/no-such-page/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_inline_style_and_json_ld_carry_the_nonce_of_the_response(client, django_user_model):
    discussion = make_discussion()
    client.force_login(discussion.author)
    response = client.get(discussion.get_absolute_url())
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()


def test_production_sends_hsts():
    import subprocess
    import sys

    from tests.test_settings import PRODUCTION_ENV, ROOT

    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', secure=True, HTTP_HOST='socialbysocial.example.org');"
        "print(r['Strict-Transport-Security'])"
    )
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "socialbysocial.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "max-age=31536000; includeSubDomains; preload"

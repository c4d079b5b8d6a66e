from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_sends_the_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_it_refuses_a_post_without_a_csrf_token(csrf_client, member):
    csrf_client.force_login(member)
    response = csrf_client.post(f"/members/{member.username}/edit/", {"display_name": "x"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.display_name == "Maya"


def test_it_shows_a_friendly_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from community.models import EDITORS_GROUP, MEMBERS_GROUP, MODERATORS_GROUP

pytestmark = pytest.mark.django_db


def test_it_creates_the_three_roles_as_groups():
    names = set(Group.objects.values_list("name", flat=True))
    assert {MEMBERS_GROUP, MODERATORS_GROUP, EDITORS_GROUP} <= names


def test_it_never_gives_members_admin_access():
    members = Group.objects.get(name=MEMBERS_GROUP)
    assert not members.permissions.filter(codename="access_admin").exists()


def test_it_lets_editors_into_the_admin(editor_client):
    response = editor_client.get("/admin/")
    assert response.status_code == 200


def test_it_answers_403_to_a_member_at_the_admin(member_client):
    response = member_client.get("/admin/")
    assert response.status_code == 403
    assert "editors’ area" in response.content.decode()
    assert member_client.get("/admin/pages/").status_code == 403


def test_it_sends_a_visitor_to_sign_in_at_the_admin(visitor_client):
    response = visitor_client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_gives_moderators_no_page_permissions(moderator, moderator_client):
    from wagtail.models import Page

    home = Page.objects.get(depth=2)
    assert not home.permissions_for_user(moderator).can_edit()
    assert not home.permissions_for_user(moderator).can_publish()
    response = moderator_client.get(f"/admin/pages/{home.pk}/edit/")
    assert response.status_code in (302, 403)


def test_it_gives_editors_page_permissions(editor):
    from wagtail.models import Page

    home = Page.objects.get(depth=2)
    permissions = home.permissions_for_user(editor)
    assert permissions.can_edit()
    assert permissions.can_publish()

"""Nothing on a page waits for a third party, and what is above the fold loads at once."""

from __future__ import annotations

import re

from django.core.files.base import ContentFile

from tests.factories import image_bytes


def test_the_header_avatar_is_not_lazy_loaded(member, member_client):
    member.avatar.save("face.png", ContentFile(image_bytes()), save=True)
    page = member_client.get("/forum/").content.decode()
    header = page.split('<main id="main"', 1)[0]
    (avatar,) = re.findall(r'<img class="avatar"[^>]*>', header)
    assert f'src="{member.avatar.url}"' in avatar
    assert "loading=" not in avatar


def test_avatars_below_the_fold_still_load_lazily(member, member_client):
    from tests.forum.factories import make_topic

    member.avatar.save("face.png", ContentFile(image_bytes()), save=True)
    topic = make_topic(author=member, title="Crumb shots")
    body = member_client.get(topic.get_absolute_url()).content.decode().split('<main id="main"')[1]
    assert 'class="avatar"' in body and 'loading="lazy"' in body


def test_the_admin_asks_gravatar_for_nothing(editor_client, moderator_client):
    for client in (editor_client, moderator_client):
        page = client.get("/admin/").content.decode()
        assert "gravatar" not in page.lower()

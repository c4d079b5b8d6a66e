"""scripts/backup.sh and scripts/restore_drill.py against the real PostgreSQL test database.

The rows are committed (a transactional test) because pg_dump runs in another process.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from community.chat.models import ChatMessage
from community.forum.models import Post
from community.models import User
from referrals.models import PointsEntry, Referral
from tests.chat.factories import make_room
from tests.factories import make_member
from tests.forum.factories import make_reply, make_topic
from tests.referrals.factories import converted_referral

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_postgres"),
    pytest.mark.timeout(300),
]


def _database_url() -> str:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _scratch_databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'hearth_drill_%%'")
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def site_with_rows() -> dict[str, int]:
    maya, sam = make_member(username="maya"), make_member(username="sam")
    topic = make_topic(author=maya, title="Sourdough starters")
    make_reply(topic=topic, author=sam)
    room = make_room()
    ChatMessage.objects.create(room=room, author=maya, body="Hello")
    ChatMessage.objects.create(room=room, author=sam, body="Hi Maya")
    converted_referral(referrer=maya)
    counts = {
        "members": User.objects.count(),
        "forum posts": Post.objects.count(),
        "chat messages": ChatMessage.objects.count(),
        "referrals": Referral.objects.count(),
        "points-ledger rows": PointsEntry.objects.count(),
    }
    assert all(counts.values()), counts
    return counts


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    media = tmp_path / "media"
    (media / "avatars").mkdir(parents=True)
    (media / "avatars" / "maya.webp").write_bytes(b"RIFF....WEBP")
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "MEDIA_ROOT": str(media),
    }


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def _backup(env: dict[str, str]) -> Path:
    result = _run(["bash", "scripts/backup.sh"], env)
    assert result.returncode == 0, result.stderr
    [dump] = Path(env["BACKUP_DIR"]).glob("hearth-2*.dump")
    return dump


def _drill(env: dict[str, str]) -> subprocess.CompletedProcess:
    return _run([sys.executable, "scripts/restore_drill.py"], env)


def _scratch_name(output: str) -> str:
    match = re.search(r"scratch database (hearth_drill_\w+)", output)
    assert match, output
    return match.group(1)


def test_the_latest_backup_restores_with_every_row_and_the_drill_passes(site_with_rows, env):
    backups = Path(env["BACKUP_DIR"])
    backups.mkdir()
    (backups / "hearth-19991231T000000Z.dump").write_bytes(b"an older, broken backup")
    dump = _backup(env)
    name = dump.name.removesuffix(".dump")
    assert (backups / f"{name}.media.tar.gz").exists()
    assert (backups / f"{name}.counts.tsv").exists()

    result = _drill(env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Restore drill: {dump}" in result.stdout
    assert "opens: 1 file." in result.stdout
    for label, rows in site_with_rows.items():
        assert re.search(rf"^{label}\s+\S+\s+{rows}\s+{rows}\s+ok$", result.stdout, re.M), (
            label,
            result.stdout,
        )
    assert "Restore drill passed." in result.stdout
    assert _scratch_name(result.stdout) not in _scratch_databases()


def test_the_drill_fails_when_the_restored_counts_differ(site_with_rows, env):
    dump = _backup(env)
    counts = dump.with_name(dump.name.replace(".dump", ".counts.tsv"))
    lines = counts.read_text().splitlines()
    counts.write_text(
        "\n".join(
            f"public.forum_post\t{int(line.split(chr(9))[1]) + 1}"
            if line.startswith("public.forum_post\t")
            else line
            for line in lines
        )
    )

    result = _drill(env)

    assert result.returncode == 1, result.stdout + result.stderr
    posts = site_with_rows["forum posts"]
    assert re.search(
        rf"^forum posts\s+\S+\s+{posts + 1}\s+{posts}\s+MISMATCH$", result.stdout, re.M
    )
    assert "Restore drill FAILED" in result.stdout
    assert _scratch_name(result.stdout) not in _scratch_databases()


def test_a_damaged_dump_fails_the_drill_and_leaves_no_scratch_database(site_with_rows, env):
    dump = _backup(env)
    damaged = dump.with_name("hearth-29991231T000000Z.dump")
    damaged.write_bytes(dump.read_bytes()[: len(dump.read_bytes()) // 2])
    shutil.copy(
        dump.with_name(dump.name.replace(".dump", ".media.tar.gz")),
        damaged.with_name("hearth-29991231T000000Z.media.tar.gz"),
    )

    result = _drill(env)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "Restore drill: " + str(damaged) in result.stdout
    assert "pg_restore failed" in result.stdout
    assert _scratch_name(result.stdout) not in _scratch_databases()

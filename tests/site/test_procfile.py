"""The Procfile that `make serve` and production hosts run under honcho."""

from __future__ import annotations

import shlex
from pathlib import Path

from honcho.environ import parse_procfile

from community.chat.protocol import MAX_FRAME_BYTES

ROOT = Path(__file__).resolve().parents[2]


def _processes() -> dict[str, str]:
    return dict(parse_procfile((ROOT / "Procfile").read_text()).processes)


def test_it_runs_the_web_the_task_worker_and_one_scheduler_with_web_first():
    # honcho hands $PORT to the first process only.
    assert list(_processes()) == ["web", "worker", "scheduler"]
    assert _processes()["worker"] == "python manage.py db_worker"
    assert _processes()["scheduler"] == "python manage.py run_scheduler"


def test_uvicorn_refuses_websocket_frames_larger_than_the_chat_protocol_allows():
    web = shlex.split(_processes()["web"])
    assert web[:2] == ["uvicorn", "hearth.asgi:application"]
    options = {
        flag: value
        for flag, value in zip(web, [*web[1:], ""], strict=True)
        if flag.startswith("--") and not value.startswith("--")
    }
    assert options["--ws-max-size"] == str(MAX_FRAME_BYTES)
    assert options["--ws"] == "websockets-sansio"
    assert options["--ws-per-message-deflate"] == "false"
    assert options["--workers"] == "${WEB_WORKERS:-2}"
    assert "--proxy-headers" in web

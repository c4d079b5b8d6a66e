"""The protocol is declared once (community/chat/protocol.py) and the docs follow it."""

from __future__ import annotations

import re
from pathlib import Path

from community.chat.protocol import SCHEMAS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "chat.md"


def _documented_client_frames() -> dict[str, set[str]]:
    text = DOCS.read_text()
    table = text.split("### Client → server", 1)[1].split("###", 1)[0]
    frames = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`(\w+)`", cells[0]) if len(cells) >= 3 else None
        if match:
            frames[match.group(1)] = set(re.findall(r"`(\w+)`:", cells[1]))
    return frames


def test_the_docs_list_every_client_frame_with_exactly_its_declared_fields():
    documented = _documented_client_frames()
    assert set(documented) == set(SCHEMAS)
    for kind, schema in SCHEMAS.items():
        assert documented[kind] == set(schema.model_fields), kind

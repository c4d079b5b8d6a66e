from __future__ import annotations

import pytest
from channels.layers import channel_layers


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    # Each async test runs on its own event loop; an in-memory layer's queues belong to
    # the loop that first used them, so every test gets a new layer.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()

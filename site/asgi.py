"""ASGI entry point: HTTP through Django, websockets through Channels.

uvicorn serves it, in development (`make run`: one process that reloads on changes) and
in production (the Procfile's `web`: several workers, docs/deploy.md).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from hearth.origins import SameOriginValidator  # noqa: E402
from hearth.routing import websocket_urlpatterns  # noqa: E402
from hearth.socket_identity import SocketIdentityMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginValidator(
            SocketIdentityMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)

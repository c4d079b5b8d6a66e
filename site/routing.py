"""Every app's websocket routes, gathered for the ASGI router."""

from community.chat.routing import websocket_urlpatterns as chat_routes
from community.routing import websocket_urlpatterns as community_routes

websocket_urlpatterns = [*community_routes, *chat_routes]

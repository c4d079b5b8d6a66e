"""What the soak measures, declared once: the page types (locust ``name=``) and the seed keys.

Plain Python with no dependencies: the orchestrator and the seeder (Hearth's virtualenv)
and the locustfile (the soak's own virtualenv) all import it, and ``--check`` holds the
locustfile to it.
"""

from __future__ import annotations

# (name, what one request of it is). The report lists them in this order.
PAGE_TYPES: tuple[tuple[str, str], ...] = (
    ("home", "GET / (visitor)"),
    ("forum index", "GET /forum/"),
    ("category", "GET /forum/c/<slug>/"),
    ("topic p1", "GET a topic's first page (visitor)"),
    ("topic deep page", "GET page 2..50 of the 1,000-post topic (visitor)"),
    ("guide", "GET a published member guide"),
    ("blog post", "GET a published blog post"),
    ("search", "GET /search/?q=<word>"),
    ("chat room page", "GET /chat/<room>/ (visitor, server-rendered history)"),
    ("referral link", "GET /r/<code>/: log the visit, set the cookie, 302"),
    ("topic (member)", "GET a topic page signed in (read state, reactions, reply form)"),
    ("members category", "GET a members-only category (signed in)"),
    ("unread badge", "GET /chat/unread/ (htmx, after every signed-in page)"),
    ("reply", "POST a reply with the CSRF token (302 to the new post)"),
    ("react", "POST a reaction to a post on the page (htmx partial)"),
    ("sign-in page", "GET /accounts/login/"),
    ("sign in", "POST the allauth sign-in form (302)"),
    ("sign out", "POST /accounts/logout/ (302)"),
    ("ws connect", "open /ws/chat/<room>/ with the session cookie until `ready`"),
    ("ws send->ack", "`send` frame until its `ack` (saved, then broadcast)"),
    ("ws since", "`since` after a reconnect until `synced`"),
)
PAGE_TYPE_NAMES: tuple[str, ...] = tuple(name for name, _ in PAGE_TYPES)

# What the seeder writes to seed.json and the locustfile reads.
SEED_KEYS: tuple[str, ...] = (
    "sessions",  # [{"username", "key"}]: signed-in members, one per simulated member
    "logins",  # [{"email", "password"}]: verified members for the sign-in form
    "categories",  # public category URLs
    "member_categories",  # members-only category URLs
    "topics",  # [{"id", "url", "pages"}] in public categories
    "member_topics",  # [{"id", "url", "pages"}] in members-only categories
    "big_topic",  # {"id", "url", "pages"}: the 1,000-post topic
    "guides",  # published guide URLs
    "blog_posts",  # published blog post URLs
    "chat_rooms",  # [{"slug", "public"}]
    "referral_codes",  # personal link codes of members in good standing
    "search_terms",  # words that find something
)

# The locustfile logs this for each GET it sent again because the server closed the idle
# kept-alive connection under it (as browsers do); the report counts these lines.

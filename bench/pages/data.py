"""The data both sides of the page benchmark build: the same members, one long topic and
the same Markdown body in every post. Plain Python (no Django), so django-machina's
driver, which runs in its own virtualenv, reads the very same values."""

from __future__ import annotations

MEMBERS = 50  # authors of the long topic's posts, round robin: bench-member-00 ... -49
READER = "bench-reader"  # the signed-in member who reads the pages
PASSWORD = "bench-pages-2026"
CATEGORY = "Getting started"
TOPIC_TITLE = "How do you keep a sourdough starter alive on holiday?"
POSTS = 1000  # the long topic, opening post included
PER_PAGE = 20
PAGES = (1, 50)  # the first and the last page of the long topic
REQUESTS = 200  # timed requests per page (median reported), after WARMUP untimed ones
WARMUP = 20

# ~600 characters of ordinary forum Markdown: emphasis, a link, a list, inline code.
BODY = """Thanks for the **detailed** answer, this helped a lot. I tried the method from the
[feeding guide](https://example.com/guides/feeding) last week and the starter came back
after two feeds. A few things I noticed:

- keep it in the *fridge* before you leave, not on the counter;
- feed it a stiffer mix (about `1:5:5`) so it has more to eat while you are away;
- when you are back, discard most of it and feed twice a day for two days.

It smelled a bit like nail varnish at first, which apparently is normal when it is hungry.
Mine rose to double within six hours on the third day, so I think it is fine now. Has
anyone tried drying some as a backup?"""


def member_name(index: int) -> str:
    return f"bench-member-{index:02d}"

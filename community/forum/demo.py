"""Demo forum: 4 categories, 27 topics (one in Estonian, one in Ukrainian) with replies,
reactions, tags and solved topics.

Idempotent: categories are found by slug and topics by (category, title), so a second run
changes nothing. Rows are written directly, not through the actions, so loading demo
content sends no notifications or emails and does not feed the referral hub; the
denormalised counters are then recomputed by the same model methods the actions use.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from community.models import REACTION_KEYS, User

from .markup import render_post
from .models import (
    Category,
    NotificationLevel,
    Post,
    Reaction,
    ReadAccess,
    StartPermission,
    Topic,
    TopicTag,
    TopicUser,
)

CATEGORIES = [
    # slug, name, description, colour, who may start, read access
    (
        "announcements",
        "Announcements",
        "News from the Hearth team. Only moderators start topics here; everyone can reply.",
        "ember",
        StartPermission.MODERATORS,
        ReadAccess.PUBLIC,
    ),
    (
        "getting-started",
        "Getting started",
        "New here? Say hello and ask anything, however small.",
        "sky",
        StartPermission.MEMBERS,
        ReadAccess.PUBLIC,
    ),
    (
        "baking",
        "Baking & recipes",
        "Bread, cakes, pans and ovens: share what you make and how.",
        "moss",
        StartPermission.MEMBERS,
        ReadAccess.PUBLIC,
    ),
    (
        "members-kitchen",
        "Members’ kitchen",
        "For signed-in members: meet-ups, swaps and behind-the-scenes chat.",
        "plum",
        StartPermission.MEMBERS,
        ReadAccess.MEMBERS,
    ),
]

TAGS = ["sourdough", "cast iron", "bread", "beginners", "events", "recipes", "equipment", "cakes"]

# category, author, days ago, title, body, tags, replies [(author, body)],
# options: solution (reply index), pinned, locked, language (English when not said)
TOPICS = [
    (
        "announcements",
        "mo",
        60,
        "Welcome to the Hearth forum",
        "Hello and welcome! This is the place to ask, share and help.\n\n"
        "- Be kind and assume good intent.\n- Search before you ask.\n"
        "- Flag anything that looks wrong; a moderator will take a look.",
        ["beginners"],
        [("maya", "Lovely to be here. 🎉"), ("sam", "Thanks for setting this up!")],
        {"pinned": True},
    ),
    (
        "announcements",
        "mo",
        45,
        "Spring market dates are out",
        "We will be at the spring markets on the first Saturday of each month. Come and say hi!",
        ["events"],
        [
            ("ana", "Bringing two friends to the first one."),
            ("priya", "Will there be a bread workshop?"),
            ("mo", "@priya yes, at 11:00 on the first day."),
        ],
        {},
    ),
    (
        "announcements",
        "mo",
        90,
        "Forum maintenance last weekend (done)",
        "The forum was briefly read-only on Sunday morning. All done; thanks for your patience.",
        [],
        [("leo", "Didn't even notice!")],
        {"locked": True},
    ),
    (
        "getting-started",
        "leo",
        11,
        "Hi everyone, I'm Leo",
        "Just joined. I bake on weekends and want to get better at bread.",
        ["beginners"],
        [
            ("maya", "Welcome Leo! The sourdough guide is a great first read."),
            ("priya", "Welcome! Ask anything here."),
            ("ana", "Hello from another weekend baker."),
        ],
        {},
    ),
    (
        "getting-started",
        "sam",
        30,
        "How do notifications work?",
        "I got a bell notification when someone replied. Can I turn emails off?",
        ["beginners"],
        [
            (
                "mo",
                "You get emails only for @mentions. Turn them off on your profile "
                "under **Edit your profile**.",
            ),
            ("sam", "Found it, thanks!"),
        ],
        {"solution": 0},
    ),
    (
        "getting-started",
        "ana",
        25,
        "What does watching a topic mean?",
        "There is a Notifications menu on each topic. What do watching and tracking do?",
        ["beginners"],
        [
            (
                "priya",
                "Watching means replies to that topic show up in your bell. You "
                "watch topics you start or reply to automatically.",
            )
        ],
        {"solution": 0},
    ),
    (
        "getting-started",
        "priya",
        20,
        "Tips for writing a good question",
        "Say what you tried, what happened and what you expected. Photos help a lot!",
        ["beginners"],
        [("sam", "Adding: mention the flour you used."), ("maya", "And your oven temperature.")],
        {},
    ),
    (
        "getting-started",
        "maya",
        14,
        "Markdown cheat sheet for posts",
        "**bold**, _italic_, `code`, > quotes and lists with `- `. Links like "
        "[this](https://example.com) work too.",
        [],
        [("leo", "Super handy, thanks @maya.")],
        {},
    ),
    (
        "getting-started",
        "leo",
        3,
        "Where do I find the guides?",
        "Is there a list of member guides somewhere?",
        ["beginners"],
        [("ana", "Top menu → Guides. The sourdough one is great.")],
        {"solution": 0},
    ),
    (
        "baking",
        "maya",
        40,
        "My sourdough is too dense: what am I doing wrong?",
        "Second loaf in a row with a tight, gummy crumb. 75% hydration, 4 hours bulk at 20 °C.",
        ["sourdough", "bread"],
        [
            ("priya", "At 20 °C four hours is short. Try bulk until it has risen about 50%."),
            ("sam", "Is your starter doubling within 6 hours of feeding?"),
            ("maya", "It doubles in about 8. I'll feed it twice a day for a week."),
            ("priya", "Also check the dough temperature, not just the room."),
        ],
        {"solution": 0},
    ),
    (
        "baking",
        "sam",
        35,
        "Seasoning a new cast iron pan",
        "Just bought my first cast iron skillet. Oven seasoning or stovetop?",
        ["cast iron", "equipment"],
        [
            ("mo", "Oven: thin coat of oil, upside down, 250 °C for an hour. Repeat three times."),
            ("ana", "And cook something fatty first, bacon is perfect."),
        ],
        {"solution": 0},
    ),
    (
        "baking",
        "priya",
        28,
        "Favourite flour for baguettes?",
        "Looking for something with a bit more protein than plain flour.",
        ["bread", "recipes"],
        [("maya", "T65 if you can find it."), ("leo", "Bread flour works for me.")],
        {},
    ),
    (
        "baking",
        "ana",
        26,
        "Victoria sponge that does not sink",
        "Every time mine sinks in the middle. Oven is 180 °C fan.",
        ["cakes", "recipes"],
        [
            ("priya", "Fan at 180 is hot: try 160 and don't open the door early."),
            ("ana", "160 did it! Perfect rise."),
        ],
        {"solution": 0},
    ),
    (
        "baking",
        "leo",
        22,
        "Is a Dutch oven worth it?",
        "Thinking about buying one just for bread.",
        ["equipment", "bread"],
        [
            ("sam", "Yes, the steam makes a huge difference."),
            ("maya", "A roasting tin with a tray of water gets you close."),
        ],
        {},
    ),
    (
        "baking",
        "maya",
        18,
        "Rye starter smells like nail varnish",
        "Is it dead?",
        ["sourdough"],
        [("priya", "Just hungry. Feed it more often and keep it warm.")],
        {"solution": 0},
    ),
    (
        "baking",
        "priya",
        15,
        "Share your weekend bakes",
        "Post a photo or a description of what you baked this weekend!",
        ["bread", "cakes"],
        [
            ("sam", "Focaccia with rosemary."),
            ("ana", "Cinnamon buns."),
            ("leo", "My first ever sourdough, flat but tasty."),
            ("maya", "Rye and caraway."),
        ],
        {},
    ),
    (
        "baking",
        "sam",
        12,
        "Cleaning burnt-on sugar from cast iron",
        "Caramel disaster. How do I get it off without ruining the seasoning?",
        ["cast iron"],
        [("mo", "Boil water in the pan for a few minutes, then scrape with wood.")],
        {"solution": 0},
    ),
    (
        "baking",
        "ana",
        9,
        "Overnight oats with a twist",
        "Grated apple, cinnamon and a spoon of tahini. Try it!",
        ["recipes"],
        [("maya", "Tahini! Brilliant idea.")],
        {},
    ),
    (
        "baking",
        "leo",
        7,
        "Scoring patterns for beginners",
        "Any simple patterns that look good?",
        ["bread", "beginners"],
        [
            ("priya", "One long ear at 30°, or a simple cross."),
            ("sam", "A wheat-stalk pattern is easy too."),
        ],
        {},
    ),
    (
        "baking",
        "maya",
        4,
        "Keeping a baking log",
        "I started writing down hydration, times and temperatures. It helps a lot.",
        ["sourdough"],
        [
            ("leo", "What do you use? Paper or a spreadsheet?"),
            ("maya", "A spreadsheet, there's a guide about it."),
        ],
        {},
    ),
    (
        "members-kitchen",
        "ana",
        20,
        "Members' meet-up in March",
        "Shall we do a bake-and-swap meet-up in March? Bring a loaf, take a loaf.",
        ["events"],
        [("maya", "Count me in."), ("sam", "Yes please!"), ("leo", "First meet-up for me!")],
        {},
    ),
    (
        "members-kitchen",
        "sam",
        16,
        "Starter swap",
        "I have far too much starter. Anyone want some?",
        ["sourdough"],
        [("leo", "Yes please!")],
        {},
    ),
    (
        "members-kitchen",
        "priya",
        10,
        "Feedback on the new guide editor",
        "What do you think of writing guides on the site?",
        [],
        [
            ("maya", "Easy to use. Preview would be nice."),
            ("eddie", "Thanks, noted for the next round."),
        ],
        {},
    ),
    (
        "members-kitchen",
        "maya",
        6,
        "Bringing friends to Hearth",
        "I've invited two friends from my baking class. How do you introduce people?",
        ["events"],
        [("ana", "I send them the welcome topic first.")],
        {},
    ),
    (
        "members-kitchen",
        "eddie",
        2,
        "Blog ideas wanted",
        "What should we write about next on the blog?",
        [],
        [("priya", "A piece on flour types!"), ("sam", "Cast iron myths.")],
        {},
    ),
    # Members write in their own language: the topic carries it (options["language"]).
    (
        "baking",
        "leo",
        4,
        "Rukkijuuretis ei taha kerkida",
        "Tere! Tegin nädal tagasi rukkijahust ja veest juuretise, aga see mullitab vaid "
        "natuke ega kerki üldse. Köök on üsna jahe, umbes 18 kraadi. Kas peaksin purgi "
        "soojemasse kohta viima või toitma teda rohkem?",
        ["sourdough", "bread"],
        [
            (
                "ana",
                "Tere, Leo! Jahedas köögis läheb lihtsalt kauem aega. Pane purk ahju või "
                "radiaatori lähedale, kus on paar kraadi soojem, ja toida juuretist iga päev "
                "samal ajal.",
            ),
            (
                "maya",
                "Mul oli täpselt sama mure. Aitas see, kui lisasin toitmisel natuke vähem vett: "
                "paksem juuretis kerkis palju ilusamini.",
            ),
            (
                "leo",
                "Aitäh teile mõlemale! Viisin purgi ahju kõrvale ja täna hommikul oli juuretis "
                "juba kaks korda suuremaks kerkinud.",
            ),
        ],
        {"language": "et", "solution": 0},
    ),
    (
        "baking",
        "sam",
        3,
        "Який хліб ви печете на вихідних?",
        "Привіт усім! Я щосуботи печу житній хліб за бабусиним рецептом, з кмином і ложкою "
        "меду. А що печете ви? Поділіться улюбленими рецептами, особливо простими, для "
        "початківців.",
        ["bread", "recipes"],
        [
            (
                "priya",
                "Я печу паляницю. Головне — добре вимісити тісто й дати йому спокійно підійти "
                "в теплі. Глибокий надріз збоку, і вона сама гарно розкривається в духовці.",
            ),
            (
                "ana",
                "А я нещодавно вперше спекла хліб на заквасці. Вийшов трохи щільний, але дуже "
                "смачний. Наступного разу дам тісту більше часу.",
            ),
            (
                "sam",
                "Дякую за ідеї! Паляниця вже в моєму списку на цю суботу, розповім, як вийшло.",
            ),
        ],
        {"language": "uk"},
    ),
]


def _categories() -> dict[str, Category]:
    categories = {}
    for order, (slug, name, description, colour, start, read) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "colour": colour,
                "who_may_start": start,
                "read_access": read,
                "order": order,
            },
        )
    return categories


def _tags() -> dict[str, TopicTag]:
    tags = {}
    for name in TAGS:
        tags[name], _ = TopicTag.objects.get_or_create(
            name=name, defaults={"slug": name.replace(" ", "-")}
        )
    return tags


def _react(post: Post, people: list[User], seed: int) -> None:
    others = [p for p in people if p.pk != post.author_id]
    for i, person in enumerate(others[: seed % 4 + 1]):
        Reaction.objects.get_or_create(
            post=post, member=person, kind=REACTION_KEYS[(seed + i) % len(REACTION_KEYS)]
        )
    counts: dict[str, int] = {}
    for kind in post.reactions.values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    post.reaction_counts = {key: counts[key] for key in REACTION_KEYS if key in counts}
    post.save(update_fields=["reaction_counts"])


def _make_topic(spec, *, categories, tags, people, now, seed) -> bool:
    slug, author_name, days_ago, title, body, tag_names, replies, options = spec
    category = categories[slug]
    if Topic.objects.filter(category=category, title=title).exists():
        return False
    by_name = {p.username: p for p in people}
    author = by_name[author_name]
    started = now - timedelta(days=days_ago, hours=seed % 7)
    topic = Topic.objects.create(
        title=title,
        category=category,
        author=author,
        created_at=started,
        last_activity_at=started,
        pinned=options.get("pinned", False),
        locked=options.get("locked", False),
        language=options.get("language", settings.LANGUAGE_CODE),
    )
    topic.tags.set([tags[name] for name in tag_names])
    writers = [(author, body)] + [(by_name[name], text) for name, text in replies]
    posts = []
    for number, (writer, text) in enumerate(writers, start=1):
        at = started + timedelta(hours=3 * (number - 1), minutes=seed)
        posts.append(
            Post.objects.create(
                topic=topic,
                number=number,
                author=writer,
                source=text,
                html=render_post(text).html,
                created_at=min(at, now),
            )
        )
        state, _ = TopicUser.objects.get_or_create(member=writer, topic=topic)
        state.last_read_number = number
        state.watching = True
        state.level = NotificationLevel.WATCHING
        state.save(update_fields=["last_read_number", "watching", "level"])
    topic.posts_total = len(posts)
    if "solution" in options:
        topic.solution = posts[options["solution"] + 1]
    topic.save(update_fields=["posts_total", "solution"])
    for i, post in enumerate(posts):
        if (seed + i) % 3 != 2:
            _react(post, people, seed + i)
    topic.refresh_stats()
    return True


@transaction.atomic
def load(*, stdout) -> None:
    people = list(
        User.objects.filter(username__in=["maya", "sam", "priya", "leo", "ana", "mo", "eddie"])
    )
    if len(people) < 7:
        stdout.write("  forum: skipped (run community.demo first to make the people)")
        return
    categories = _categories()
    tags = _tags()
    now = timezone.now()
    created = sum(
        _make_topic(spec, categories=categories, tags=tags, people=people, now=now, seed=i)
        for i, spec in enumerate(TOPICS)
    )
    for category in categories.values():
        category.refresh_stats()
    stdout.write(
        f"  forum: {len(categories)} categories, {Topic.objects.count()} topics "
        f"({created} new), {Post.objects.count()} posts"
    )

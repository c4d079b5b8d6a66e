"""Demo content for the blog and the guides. Idempotent: a second run changes nothing.

Images are drawn with Pillow here (no downloads). Guides go through the same actions as
the site's guide editor and Wagtail's real workflow: members write and submit, Eddie
(an editor) asks for changes or approves.
"""

from __future__ import annotations

import io
import random
from datetime import timedelta
from typing import Any, NotRequired, TypedDict

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, WorkflowState

from blog import actions
from blog.actions import GuideDraft
from blog.markup import source_to_blocks
from blog.models import Author, BlogIndexPage, BlogPage, BlogPageAuthor, GuideIndexPage, GuidePage
from community.models import User
from community.uploads import process_uploaded_image
from hearth.mail import no_emails
from hearth.models import HomePage

PALETTES = [
    ((164, 65, 14), (246, 196, 120)),
    ((31, 95, 139), (168, 214, 236)),
    ((29, 107, 58), (196, 232, 170)),
    ((124, 48, 10), (255, 221, 170)),
    ((70, 46, 110), (214, 190, 240)),
    ((138, 90, 0), (255, 236, 160)),
    ((20, 70, 80), (160, 220, 210)),
    ((161, 29, 29), (250, 200, 190)),
]


def draw_picture(seed: int, size: tuple[int, int] = (1200, 675), fmt: str = "JPEG") -> bytes:
    """A warm abstract picture: a vertical gradient with soft circles and hills."""
    rng = random.Random(seed)
    dark, light = PALETTES[seed % len(PALETTES)]
    width, height = size
    image = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(light[i] * (1 - t) + dark[i] * t) for i in range(3)),
        )
    for _ in range(7):
        r = rng.randint(height // 12, height // 4)
        x, y = rng.randint(0, width), rng.randint(0, height // 2)
        shade = tuple(min(255, c + rng.randint(10, 60)) for c in light)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=shade)
    base = int(height * 0.7)
    points = [(0, height)]
    for x in range(0, width + 60, 60):
        points.append((x, base + rng.randint(-height // 10, height // 10)))
    points.append((width, height))
    draw.polygon(points, fill=tuple(max(0, c - 25) for c in dark))
    out = io.BytesIO()
    image.save(out, format=fmt, quality=85)
    return out.getvalue()


def _demo_image(title: str, seed: int, *, description: str) -> object:
    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    image = Image(
        title=title,
        description=description,
        file=ContentFile(draw_picture(seed), name=f"demo-{seed}.jpg"),
        collection=Collection.get_first_root_node(),
    )
    image._set_image_file_metadata()
    image.save()
    return image


def _index_pages() -> tuple[BlogIndexPage, GuideIndexPage]:
    """The data migration makes these; recreate them if someone deleted them."""
    home = HomePage.objects.first() or Page.objects.get(depth=2)
    blog = BlogIndexPage.objects.filter(locale=Locale.get_default()).first()
    if blog is None:
        blog = home.add_child(instance=BlogIndexPage(title="Blog", slug="blog"))
    guides = GuideIndexPage.objects.filter(locale=Locale.get_default()).first()
    if guides is None:
        guides = home.add_child(instance=GuideIndexPage(title="Guides", slug="guides"))
    return blog, guides


# --- the brand blog ----------------------------------------------------------------

AUTHORS = [
    ("Eddie Brooks", "Editor of the brand blog. Collects stories from members and the team.", 90),
    ("The Hearth team", "The people who make what you love, writing together.", 91),
    ("Rosa Lind", "Head baker in our test kitchen.", 92),
]


class _PostSpec(TypedDict):
    slug: str
    title: str
    intro: str
    tags: list[str]
    authors: list[str]
    days_ago: int
    quote: NotRequired[tuple[str, str]]
    code: NotRequired[str]


POSTS: list[_PostSpec] = [
    {
        "slug": "welcome-to-hearth",
        "title": "Welcome to Hearth, our new community home",
        "intro": (
            "Why we built a place for the people who use what we make, and what you can do here."
        ),
        "tags": ["news", "community"],
        "authors": ["Eddie Brooks"],
        "days_ago": 40,
        "quote": (
            "The best ideas we ever had came from the people who use our things.",
            "Rosa Lind",
        ),
    },
    {
        "slug": "behind-the-scenes-test-kitchen",
        "title": "Behind the scenes in the test kitchen",
        "intro": "A morning with the team that tries every recipe ten times before you see it.",
        "tags": ["behind the scenes", "recipes"],
        "authors": ["Rosa Lind", "Eddie Brooks"],
        "days_ago": 33,
        "quote": ("If it fails on a rainy Tuesday, it is not ready.", "Rosa Lind"),
    },
    {
        "slug": "member-guides-are-here",
        "title": "Member guides are here",
        "intro": (
            "You can now write guides on the site. Our editors read each one and help polish it."
        ),
        "tags": ["news", "guides"],
        "authors": ["The Hearth team"],
        "days_ago": 26,
        "code": (
            "## Proofing times\n\n1. Mix the dough\n2. Rest for 45 minutes\n\n"
            "> Warm kitchens need less time."
        ),
    },
    {
        "slug": "autumn-bake-off-results",
        "title": "The autumn bake-off: results and recipes",
        "intro": "Forty-two entries, three judges and one very tall apple cake.",
        "tags": ["events", "recipes", "community"],
        "authors": ["Eddie Brooks"],
        "days_ago": 19,
        "quote": (
            "Bring a friend next year: the more bakers, the better the cake table.",
            "The judges",
        ),
    },
    {
        "slug": "caring-for-cast-iron",
        "title": "Caring for cast iron, the short version",
        "intro": "Season, cook, wipe, repeat. Five habits that keep a pan going for generations.",
        "tags": ["tips", "kitchen"],
        "authors": ["Rosa Lind"],
        "days_ago": 12,
    },
    {
        "slug": "thank-you-recommenders",
        "title": "Thank you to this month’s top recommenders",
        "intro": "Every month we thank the members who bring friends along. Here is how it works.",
        "tags": ["community", "news"],
        "authors": ["The Hearth team"],
        "days_ago": 5,
    },
    {
        "slug": "spring-market-dates",
        "title": "Spring market dates announced",
        "intro": "Meet the team, taste the new range and swap recipes at four markets this spring.",
        "tags": ["events"],
        "authors": ["Eddie Brooks"],
        "days_ago": 2,
    },
]


def _post_body(spec: _PostSpec, inline_image) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [
        {
            "type": "paragraph",
            "value": f"<p>{spec['intro']} We wrote this for everyone who has been with us "
            "from the start, and for everyone who just arrived.</p>",
        },
        {"type": "heading", "value": {"text": "What happened", "level": "h2"}},
        {
            "type": "paragraph",
            "value": "<p>It started, as most good things here do, with a question in the "
            "forum. A few members answered, then a few more, and before long there was a "
            "<b>plan</b>. You can read the whole thread in the "
            '<a href="/forum/">forum</a>.</p>',
        },
        {
            "type": "image",
            "value": {
                "image": inline_image.pk,
                "alt": inline_image.description,
                "caption": "Drawn for this post by our demo generator.",
            },
        },
        {"type": "heading", "value": {"text": "What comes next", "level": "h2"}},
        {
            "type": "paragraph",
            "value": "<p>We will keep sharing what we learn. Tell us what you would like to "
            "read about next, and if you know something worth teaching, write a guide.</p>"
            "<ul><li>Ask in the forum</li><li>Join the live chat</li><li>Write a guide</li></ul>",
        },
    ]
    if quote := spec.get("quote"):
        body.insert(3, {"type": "quote", "value": {"text": quote[0], "attribution": quote[1]}})
    if code := spec.get("code"):
        body.append(
            {"type": "heading", "value": {"text": "What a guide looks like", "level": "h3"}}
        )
        body.append({"type": "code", "value": {"language": "text", "code": code}})
    return body


def _load_blog(index: BlogIndexPage, editor: User | None, stdout) -> int:
    authors = {}
    for name, bio, seed in AUTHORS:
        author = Author.objects.filter(name=name).first()
        if author is None:
            photo = _demo_image(
                f"Demo: portrait of {name}", seed, description=f"Portrait of {name}"
            )
            author = Author.objects.create(name=name, bio=bio, photo=photo)
        authors[name] = author
    created = 0
    today = timezone.localdate()
    for number, spec in enumerate(POSTS):
        if BlogPage.objects.filter(slug=spec["slug"]).exists():
            continue
        hero = _demo_image(
            f"Demo: {spec['title']}",
            number,
            description=f"An abstract warm landscape illustrating “{spec['title']}”",
        )
        inline = _demo_image(
            f"Demo: detail for {spec['title']}",
            number + 20,
            description="Soft circles of colour above rolling hills",
        )
        post = BlogPage(
            title=spec["title"],
            slug=spec["slug"],
            date=today - timedelta(days=spec["days_ago"]),
            intro=spec["intro"],
            hero_image=hero,
            body=_post_body(spec, inline),
            owner=editor,
        )
        post.tags.set(spec["tags"])
        post.post_authors = [BlogPageAuthor(author=authors[name]) for name in spec["authors"]]
        index.add_child(instance=post)
        post.save_revision(user=editor).publish(user=editor)
        when = timezone.now() - timedelta(days=spec["days_ago"])
        BlogPage.objects.filter(pk=post.pk).update(first_published_at=when, last_published_at=when)
        created += 1
    return created


# --- the blog in Estonian and Ukrainian ------------------------------------------------
#
# The blog index and two posts, translated as an editor does it in the admin: a copy for
# translation in the language's tree (Wagtail mirrors the home page there), then the
# translated words, published. `make run` shows /et/blog/, /uk/blog/ and the "Read this
# in" links; a language the site does not offer yet is skipped.


class _Translation(TypedDict):
    title: str
    intro: str
    body: list[dict[str, Any]]


def _p(html: str) -> dict[str, Any]:
    return {"type": "paragraph", "value": html}


def _h2(text: str) -> dict[str, Any]:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def _quote(text: str, attribution: str) -> dict[str, Any]:
    return {"type": "quote", "value": {"text": text, "attribution": attribution}}


BLOG_INDEX_TRANSLATIONS: dict[str, tuple[str, str]] = {
    "et": ("Blogi", "<p>Uudised, lood ja märkmed meie meeskonnalt.</p>"),
    "uk": ("Блог", "<p>Новини, історії та нотатки від нашої команди.</p>"),
}

POST_TRANSLATIONS: dict[str, dict[str, _Translation]] = {
    "welcome-to-hearth": {
        "et": {
            "title": "Tere tulemast Hearthi, meie kogukonna uude koju",
            "intro": (
                "Miks me tegime koha inimestele, kes meie asju kasutavad, ja mida sa siin "
                "teha saad."
            ),
            "body": [
                _p(
                    "<p>Hearth on koht, kus kohtuvad need, kes meie asju iga päev kasutavad, "
                    "ja need, kes neid teevad. Kirjutasime selle kõigile, kes on meiega "
                    "algusest peale olnud, ja kõigile, kes just tulid.</p>"
                ),
                _h2("Kuidas see alguse sai"),
                _p(
                    "<p>Nagu enamik häid asju siin, algas ka see ühest küsimusest foorumis. "
                    "Mõni liige vastas, siis veel mõni, ja peagi oli meil <b>plaan</b>. Kogu "
                    'arutelu saad lugeda <a href="/forum/">foorumis</a>.</p>'
                ),
                _quote(
                    "Parimad mõtted, mis meil kunagi olnud on, tulid inimestelt, kes meie "
                    "asju kasutavad.",
                    "Rosa Lind",
                ),
                _h2("Mis edasi"),
                _p(
                    "<p>Jagame ka edaspidi seda, mida õpime. Kirjuta meile, millest tahaksid "
                    "järgmisena lugeda, ja kui oskad midagi, mida tasub teistele õpetada, "
                    "kirjuta juhend.</p><ul><li>Küsi foorumis</li><li>Astu jututuppa</li>"
                    "<li>Kirjuta juhend</li></ul>"
                ),
            ],
        },
        "uk": {
            "title": "Ласкаво просимо до Hearth, нашого нового дому для спільноти",
            "intro": (
                "Навіщо ми створили місце для людей, які користуються нашими речами, і що ти "
                "можеш тут робити."
            ),
            "body": [
                _p(
                    "<p>Hearth — це місце, де зустрічаються ті, хто щодня користується нашими "
                    "речами, і ті, хто їх робить. Ми написали це для всіх, хто з нами від "
                    "самого початку, і для всіх, хто щойно завітав.</p>"
                ),
                _h2("Як усе почалося"),
                _p(
                    "<p>Як і більшість добрих справ тут, усе почалося з одного питання на "
                    "форумі. Відповіли кілька учасників, потім ще кілька, і невдовзі в нас "
                    "з’явився <b>план</b>. Усю розмову можна прочитати на "
                    '<a href="/forum/">форумі</a>.</p>'
                ),
                _quote(
                    "Найкращі ідеї, які в нас колись були, прийшли від людей, що користуються "
                    "нашими речами.",
                    "Rosa Lind",
                ),
                _h2("Що далі"),
                _p(
                    "<p>Ми й надалі ділитимемося тим, чого навчилися. Напиши нам, про що тобі "
                    "цікаво прочитати наступного разу, а якщо знаєш щось, чого варто навчити "
                    "інших, — напиши посібник.</p><ul><li>Запитай на форумі</li>"
                    "<li>Зазирни в чат-кімнату</li><li>Напиши посібник</li></ul>"
                ),
            ],
        },
    },
    "caring-for-cast-iron": {
        "et": {
            "title": "Malmpanni hooldus lühidalt",
            "intro": (
                "Põleta sisse, küpseta, pühi puhtaks, korda. Viis harjumust, mis hoiavad "
                "panni töös põlvest põlve."
            ),
            "body": [
                _p(
                    "<p>Malmpann ei vaja palju, aga see vähene on oluline. Siin on viis "
                    "harjumust, mida meie testköögis iga päev järgime.</p>"
                ),
                _h2("Viis harjumust"),
                _p(
                    "<ol><li>Pühi pann kohe pärast kasutamist puhtaks, kuni see on veel "
                    "soe.</li><li>Kui vaja, pese kuuma vee ja pehme harjaga; tilk "
                    "nõudepesuvahendit ei tee paha.</li><li>Kuivata pann pliidil, et niiskus "
                    "jäljetult ära auraks.</li><li>Hõõru sisse õhuke kiht õli ja kuumuta, kuni "
                    "see enam ei läigi.</li><li>Küpseta temas tihti: iga praad teeb pinna "
                    "paremaks.</li></ol>"
                ),
                _h2("Kui midagi läks valesti"),
                _p(
                    "<p>Rooste pole maailma lõpp. Küüri see maha, põleta pann uuesti sisse ja "
                    "küpseta edasi. Kui sul on oma nipp, jaga seda foorumis või kirjuta "
                    "sellest juhend.</p>"
                ),
            ],
        },
        "uk": {
            "title": "Як доглядати чавунну сковороду: коротко",
            "intro": (
                "Прожар, готуй, витри, повтори. П’ять звичок, завдяки яким сковорода служить "
                "поколіннями."
            ),
            "body": [
                _p(
                    "<p>Чавунній сковороді потрібно небагато, але це небагато — важливе. Ось "
                    "п’ять звичок, яких ми щодня дотримуємося на нашій тестовій кухні.</p>"
                ),
                _h2("П’ять звичок"),
                _p(
                    "<ol><li>Витирай сковороду одразу після готування, поки вона ще "
                    "тепла.</li><li>Якщо треба, мий гарячою водою та м’якою щіткою; краплина "
                    "засобу для посуду не зашкодить.</li><li>Суши сковороду на плиті, щоб "
                    "уся волога випарувалася.</li><li>Втирай тонкий шар олії та прогрівай, "
                    "доки вона не перестане блищати.</li><li>Готуй у ній часто: кожна страва "
                    "робить поверхню кращою.</li></ol>"
                ),
                _h2("Якщо щось пішло не так"),
                _p(
                    "<p>Іржа — це ще не кінець світу. Зітри її, прожар сковороду заново й "
                    "готуй далі. Якщо маєш власну хитрість, поділися нею на форумі або "
                    "напиши про неї посібник.</p>"
                ),
            ],
        },
    },
}


def _translate(page: Page, language: str, editor: User | None, **fields: Any) -> bool:
    """``page`` in ``language`` with ``fields``, published; False when it is already
    translated (or mirrored: an editor's to translate) or the language is not offered."""
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None or page.get_translations().filter(locale=locale).exists():
        return False
    translation = page.copy_for_translation(locale, copy_parents=True).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision(user=editor).publish(user=editor)
    if page.first_published_at:
        Page.objects.filter(pk=translation.pk).update(
            first_published_at=page.first_published_at,
            last_published_at=page.last_published_at,
        )
    return True


def _load_translations(index: BlogIndexPage, editor: User | None) -> int:
    created = 0
    # The blog index first, so the posts' parent is a translation rather than a mirror.
    for language, (title, intro) in BLOG_INDEX_TRANSLATIONS.items():
        created += _translate(index, language, editor, title=title, intro=intro)
    for slug, languages in POST_TRANSLATIONS.items():
        post = BlogPage.objects.filter(slug=slug, locale=index.locale).first()
        if post is None:
            continue
        for language, words in languages.items():
            created += _translate(post, language, editor, **words)
    return created


# --- member guides ---------------------------------------------------------------------


class _GuideSpec(TypedDict):
    author: str
    title: str
    summary: str
    difficulty: str
    tags: list[str]
    body: str
    co_authors: NotRequired[list[str]]
    image: NotRequired[tuple[str, int]]
    # The language the guide is written in; English when not said.
    language: NotRequired[str]


class _PublishedGuideSpec(_GuideSpec):
    days_ago: int
    returned_with: NotRequired[str]
    approved_with: NotRequired[str]


GUIDES: list[_PublishedGuideSpec] = [
    {
        "author": "maya",
        "title": "Your first sourdough loaf",
        "summary": "From a jar of starter to a crackly loaf in two days, with no special tools.",
        "difficulty": "beginner",
        "tags": ["baking", "bread"],
        "co_authors": ["priya"],
        "image": ("A round loaf cooling on a wire rack", 31),
        "returned_with": "Lovely guide! Could you add how long to feed the starter before baking?",
        "approved_with": "Thank you, Maya: the feeding step makes all the difference.",
        "days_ago": 21,
        "body": """Sourdough is slow, not hard. Most of the time the dough is doing the work.

## What you need

- 100 g active starter
- 500 g strong white flour
- 350 g water and 10 g salt

## The steps

1. Feed the starter the evening before, so it is bubbly by morning.
2. Mix flour and water, rest 30 minutes, then add the starter and salt.
3. Fold the dough four times over two hours.
4. Shape, then prove overnight in the fridge.
5. Bake at 240 °C in a covered pot for 20 minutes, then 25 uncovered.

> If the kitchen is cold, let the dough rise longer rather than adding yeast.""",
    },
    {
        "author": "priya",
        "title": "Seasoning a cast iron pan",
        "summary": "Strip, oil and bake a pan so nothing sticks, and keep it that way.",
        "difficulty": "beginner",
        "tags": ["kitchen", "care"],
        "image": ("A black cast iron pan on a wooden board", 32),
        "days_ago": 15,
        "body": """A well-seasoned pan is non-stick without any coating.

1. Scrub off rust with steel wool and dry the pan on the hob.
2. Rub a very thin layer of oil everywhere, then wipe it nearly all off.
3. Bake upside down at 230 °C for an hour and let it cool in the oven.

> Thin layers, many times: a thick layer turns sticky.""",
    },
    {
        "author": "ana",
        "title": "Hosting a bring-a-friend supper",
        "summary": "Plan a relaxed supper where everyone brings one dish and one new face.",
        "difficulty": "intermediate",
        "tags": ["community", "events"],
        "days_ago": 11,
        "body": """The best way to grow a community is around a table.

## Before the day

1. Pick a theme so the dishes go together.
2. Ask each guest to bring one dish and one friend.
3. Keep a list of allergies.

## On the day

Lay everything out at once and let people serve themselves.

> Name cards with one fun fact start conversations for you.""",
    },
    {
        "author": "sam",
        "title": "Keeping a baking log with a spreadsheet",
        "summary": "Track hydration, timings and results so every bake teaches you something.",
        "difficulty": "intermediate",
        "tags": ["baking", "tools"],
        "days_ago": 7,
        "body": """A log turns lucky bakes into repeatable ones.

## Columns to keep

- date, flour, hydration (%), proof time, oven temperature, notes

## A formula for hydration

```text
hydration = water / flour * 100
```

1. Fill in a row before you bake.
2. Add the result and a photo afterwards.

> Write down what went wrong too: that's where the lessons are.""",
    },
    {
        "author": "priya",
        "title": "Laminated dough without tears",
        "summary": "Butter layers for croissants at home: temperatures, folds and timing.",
        "difficulty": "advanced",
        "tags": ["baking", "pastry"],
        "image": ("Golden croissants on a baking tray", 33),
        "days_ago": 3,
        "body": """Lamination is about temperature more than technique.

## Keep everything cold

1. Chill the dough and the butter block to the same firmness.
2. Roll, fold in three, and rest 30 minutes in the fridge.
3. Repeat three times, then shape.

> If butter breaks through, chill for 15 minutes and carry on.

```text
dough 4 °C, butter 12 °C, room below 20 °C
```""",
    },
    {
        "author": "ana",
        "language": "et",
        "title": "Rukkileib kodus: juuretisest pätsini",
        "summary": "Mahlane ja krõbeda koorikuga rukkileib oma köögis, ilma erilise varustuseta.",
        "difficulty": "beginner",
        "tags": ["baking", "bread"],
        "days_ago": 5,
        "body": """Rukkileib vajab aega, mitte oskusi: suurema osa tööst teeb juuretis ära.

## Mida vaja läheb

- 150 g aktiivset rukkijuuretist
- 500 g rukkijahu
- 400 g leiget vett
- 10 g soola ja soovi korral peotäis köömneid

## Nii see käib

1. Sega õhtul juuretis, pool jahust ja kogu vesi ning jäta kaetult sooja kohta seisma.
2. Hommikul lisa ülejäänud jahu, sool ja köömned ning sega ühtlaseks taignaks.
3. Tõsta tainas määritud vormi, silu pealt märja käega ja lase kerkida kaks kuni kolm tundi.
4. Küpseta 220 °C juures 20 minutit, seejärel 180 °C juures veel tund aega.
5. Lase leival enne lõikamist vähemalt pool päeva jahtuda.

> Kui köök on jahe, lase taignal lihtsalt kauem kerkida: kiirustamine teeb leiva tihedaks.""",
    },
    {
        "author": "priya",
        "language": "uk",
        "title": "Паляниця вдома: простий рецепт для початківців",
        "summary": "Пишна паляниця з хрусткою скоринкою, яку легко спекти у звичайній духовці.",
        "difficulty": "beginner",
        "tags": ["baking", "bread"],
        "days_ago": 2,
        "body": """Паляниця не потребує особливих навичок: лише трохи терпіння й теплу кухню.

## Що знадобиться

- 500 г пшеничного борошна вищого ґатунку
- 320 г теплої води
- 7 г сухих дріжджів
- 10 г солі та чайна ложка цукру

## Як пекти

1. Розчини дріжджі й цукор у теплій воді та зачекай десять хвилин, поки з’явиться піна.
2. Додай борошно й сіль і вимішуй тісто десять хвилин, доки воно не стане гладким.
3. Накрий миску рушником і залиш у теплі на годину, щоб тісто збільшилося вдвічі.
4. Сформуй круглий буханець, зроби глибокий надріз збоку й дай йому підійти ще пів години.
5. Випікай при 220 °C сорок хвилин, поки скоринка не стане золотистою.

> Постав у духовку миску з водою: пара допоможе паляниці гарно розкритися.""",
    },
]

IN_REVIEW_GUIDE: _GuideSpec = {
    "author": "leo",
    "title": "Five-minute weeknight flatbreads",
    "summary": "Soft flatbreads from flour, yoghurt and a hot pan, ready before the curry is.",
    "difficulty": "beginner",
    "tags": ["baking", "quick"],
    "body": """No yeast, no waiting.

1. Mix 200 g flour, 200 g yoghurt and a pinch of salt.
2. Divide into six and roll thin.
3. Cook in a dry, hot pan for a minute a side.

> Brush with garlic butter while they are warm.""",
}

DRAFT_GUIDE: _GuideSpec = {
    "author": "maya",
    "title": "Scaling recipes up and down",
    "summary": "Halve or triple a recipe without ruining the bake.",
    "difficulty": "intermediate",
    "tags": ["baking"],
    "body": """Work in weights, not cups.

1. Multiply every ingredient by the same factor.
2. Keep baking temperature the same; check earlier for smaller tins.""",
}


def _guide_image(spec: _GuideSpec) -> ContentFile | None:
    if "image" not in spec:
        return None
    alt, seed = spec["image"]
    upload = SimpleUploadedFile("photo.png", draw_picture(seed, (900, 600), "PNG"), "image/png")
    return process_uploaded_image(upload, max_dimension=2400)


def _write(spec: _GuideSpec) -> GuidePage:
    author = User.objects.get(username=spec["author"])
    co_authors = list(User.objects.filter(username__in=spec.get("co_authors", [])))
    draft = GuideDraft(
        title=spec["title"],
        summary=spec["summary"],
        difficulty=spec["difficulty"],
        body=source_to_blocks(spec["body"]),
        tags=spec["tags"],
        co_authors=co_authors,
        language=spec.get("language", "en-gb"),
    )
    image = _guide_image(spec)
    alt = spec["image"][0] if image else ""
    return actions.save_guide(author=author, draft=draft, image=image, image_alt=alt)


def _decide(guide: GuidePage, editor: User, action: str, comment: str = "") -> None:
    state = WorkflowState.objects.active().get(
        base_content_type__model="page", object_id=str(guide.pk)
    )
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, editor, action, comment=comment)


def _load_guides(editor: User, stdout) -> tuple[int, int]:
    published = 0
    for spec in GUIDES:
        if GuidePage.objects.filter(title=spec["title"]).exists():
            continue
        guide = _write(spec)
        author = guide.author
        assert author is not None  # save_guide credits the writer
        actions.submit_guide(guide=guide, author=author)
        if spec.get("returned_with"):
            _decide(guide, editor, "reject", spec["returned_with"])
            draft_source = spec["body"].replace(
                "1. Feed the starter",
                "1. Feed the starter twice a day for three days first.\n1. Feed it",
            )
            latest = guide.get_latest_revision_as_object()
            actions.save_guide(
                author=author,
                guide=guide,
                draft=GuideDraft(
                    title=latest.title,
                    summary=latest.summary,
                    difficulty=latest.difficulty,
                    body=source_to_blocks(
                        draft_source + "\n\n" + _image_lines(latest),
                        allowed_image_ids=_image_ids(latest),
                    ),
                    tags=[t.name for t in latest.tags.all()],
                    co_authors=list(latest.co_authors.all()),
                ),
            )
            actions.submit_guide(guide=guide, author=author)
        _decide(guide, editor, "approve", spec.get("approved_with", ""))
        when = timezone.now() - timedelta(days=spec["days_ago"])
        GuidePage.objects.filter(pk=guide.pk).update(first_published_at=when)
        published += 1
    for reviewer in User.objects.filter(username__in=["sam", "ana", "leo", "mo", "eddie"]):
        for guide in GuidePage.objects.live().exclude(author=reviewer)[:3]:
            if (
                not guide.is_credited(reviewer)
                and not guide.helpful_votes.filter(member=reviewer).exists()
            ):
                actions.toggle_helpful(guide=guide, member=reviewer)
    in_review = 0
    for unpublished, submit in ((IN_REVIEW_GUIDE, True), (DRAFT_GUIDE, False)):
        if GuidePage.objects.filter(title=unpublished["title"]).exists():
            continue
        guide = _write(unpublished)
        if submit:
            assert guide.author is not None  # save_guide credits the writer
            actions.submit_guide(guide=guide, author=guide.author)
            in_review += 1
    return published, in_review


def _image_ids(page: GuidePage) -> set[int]:
    return {block["value"]["image"] for block in page.body.raw_data if block["type"] == "image"}


def _image_lines(page: GuidePage) -> str:
    return "\n\n".join(
        f"![{block['value']['alt']}](image:{block['value']['image']})"
        for block in page.body.raw_data
        if block["type"] == "image"
    )


def load(*, stdout) -> None:
    blog_index, _ = _index_pages()
    editor = User.objects.filter(username="eddie").first()
    posts = _load_blog(blog_index, editor, stdout)
    stdout.write(f"  blog: {posts} new posts ({BlogPage.objects.live().count()} live)")
    translated = _load_translations(blog_index, editor)
    stdout.write(f"  blog: {translated} new translations (Estonian, Ukrainian)")
    if editor is None:
        stdout.write("  guides: skipped (no demo editor)")
        return
    # Demo decisions are not mailed to the demo people (they would flood the console).
    with no_emails():
        published, in_review = _load_guides(editor, stdout)
    stdout.write(
        f"  guides: {published} newly published, {in_review} sent for review "
        f"({GuidePage.objects.live().count()} live)"
    )

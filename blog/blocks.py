"""StreamField blocks: the brand blog's (editors, in the admin) and the guides' (members)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.embeds import get_embed
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageChooserBlock

from blog.markup import CODE_LANGUAGES, render_markdown

# The site's CSP allows frames only from these hosts; YouTube's privacy-enhanced domain
# serves the same player without tracking cookies.
_EMBED_REWRITES = {
    "https://www.youtube.com/embed/": "https://www.youtube-nocookie.com/embed/",
    "https://youtube.com/embed/": "https://www.youtube-nocookie.com/embed/",
}


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", gettext_lazy("Section heading")), ("h3", gettext_lazy("Subheading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "blog/blocks/heading.html"


class ImageWithAltBlock(blocks.StructBlock):
    """An image whose alt text is required: the page is not valid without it."""

    image = ImageChooserBlock()
    alt = blocks.CharBlock(
        max_length=250,
        label=gettext_lazy("Alt text"),
        help_text=gettext_lazy("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "blog/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(max_length=120, required=False)

    class Meta:
        icon = "openquote"
        template = "blog/blocks/quote.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(choices=CODE_LANGUAGES, default="text")
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blog/blocks/code.html"


class VideoEmbedBlock(EmbedBlock):
    """An oEmbed video, rendered without Wagtail's inline-styled wrapper (the CSP forbids
    inline styles); when the provider cannot be reached, a plain link instead."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        html = ""
        if value is not None and value.url:
            try:
                embed = get_embed(value.url)
                html = embed.html or ""
            except EmbedException:
                html = ""
        for old, new in _EMBED_REWRITES.items():
            html = html.replace(old, new)
        context["embed_html"] = mark_safe(html)  # HTML from the oEmbed provider, not a member
        return context

    class Meta:
        icon = "media"
        template = "blog/blocks/embed.html"


class MarkdownBlock(blocks.TextBlock):
    """Member-written text: Markdown source, rendered without raw HTML and cleaned."""

    def render_basic(self, value, context=None):
        return mark_safe(render_markdown(value))  # cleaned by nh3

    class Meta:
        icon = "pilcrow"


class StepsBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(MarkdownBlock(label=gettext_lazy("Step")), **kwargs)

    def render_basic(self, value, context=None):
        items = format_html(
            "".join('<li class="guide-steps__step">{}</li>' for _ in value),
            *(mark_safe(render_markdown(step)) for step in value),
        )
        return format_html('<ol class="guide-steps">{}</ol>', items)

    class Meta:
        icon = "list-ol"


class TipBlock(MarkdownBlock):
    def render_basic(self, value, context=None):
        tip = gettext("Tip")
        return format_html(
            '<aside class="guide-tip" aria-label="{}"><p class="guide-tip__label">{}</p>{}</aside>',
            tip,
            tip,
            mark_safe(render_markdown(value)),
        )

    class Meta:
        icon = "help"


class BlogStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul", "code", "superscript", "subscript"],
        icon="pilcrow",
    )
    image = ImageWithAltBlock()
    quote = QuoteBlock()
    embed = VideoEmbedBlock(help_text=gettext_lazy("A YouTube or Vimeo address."))
    code = CodeBlock()


class GuideStreamBlock(blocks.StreamBlock):
    """What members may use: the guide editor's markup maps one-to-one onto these."""

    heading = HeadingBlock()
    text = MarkdownBlock(
        label=gettext_lazy("Paragraphs"),
        help_text=gettext_lazy("Markdown: **bold**, *italic*, links."),
    )
    image = ImageWithAltBlock()
    steps = StepsBlock(label=gettext_lazy("Numbered steps"))
    tip = TipBlock()
    code = CodeBlock()

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from blog.markup import MAX_SOURCE_LENGTH, blocks_to_source, render_markdown, source_to_blocks
from hearth.text import LINK_REL

GUIDE = """Intro paragraph with **bold** and a [link](https://example.com).

- a bullet
- another

## Before you start

### A smaller heading

1. First step
   still the first step
2. Second step with `code`

> Keep the butter cold.
> Really cold.

```python
print("hello")
```

![A loaf on a rack](image:7 "Fresh from the oven")"""


def kinds(blocks):
    return [block["type"] for block in blocks]


def test_it_turns_each_kind_of_markup_into_its_block():
    blocks = source_to_blocks(GUIDE, allowed_image_ids={7})
    assert kinds(blocks) == ["text", "heading", "heading", "steps", "tip", "code", "image"]
    assert blocks[0]["value"].startswith("Intro paragraph")
    assert "- another" in blocks[0]["value"]
    assert blocks[1]["value"] == {"text": "Before you start", "level": "h2"}
    assert blocks[2]["value"]["level"] == "h3"
    assert blocks[3]["value"] == ["First step\nstill the first step", "Second step with `code`"]
    assert blocks[4]["value"] == "Keep the butter cold.\nReally cold."
    assert blocks[5]["value"] == {"language": "python", "code": 'print("hello")'}
    assert blocks[6]["value"] == {
        "image": 7,
        "alt": "A loaf on a rack",
        "caption": "Fresh from the oven",
    }


def test_it_gives_back_the_same_blocks_after_a_round_trip():
    blocks = source_to_blocks(GUIDE, allowed_image_ids={7})
    again = source_to_blocks(blocks_to_source(blocks), allowed_image_ids={7})
    assert again == blocks


def test_it_keeps_code_containing_backticks_intact():
    blocks = [{"type": "code", "value": {"language": "bash", "code": "echo ```\nls"}}]
    assert source_to_blocks(blocks_to_source(blocks)) == blocks


def test_it_maps_unknown_code_languages_to_plain_text():
    blocks = source_to_blocks("```klingon\nqapla\n```")
    assert blocks == [{"type": "code", "value": {"language": "text", "code": "qapla"}}]


def test_it_refuses_an_empty_body():
    with pytest.raises(ValidationError, match="empty"):
        source_to_blocks("   \n\n  ")


def test_it_refuses_an_image_that_is_not_one_of_the_guides():
    with pytest.raises(ValidationError, match="Line 1: image 9 is not one of the images"):
        source_to_blocks("![A cat](image:9)", allowed_image_ids={7})


def test_it_refuses_an_image_without_a_description():
    with pytest.raises(ValidationError, match="describe image 7"):
        source_to_blocks("text\n\n![](image:7)", allowed_image_ids={7})


def test_it_refuses_images_from_elsewhere_and_inline_images():
    with pytest.raises(ValidationError, match="uploaded with the form"):
        source_to_blocks("![tracker](https://evil.example/pixel.png)")
    with pytest.raises(ValidationError, match="Line 3: put each image on a line of its own"):
        source_to_blocks("hello\n\nlook ![a cat](image:7) here", allowed_image_ids={7})


def test_it_refuses_a_body_over_the_limit():
    with pytest.raises(ValidationError, match="limit"):
        source_to_blocks("a" * (MAX_SOURCE_LENGTH + 1))


def test_it_renders_markdown_without_raw_html_or_scripts():
    html = render_markdown(
        "<script>alert(1)</script> [x](javascript:alert(1)) **ok** <img src=x onerror=alert(1)>"
    )
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, not run
    assert "<strong>ok</strong>" in html


def test_it_marks_member_links_as_user_content_like_the_forum_and_chat():
    html = render_markdown("[site](https://example.com)")
    assert f'rel="{LINK_REL}"' in html


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_it_answers_any_text_with_blocks_or_a_clear_error(text):
    try:
        blocks = source_to_blocks(text, allowed_image_ids={1, 2})
    except ValidationError as exc:
        assert exc.messages and all(message.strip() for message in exc.messages)
        return
    assert blocks
    # What the editor shows back is accepted again.
    source_to_blocks(blocks_to_source(blocks), allowed_image_ids={1, 2})

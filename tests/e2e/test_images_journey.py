"""Images in a post: dropped and pasted onto the writing box, listed with a description
each and a Remove button, then posted together."""

from __future__ import annotations

import base64
import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, image_bytes, make_member
from tests.forum.factories import make_category, make_topic

# Files built in the page from PNG bytes; window.__files keeps them between steps.
MAKE_FILES = """(files) => {
  window.__files = files.map(([name, b64]) => new File(
    [Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: "image/png" }));
}"""
DRAG_OVER = """() => {
  const how = { bubbles: true, cancelable: true };
  const box = document.querySelector("textarea[name=body]");
  const dt = new DataTransfer();
  for (const file of window.__files) dt.items.add(file);
  window.__drag = dt;
  box.dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, ...how }));
  box.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, ...how }));
}"""
DROP = """() => {
  const box = document.querySelector("textarea[name=body]");
  const how = { dataTransfer: window.__drag, bubbles: true, cancelable: true };
  box.dispatchEvent(new DragEvent("drop", how));
}"""
PASTE = """() => {
  const box = document.querySelector("textarea[name=body]");
  const dt = new DataTransfer();
  for (const file of window.__files) dt.items.add(file);
  const how = { clipboardData: dt, bubbles: true, cancelable: true };
  box.dispatchEvent(new ClipboardEvent("paste", how));
}"""


def _png(color) -> str:
    return base64.b64encode(image_bytes("PNG", (24, 24), color)).decode()


def test_dropped_and_pasted_images_are_posted_together(browser, asgi_server):
    make_category(name="Baking", slug="baking")
    make_member(username="maya", display_name="Maya")
    topic = make_topic(author=make_member(username="sam"), title="Show your loaves")

    context = browser.new_context(base_url=asgi_server.url, viewport={"width": 360, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "maya@example.com", PASSWORD)
    page.goto(topic.get_absolute_url())
    page.get_by_label("Your post").fill("This morning's bake.")

    page.evaluate(
        MAKE_FILES,
        [["dark-crust.png", _png((90, 40, 10))], ["open_crumb.png", _png((230, 210, 170))]],
    )
    page.evaluate(DRAG_OVER)
    expect(page.get_by_text("Drop images to attach them")).to_be_visible()
    page.evaluate(DROP)
    expect(page.get_by_text("Drop images to attach them")).to_be_hidden()
    items = page.locator(".image-list__item")
    expect(items).to_have_count(2)
    expect(page.get_by_label("Description of image 1 (dark-crust.png)")).to_have_value("dark crust")
    expect(page.get_by_label("Description of image 2 (open_crumb.png)")).to_have_value("open crumb")
    expect(page.locator("[data-image-status]")).to_contain_text("2 images attached.")
    expect(items.first.locator("img")).to_have_attribute("src", re.compile(r"^data:image/png"))

    # A pasted one joins them; removing it leaves the two.
    page.evaluate(MAKE_FILES, [["image.png", _png((10, 10, 200))]])
    page.evaluate(PASTE)
    expect(items).to_have_count(3)
    assert page.evaluate("document.querySelector('input[name=images]').files.length") == 3
    page.get_by_role("button", name="Remove image.png").click()
    expect(items).to_have_count(2)
    expect(page.locator("[data-image-status]")).to_contain_text("Removed “image.png”. 2 images")
    assert page.evaluate("document.querySelector('input[name=images]').files.length") == 2
    page.get_by_label("Description of image 1 (dark-crust.png)").fill("A loaf with a dark crust")
    screenshot(page, "forum-images-before-posting-360")

    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_text("Your reply is posted.")).to_be_visible()
    body = page.locator("#post-2 .post__body")
    expect(body.locator("img")).to_have_count(2)
    expect(body.get_by_role("img", name="A loaf with a dark crust")).to_be_visible()
    expect(body.get_by_role("img", name="open crumb")).to_be_visible()
    context.close()

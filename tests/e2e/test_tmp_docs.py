from playwright.sync_api import expect
def test_docs(page, asgi_server):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/api/docs")
    expect(page.get_by_text("Report a shop purchase")).to_be_visible()
    page.screenshot(path="/tmp/refshot-apidocs.png")
    print("ERRORS", errors)

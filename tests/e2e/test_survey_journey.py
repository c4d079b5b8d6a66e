"""The recommend survey in real browsers against a live server: a promoter answers 10 on
the card and lands on the invite card; a detractor answers 3, a moderator claims,
replies and closes the follow-up from the review inbox, and the member reads the reply
in the bell; an editor opens the NPS dashboard and picks a segment."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from survey.models import SurveyAnswer
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_editor, make_member, make_moderator
from tests.survey.factories import make_answer

QUESTION = "How likely are you to recommend us to a friend?"


def test_a_promoter_answers_ten_and_lands_on_the_invite_card(page):
    make_member(username="maya", display_name="Maya", joined_days_ago=40)

    sign_in(page, "maya@example.com", PASSWORD)
    page.goto("/")
    card = page.get_by_role("group", name=QUESTION)
    expect(card).to_be_visible()
    card.get_by_role("button", name="10 out of 10, extremely likely").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for answering")
    expect(page.get_by_text("You said 10 out of 10.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bring a friend")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    expect(page.get_by_label("Your invite link")).to_have_value(re.compile(r"/r/[a-z2-9]{8}/$"))
    assert SurveyAnswer.objects.get().score == 10
    page.goto("/")
    expect(page.get_by_role("group", name=QUESTION)).to_have_count(0)


def test_a_moderator_follows_up_a_detractor_and_the_member_reads_the_reply(new_page):
    make_member(username="dora", display_name="Dora", joined_days_ago=40)
    make_moderator(username="moira", display_name="Moira")

    dora = new_page()
    sign_in(dora, "dora@example.com", PASSWORD)
    dora.goto("/")
    dora.get_by_role("button", name="3 out of 10").click()
    expect(dora.get_by_text("We are sorry it is not better")).to_be_visible()
    expect(dora.get_by_role("heading", name="Bring a friend")).to_have_count(0)
    dora.get_by_label("What is the main reason for your score?").fill("Replies are slow.")
    dora.get_by_role("button", name="Send").click()
    expect(dora.get_by_text("Thank you: the team reads every answer.")).to_be_visible()

    moira = new_page()
    sign_in(moira, "moira@example.com", PASSWORD)
    moira.goto("/admin/inbox/")
    item = moira.get_by_role("article", name="Dora would recommend us 3/10")
    expect(item).to_contain_text("Replies are slow.")
    item.get_by_role("button", name="Claim").click()
    item = moira.get_by_role("article", name="Dora would recommend us 3/10")
    expect(item).to_contain_text("Claimed by you")
    item.get_by_label("Your reply (emailed to the member and shown in their bell)").fill(
        "Sorry, Dora: we added two moderators this week."
    )
    item.get_by_role("button", name="Reply to the member by email").click()
    item = moira.get_by_role("article", name="Dora would recommend us 3/10")
    expect(item).to_contain_text("by Moira: “Sorry, Dora: we added two moderators this week.”")
    item.get_by_label("What was done (for the team; the member does not see it)").fill(
        "Replied; more moderators on the rota."
    )
    item.get_by_role("button", name="Close: note what was done").click()
    expect(moira.get_by_role("article", name="Dora would recommend us 3/10")).to_have_count(0)

    dora.goto("/")
    expect(dora.locator(".bell [data-unread-count]")).to_have_text("1")
    dora.locator(".bell").click()
    reply = dora.get_by_text("The team replied to your survey answer")
    expect(reply).to_contain_text("we added two moderators this week")
    answer = SurveyAnswer.objects.get()
    assert answer.is_closed and answer.close_note == "Replied; more moderators on the rota."


def test_an_editor_opens_the_dashboard_and_picks_a_segment(page):
    for score in (10, 9, 3):
        make_answer(make_member(joined_days_ago=45), score)
    make_answer(make_member(joined_days_ago=400), 6)
    make_editor(username="eddie", display_name="Eddie")

    sign_in(page, "eddie@example.com", PASSWORD)
    page.goto("/admin/survey/")
    expect(page.get_by_role("heading", name="Score", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="By segment")).to_be_visible()

    page.get_by_label("Segment", exact=True).select_option(label="New members")
    page.get_by_role("button", name="Show").click()

    comparison = page.get_by_role("region", name="New members and everyone else")
    expect(comparison).to_be_visible()
    new_row = comparison.get_by_role("row", name=re.compile(r"^New members"))
    expect(new_row).to_contain_text("33.3")  # (2 − 1) / 3
    expect(comparison.get_by_role("row", name="Not in new members")).to_contain_text("-100.0")
    assert "segment=new" in page.url

"""The moderators' one review inbox in the Wagtail admin (sources: community.review)."""

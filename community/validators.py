from __future__ import annotations

from django.core.validators import RegexValidator

# Usernames appear in profile URLs and @mentions, so they stay simple.
username_validators = [
    RegexValidator(
        r"^[A-Za-z0-9_]{3,30}$",
        "Use 3 to 30 letters, digits or underscores.",
    )
]

"""Start-up refuses a dangerous or nonsensical configuration, with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from hearth.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-with-variety-0123456789",
    "ALLOWED_HOSTS": "community.example.com",
    "DEBUG": "false",
    "HTTPS": "true",
}


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DEBUG",
            "HEARTH_TESTING",
            "HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
        and not key.startswith("PYTEST")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='hearth.settings'; django.setup()"


def test_it_stops_without_a_secret_key_in_production():
    result = _run(SETUP, {"ALLOWED_HOSTS": "example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_stops_without_allowed_hosts_in_production():
    result = _run(SETUP, {"SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"]})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_it_stops_on_a_nonsense_boolean():
    result = _run(SETUP, {**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_it_passes_the_deployment_checklist_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith("PYTEST") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
            },
            **PRODUCTION_ENV,
            "HEARTH_TESTING": "false",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("raw", ["1", "true", "YES", "on"])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG") is True


def test_env_int_rejects_words_and_small_numbers(monkeypatch):
    monkeypatch.setenv("NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="NUMBER must be a whole number"):
        env_int("NUMBER", 1)
    monkeypatch.setenv("NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("NUMBER", 1, minimum=1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example.com, b.example.com ,,")
    assert env_list("HOSTS") == ["a.example.com", "b.example.com"]

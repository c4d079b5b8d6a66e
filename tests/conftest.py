"""Shared fixtures: personas (visitor, member, moderator, editor) and clean state."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from pytest_asyncio import is_async_test

from community.chat import presence
from community.forum import view_counts
from hearth import catalogs, outages
from tests.factories import PASSWORD, make_editor, make_member, make_moderator
from tests.sockets import OPENED, close_all_opened

# Property tests draw the same examples on every run (and every machine), so a red run is
# a real defect that the next run reproduces, never a lucky draw.
hypothesis_settings.register_profile("hearth", derandomize=True, print_blob=True)
hypothesis_settings.load_profile("hearth")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # A transactional test ends by emptying every table, which also removes what the data
    # migrations made (roles, the home page, index pages, workflows). Serialized rollback
    # puts that back before each transactional test.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)
        # Sockets an async test opened are closed when it ends, also when it fails.
        if is_async_test(item) and SOCKETS_CLOSED not in item.fixturenames:
            item.fixturenames.append(SOCKETS_CLOSED)
    # Browser journeys last: they run a real server beside the suite. Within pytest-django's
    # order (tests in a rolled-back transaction, then transactional tests, which leave the
    # tables empty, then tests without the database), the slow ones (the walkers, the real
    # servers) first, so that the workers share them out from the start instead of one
    # worker finishing alone.
    items.sort(
        key=lambda item: (
            "/e2e/" in str(item.fspath),
            _database_order(item),
            item.get_closest_marker("slow") is None,
        )
    )


def _database_order(item) -> int:
    """pytest-django's order: 0 in a rolled-back transaction, 1 transactional, 2 no database."""
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    if (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in fixtures or "live_server" in fixtures
    ):
        return 1
    if marker is not None or "db" in fixtures:
        return 0
    return 2


SOCKETS_CLOSED = "_sockets_closed_after_each_test"


@pytest.fixture
async def _sockets_closed_after_each_test():
    """Closes every socket the test opened through ``tests.sockets.recorded``."""
    OPENED.clear()
    yield
    await close_all_opened()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    # The .mo files are build products (not in git): compile the catalogs that changed,
    # so pages in an offered language read its translation (hearth.catalogs).
    catalogs.compile_catalogs()


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_in_every_context(django_db_setup, django_db_blocker):
    """Let serialized rollback find the saved data from any context.

    pytest-django keeps what the data migrations made on the connection object, which
    Django holds per context (asgiref Local). Playwright's sync API runs test code in
    greenlets with their own context, where that object is a different one: the data was
    silently not restored and the flush re-created content types under new ids. Keeping
    it on the class makes every connection object see it.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents is not None:
            type(connection)._test_serialized_contents = contents
    yield
    # Async tests run their database work through sync_to_async, in asgiref's one
    # thread-sensitive worker thread; its connection would keep the test database "in
    # use" and PostgreSQL would refuse to drop it at the end of the run.
    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_from_a_snapshot(_serialized_rollback_in_every_context, django_db_blocker):
    """Put back what the data migrations made with one INSERT ... SELECT per table.

    Serialized rollback saves every row the data migrations made (content types,
    permissions, roles, the page tree, workflows) one ``Model.save()`` at a time, an
    UPDATE and an INSERT each, before every transactional test: 0.4 s on SQLite and
    0.8 s on PostgreSQL per test. Here those tables are copied once, right after the
    migrations, into tables Django does not know (a flush leaves them alone), and put
    back from them. The rows are the same ones, ids included.
    """
    from django.db import connection, transaction
    from django.db.backends.base.creation import BaseDatabaseCreation

    if getattr(connection, "_test_serialized_contents", None) is None:
        yield
        return
    quote = connection.ops.quote_name
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        copies = []
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                copy = f"hearth_test_snapshot_{len(copies)}"
                cursor.execute(f"DROP TABLE IF EXISTS {quote(copy)}")
                cursor.execute(f"CREATE TABLE {quote(copy)} AS SELECT * FROM {quote(table)}")
                copies.append((table, copy))
    contents = connection._test_serialized_contents
    deserialize = BaseDatabaseCreation.deserialize_db_from_string

    def restore(self, data):
        if data is not contents or self.connection.alias != connection.alias:
            return deserialize(self, data)
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                cursor.execute("PRAGMA defer_foreign_keys = ON")
            for table, copy in copies:
                cursor.execute(f"DELETE FROM {quote(table)}")
                cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(copy)}")

    BaseDatabaseCreation.deserialize_db_from_string = restore
    yield
    BaseDatabaseCreation.deserialize_db_from_string = deserialize


@pytest.fixture(scope="session", autouse=True)
def _flush_by_deleting_on_postgresql():
    """Empty the tables after a transactional test with DELETE, not TRUNCATE.

    TRUNCATE gives each of the few hundred tables (and their indexes) new files: on
    PostgreSQL it cost about a second per transactional test, against a few
    milliseconds for deleting the few rows a test made. Django makes its foreign keys
    DEFERRABLE INITIALLY DEFERRED, so the order of the deletes does not matter within
    the flush's transaction. Sequences are not reset either way (``reset_sequences``
    still goes through TRUNCATE ... RESTART IDENTITY).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    operations = type(connection.ops)
    truncate = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        return ["SET CONSTRAINTS ALL DEFERRED"] + [
            f"DELETE FROM {self.quote_name(table)}" for table in tables
        ]

    operations.sql_flush = sql_flush
    yield
    operations.sql_flush = truncate


def clear_cache() -> None:
    """Empty this test run's cache (see ``_cache_clear_keeps_to_this_run``)."""
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _cache_clear_keeps_to_this_run():
    """Make ``cache.clear()`` delete this run's keys only.

    Django's ``RedisCache.clear()`` is ``FLUSHDB``. The test workers share one Redis
    database (each with its own key and channel prefix), so one worker emptying its cache
    also dropped the other's chat groups mid-test. In the tests, clearing deletes the keys
    under this worker's prefix and nothing else.
    """
    from django.core.cache.backends.redis import RedisCache

    flush_everything = RedisCache.clear

    def clear_own_keys(self) -> None:
        client = self._cache.get_client(write=True)
        assert self.key_prefix, "a shared Redis needs a key prefix per test worker"
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)

    RedisCache.clear = clear_own_keys  # type: ignore[method-assign]
    yield
    RedisCache.clear = flush_everything  # type: ignore[method-assign]


@receiver(setting_changed)
def _content_languages_follow_the_offered_ones(setting, value, **kwargs):
    # settings.py makes WAGTAIL_CONTENT_LANGUAGES the offered LANGUAGES; Wagtail refuses a
    # content language that is not offered, so a test that offers fewer offers them for
    # pages too (Wagtail's own receiver forgets its cached list on the same change).
    if setting == "LANGUAGES":
        django_settings.WAGTAIL_CONTENT_LANGUAGES = list(value)


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """List the static files once per test process, not once per test client.

    Every ``Client()`` builds the middleware afresh, and WhiteNoise's builds its table of
    static files by walking the finders (and STATIC_ROOT when collected) and reading each
    file's size and date: 0.1–0.4 s per client, about half of the time of the permission
    table. The files do not change during a run, so each walk's table is kept and copied.
    """
    from whitenoise.middleware import WhiteNoiseMiddleware

    walk_finders = WhiteNoiseMiddleware.add_files_from_finders
    walk_root = WhiteNoiseMiddleware.add_files
    tables: dict[tuple, dict] = {}

    def kept(key: tuple, middleware, walk) -> None:
        if middleware.autorefresh:  # looks files up per request: nothing walked to keep
            walk()
            return
        if key not in tables:
            before = dict(middleware.files)
            walk()
            tables[key] = {
                url: found
                for url, found in middleware.files.items()
                if before.get(url) is not found
            }
        middleware.files.update(tables[key])

    def add_files_from_finders(self) -> None:
        kept(("finders", self.static_prefix), self, lambda: walk_finders(self))

    def add_files(self, root, prefix=None) -> None:
        kept(("root", str(root), prefix), self, lambda: walk_root(self, root, prefix))

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders  # type: ignore[method-assign]
    WhiteNoiseMiddleware.add_files = add_files  # type: ignore[method-assign]
    yield
    WhiteNoiseMiddleware.add_files_from_finders = walk_finders  # type: ignore[method-assign]
    WhiteNoiseMiddleware.add_files = walk_root  # type: ignore[method-assign]


def _checks_passwords_in_another_process(request) -> bool:
    # Integration tests start servers as new processes with the production settings. The
    # browser journeys' server is a fork of the test process (tests/e2e/conftest.py), so
    # it inherits the test's hashers and checks passwords the way they were made.
    return f"{os.sep}integration{os.sep}" in str(request.node.path)


@pytest.fixture(autouse=True)
def _isolated_state(request, settings, tmp_path):
    # Rate limits and throttles live in the cache; every test starts from zero, and no
    # outage a previous test provoked is remembered.
    outages.reset()
    clear_cache()
    settings.MEDIA_ROOT = tmp_path / "media"
    # Every email is queued (the immediate task backend runs the task at once) and the
    # task delivers to mail.outbox: the production path, minus SMTP.
    settings.EMAIL_BACKEND = "hearth.mail.QueueingBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Topic views are written when a test flushes them, never by a thread mid-test.
    settings.FORUM_VIEW_FLUSH_SECONDS = 0
    view_counts.forget()
    presence.forget()
    # A request in another language leaves that language active on the thread (Django's
    # LocaleMiddleware activates and never deactivates): a test after one in Estonian
    # wrote its "English" topic in Estonian.
    translation.activate(django_settings.LANGUAGE_CODE)
    if not _checks_passwords_in_another_process(request):
        # Hashing a password the production way costs a third of a second; the tests
        # make thousands of members. Servers started as new processes (integration
        # tests) keep the real hashers, so passwords they check are hashed the same way.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    view_counts.forget()
    clear_cache()


@pytest.fixture
def member(db):
    return make_member(username="maya", display_name="Maya")


@pytest.fixture
def other_member(db):
    return make_member(username="sam", display_name="Sam")


@pytest.fixture
def moderator(db):
    return make_moderator(username="mo", display_name="Mo")


@pytest.fixture
def editor(db):
    return make_editor(username="eddie", display_name="Eddie")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def visitor_client() -> Client:
    return Client()


@pytest.fixture
def member_client(member) -> Client:
    return _client_for(member)


@pytest.fixture
def other_member_client(other_member) -> Client:
    return _client_for(other_member)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return _client_for(moderator)


@pytest.fixture
def editor_client(editor) -> Client:
    return _client_for(editor)


@pytest.fixture
def csrf_client() -> Client:
    """A client that enforces CSRF checks, as a browser session would."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def password() -> str:
    return PASSWORD

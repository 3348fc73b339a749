"""A worker process keeps one SMTP connection open between deliveries (notifications/mailer.py).

The mail server is scripts/smtp-sink.py in a thread of the test, counting the connections it
accepts; the delivery task is called directly, as a worker process calls it."""

import asyncio
import importlib.util
import threading
from email import message_from_bytes
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings

from notifications import mailer, tasks
from notifications.models import Outbox, OutboxStatus
from notifications.services import notify
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def load_sink_module():
    path = Path(django_settings.BASE_DIR) / "scripts" / "smtp-sink.py"
    spec = importlib.util.spec_from_file_location("smtp_sink", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SINK = load_sink_module()


class CountingSink(SINK.Sink):
    """The sink, counting the connections it accepted; ``refuse_next`` answers the next DATA with 451."""

    def __init__(self, directory):
        super().__init__(directory)
        self.accepted = 0
        self.refuse_next = False

    async def handle(self, reader, writer):
        self.accepted += 1
        await super().handle(reader, writer)

    def store(self, *args):
        if self.refuse_next:
            self.refuse_next = False
            raise OSError("refused by the test")
        return super().store(*args)

    def message_ids(self):
        return [message_from_bytes(p.read_bytes())["Message-ID"] for p in sorted(self.directory.glob("*.eml"))]


@pytest.fixture
def sink(tmp_path, settings):
    """A CountingSink on a free port in a thread, configured as the default mailer (SMTP)."""
    sink, ready, state = CountingSink(tmp_path), threading.Event(), {}

    async def serve():
        server = await asyncio.start_server(sink.handle, "127.0.0.1", 0)
        state["port"], state["loop"], state["stop"] = server.sockets[0].getsockname()[1], asyncio.get_running_loop(), \
            asyncio.Event()
        ready.set()
        async with server:
            await state["stop"].wait()
            for task in list(sink.connections):
                task.cancel()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(5)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": state["port"], "timeout": 5},
        }
    }
    sink.drop_connections = lambda: drop_connections(sink, state["loop"])
    yield sink
    mailer.close()
    state["loop"].call_soon_threadsafe(state["stop"].set)
    thread.join(5)


def drop_connections(sink, loop):
    """The server ends every open connection (as after its idle timeout) and waits until they are gone."""
    done = threading.Event()

    async def drop():
        tasks = list(sink.connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        done.set()

    asyncio.run_coroutine_threadsafe(drop(), loop)
    assert done.wait(5)


def rows(count):
    user, alphen = UserFactory(), OrganisationFactory()
    return [notify(event="application_submitted", recipients=[user], context={"reference": f"R-{n}"},
                   organisation=alphen)[0] for n in range(count)]


def test_two_deliveries_in_one_process_reuse_one_smtp_connection(sink):
    first, second = rows(2)

    assert tasks.outbox_deliver([first.pk]) == 1
    assert tasks.outbox_deliver([second.pk]) == 1

    assert sink.accepted == 1
    assert sink.message_ids() == [first.message_id, second.message_id]
    assert mailer._mailer.connection is not None  # still open for the next delivery


def test_a_connection_the_server_closed_while_idle_is_reopened_for_the_next_email(sink):
    first, second = rows(2)
    tasks.outbox_deliver([first.pk])

    sink.drop_connections()
    assert tasks.outbox_deliver([second.pk]) == 1

    assert sink.accepted == 2
    assert sink.message_ids() == [first.message_id, second.message_id]  # each exactly once
    assert Outbox.objects.filter(status=OutboxStatus.SENT).count() == 2


def test_a_refused_email_closes_the_connection_and_its_retry_sends_it_once_over_a_new_one(sink):
    first, second = rows(2)
    tasks.outbox_deliver([first.pk])

    sink.refuse_next = True
    with mock.patch.object(tasks.outbox_deliver, "apply_async") as retry:
        assert tasks.outbox_deliver([second.pk]) == 0
    retry.assert_called_once_with(([second.pk],), countdown=10)
    second.refresh_from_db()
    assert (second.status, second.attempts) == (OutboxStatus.PENDING, 1)
    assert mailer._mailer.connection is None

    assert tasks.outbox_deliver([second.pk]) == 1
    assert sink.accepted == 2
    assert sink.message_ids() == [first.message_id, second.message_id]

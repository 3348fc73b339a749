"""Faults with a real Celery worker on Redis (RUN_WORKER_TESTS=1, CELERY_BROKER_URL=redis://...):

* a worker killed (SIGKILL) before the mail server accepted the email: Redis hands the task out again
  once its visibility timeout passes (acks_late), and the email is delivered exactly once;
* killed after the mail server accepted it but before the row was marked: at most one duplicate,
  carrying the same Message-ID;
* a broker that is down fails no user's request and loses no notification: the relay sends it later.

The mail server is scripts/smtp-sink.py run in a thread of this test, with a hook that holds the
reply to one message's DATA (before storing it, or after) until the test has killed the worker.
The workers run on the SQLite test database file (or PostgreSQL) and a queue of their own; a few
seconds' visibility timeout (CELERY_VISIBILITY_TIMEOUT) makes Redis redeliver within the test.
Transactional tests: no schemes, so no append-only ledger or log rows (see test_worker.py)."""

import asyncio
import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from applicants.models import User
from config.celery import app
from notifications import tasks
from notifications.models import InboxItem, Outbox, OutboxStatus
from notifications.services import notify, outbox_relay
from tests.factories import OrganisationFactory, UserFactory

from .test_worker import database_url, stop

BROKER = settings.CELERY_BROKER_URL
QUEUE = "grantdesk-test-faults"
VISIBILITY_TIMEOUT = 3
TIMEOUT = 30

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("RUN_WORKER_TESTS") == "1" and BROKER.startswith("redis")),
        reason="needs RUN_WORKER_TESTS=1 and CELERY_BROKER_URL=redis://... (make test-pg)",
    ),
]


def load_sink_module():
    spec = importlib.util.spec_from_file_location("smtp_sink", Path(settings.BASE_DIR) / "scripts" / "smtp-sink.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SINK = load_sink_module()


class HoldingSink(SINK.Sink):
    """The sink, except that the next message (``hold`` "before": not stored; "after": stored) gets
    no reply until ``released``: the worker waits inside the SMTP transaction for the test to kill it."""

    def __init__(self, directory):
        super().__init__(directory)
        self.hold, self.discard = None, False
        self.reached, self.released = threading.Event(), threading.Event()

    async def receive(self, reader, mail_from, rcpt_tos):
        hold, self.hold = self.hold, None
        self.discard = hold == "before"
        status = await super().receive(reader, mail_from, rcpt_tos)
        if hold:
            self.reached.set()
            while not self.released.is_set():
                await asyncio.sleep(0.05)
        return status

    def store(self, *args):
        if self.discard:
            self.discard = False
            raise OSError("held by the test: not accepted")
        return super().store(*args)

    def messages(self):
        return [message_from_bytes(path.read_bytes()) for path in sorted(self.directory.glob("*.eml"))]


@pytest.fixture
def sink(tmp_path):
    """A HoldingSink listening on a free port in a thread; yields (sink, port)."""
    directory = tmp_path / "sink"
    directory.mkdir()
    sink, ready, state = HoldingSink(directory), threading.Event(), {}

    async def serve():
        server = await asyncio.start_server(sink.handle, "127.0.0.1", 0)
        state["port"], state["loop"], state["stop"] = server.sockets[0].getsockname()[1], asyncio.get_running_loop(), \
            asyncio.Event()
        ready.set()
        async with server:
            await state["stop"].wait()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(5)
    yield sink, state["port"]
    sink.released.set()
    state["loop"].call_soon_threadsafe(state["stop"].set)
    thread.join(5)


def start_worker(port, log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
    }
    env.pop("EMAIL_FILE_PATH", None)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
        "-n", f"{QUEUE}-{time.monotonic_ns()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "INFO",
    ]
    log = open(log_path, "ab")  # noqa: SIM115 - the worker writes to it until it stops
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def publish_to_test_queue():
    route = lambda pk: tasks.outbox_deliver.apply_async((pk,), queue=QUEUE)  # noqa: E731
    return mock.patch.object(tasks.outbox_deliver, "delay", side_effect=route)


def wait_for(condition, what, log_path):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}\n" + log_path.read_text(errors="replace")[-3000:])


def sent(row):
    row.refresh_from_db()
    return row.status == OutboxStatus.SENT


def kill_a_worker_holding_the_email(sink_and_port, tmp_path, hold):
    """One outbox row; the first worker is SIGKILLed while the mail server holds its reply; a second
    worker gets the task again from Redis. Returns the row and the messages the mail server kept."""
    sink, port = sink_and_port
    log_path = tmp_path / "worker.log"
    user = UserFactory()
    sink.hold = hold
    first = start_worker(port, log_path)
    try:
        with publish_to_test_queue(), transaction.atomic():
            [row] = notify(event="application_submitted", recipients=[user], context={"reference": "X-1"},
                           organisation=OrganisationFactory())
        wait_for(sink.reached.is_set, "the worker to hand over the email", log_path)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        sink.released.set()
        assert not sent(row)  # the worker died inside its transaction: nothing recorded
        second = start_worker(port, log_path)
        try:
            wait_for(lambda: sent(row), "the redelivered task to deliver the row", log_path)
        finally:
            stop(second)
    finally:
        if first.poll() is None:
            stop(first)
    return row, sink.messages()


def test_worker_killed_before_the_mail_server_accepted_the_email_delivers_it_once(sink, tmp_path):
    row, messages = kill_a_worker_holding_the_email(sink, tmp_path, hold="before")

    assert [m["Message-ID"] for m in messages] == [row.message_id]
    assert InboxItem.objects.filter(outbox=row).count() == 1
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_worker_killed_after_handing_over_sends_at_most_one_duplicate_with_the_same_message_id(sink, tmp_path):
    row, messages = kill_a_worker_holding_the_email(sink, tmp_path, hold="after")

    assert 1 <= len(messages) <= 2
    assert {m["Message-ID"] for m in messages} == {row.message_id}
    assert InboxItem.objects.filter(outbox=row).count() == 1
    assert row.status == OutboxStatus.SENT


def test_a_broker_that_is_down_fails_no_request_and_the_relay_sends_the_notification_later(sink, tmp_path):
    _sink, port = sink
    log_path = tmp_path / "worker.log"
    dead = "redis://127.0.0.1:1/7"
    with broker_at(dead):
        response = Client().post("/account/registreren/", {
            "full_name": "Ans de Vries", "email": "ans@example.nl", "password1": "Circulair-2026-veilig",
            "password2": "Circulair-2026-veilig", "language": "nl"})
    assert response.status_code == 200
    user = User.objects.get(email="ans@example.nl")
    row = Outbox.objects.get(recipient=user, event="verify_email")
    assert (row.status, row.claimed_until) == (OutboxStatus.PENDING, None)  # kept, free for the next relay

    worker = start_worker(port, log_path)
    try:
        with publish_to_test_queue():
            assert outbox_relay() == 1  # what beat runs every few seconds
        wait_for(lambda: sent(row), "the relay's task to deliver the row", log_path)
    finally:
        stop(worker)
    assert [m["Message-ID"] for m in _sink.messages()] == [row.message_id]


@contextlib.contextmanager
def broker_at(url):
    """Publish to ``url`` for a while: the app's cached connection and producer pools are forgotten on
    entry and exit (kombu keeps one pool per broker URL, so the real broker's stays as it was)."""
    original = app.conf.broker_write_url

    def switch(to):
        app.conf.broker_write_url = to  # what publishing connects to (set from broker_url at start)
        app._pool = None
        app.amqp._producer_pool = None

    switch(url)
    try:
        yield
    finally:
        switch(original)

"""A real Celery worker delivers an outbox row exactly once: one on Redis + PostgreSQL (make test-pg),
one on the filesystem broker + the SQLite test database file (plain make test).

The worker is a subprocess on the test database with the file-based email backend
(EMAIL_FILE_PATH), listening on a queue of its own so that no other worker on the same broker
takes the test's message, and no test worker takes anyone else's.

Transactional tests on SQLite flush with DELETE, which the append-only triggers refuse: these
tests write no transition log or ledger rows (no schemes, no transitions)."""

import os
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from notifications import tasks
from notifications.models import InboxItem, Outbox, OutboxStatus
from notifications.services import notify
from tests.factories import OrganisationFactory, UserFactory

TIMEOUT = 20
# A queue of the test worker's own; its name is fixed so that brokers keep one binding, not one per run.
# A message left behind by an interrupted run is harmless: delivery is idempotent.
QUEUE = "grantdesk-test-worker"
BROKER = settings.CELERY_BROKER_URL
VENDOR = connection.vendor

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url():
    db = connection.settings_dict
    if VENDOR == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(mail_dir, log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "VAR_DIR": str(settings.VAR_DIR),  # the filesystem broker's folder is VAR_DIR/broker
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    env.pop("EMAIL_HOST", None)
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
        "-n", f"{QUEUE}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
        "-l", "INFO",
    ]
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(worker):
    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def wait_until_sent(row, deadline):
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status != OutboxStatus.PENDING:
            return
        time.sleep(0.2)


def assert_delivered_once_by_a_real_worker(tmp_path):
    mail_dir, log_path = tmp_path / "mail", tmp_path / "worker.log"
    user = UserFactory()
    worker = start_worker(mail_dir, log_path)
    try:
        # The real publish, routed to this test's queue.
        route = lambda pk: tasks.outbox_deliver.apply_async((pk,), queue=QUEUE)  # noqa: E731
        with mock.patch.object(tasks.outbox_deliver, "delay", side_effect=route):
            with transaction.atomic():
                [row] = notify(event="application_submitted", recipients=[user], context={"reference": "X-1"},
                               organisation=OrganisationFactory())
        wait_until_sent(row, time.monotonic() + TIMEOUT)
    finally:
        stop(worker)

    log = log_path.read_text(errors="replace")[-3000:]
    assert row.status == OutboxStatus.SENT, log
    assert InboxItem.objects.filter(outbox=row, user=user).count() == 1
    [email_file] = list(mail_dir.iterdir())
    content = email_file.read_text()
    assert content.count(f"Message-ID: {row.message_id}") == 1
    assert f"To: {user.email}" in content
    assert Outbox.objects.count() == 1


@pytest.mark.skipif(
    not (os.environ.get("RUN_WORKER_TESTS") == "1" and VENDOR == "postgresql" and BROKER.startswith("redis")),
    reason="needs RUN_WORKER_TESTS=1 with PostgreSQL and Redis (make test-pg)",
)
def test_real_worker_delivers_a_row_once_over_redis_and_postgresql(tmp_path):
    assert_delivered_once_by_a_real_worker(tmp_path)


@pytest.mark.skipif(
    not (VENDOR == "sqlite" and BROKER.startswith("filesystem")),
    reason="the embedded mode: SQLite test database file and the filesystem broker (make test)",
)
def test_real_worker_delivers_a_row_once_over_the_filesystem_broker_and_sqlite(tmp_path):
    assert_delivered_once_by_a_real_worker(tmp_path)

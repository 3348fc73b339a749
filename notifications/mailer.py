"""The process's mail connection: one SMTP connection per worker process, kept open between deliveries.

Connecting (TCP, EHLO, STARTTLS, AUTH) and QUIT cost more round trips than sending a notification
over an open connection, so ``send`` keeps the default mailer's SMTP connection open for the next
delivery instead of opening and closing one per email. Other backends (console, file, locmem) are
used as Django uses them, per call: a file backend held open would put many emails in one file.

Idempotency is unchanged: the caller sends one message per outbox row with its stable Message-ID.
A connection the server dropped while it was idle is reopened once for the message at hand (the
server took nothing over a dead connection); any other transport error closes the connection, so
the next delivery (the task's retry) starts on a new one.
"""

import os
import smtplib
import threading

from django.core import mail
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.signals import setting_changed
from django.dispatch import receiver

# Prefork workers run one task at a time per process; the lock covers a threaded pool.
_lock = threading.RLock()
_mailer = None
_mailer_pid = None


def send(message):
    """Send one EmailMessage through the default mailer, reusing this process's SMTP connection.
    Returns the number sent (1). Transport errors (smtplib.SMTPException, OSError) propagate."""
    with _lock:
        mailer = _current()
        if not isinstance(mailer, SMTPBackend):
            return mailer.send_messages([message])
        reused = mailer.connection is not None
        try:
            mailer.open()
            return mailer.send_messages([message])
        except Exception as error:
            _close(mailer)
            if not (reused and _stale(error)):
                raise
        # The server closed the idle connection (or answered 421) before taking this message.
        try:
            mailer.open()
            return mailer.send_messages([message])
        except Exception:
            _close(mailer)
            raise


def close():
    """Close this process's connection politely (QUIT); the next ``send`` opens a new one."""
    with _lock:
        if _mailer is not None and _mailer_pid == os.getpid():
            _close(_mailer)


def _current():
    global _mailer, _mailer_pid
    if _mailer is None or _mailer_pid != os.getpid():
        # After a fork the parent's socket is not ours to QUIT: leave it and start afresh.
        _mailer, _mailer_pid = mail.mailers.default, os.getpid()
    return _mailer


def _stale(error):
    return isinstance(error, smtplib.SMTPServerDisconnected) or getattr(error, "smtp_code", None) == 421


def _close(mailer):
    try:
        mailer.close()
    except Exception:  # a broken connection may fail its QUIT; it is dropped all the same
        mailer.connection = None


@receiver(setting_changed)
def _forget_mailer(*, setting, **kwargs):
    """A test that changes the mail settings gets a mailer built from the new ones."""
    global _mailer
    if setting == "MAILERS" or setting.startswith("EMAIL_"):
        with _lock:
            if _mailer is not None and _mailer_pid == os.getpid():
                _close(_mailer)
            _mailer = None

"""Optional virus scan of uploads by a ClamAV daemon (clamd), when CLAMAV_URL is configured.

Speaks clamd's INSTREAM command directly over TCP (``tcp://host:3310``) or a Unix socket
(``unix:///run/clamav/clamd.ctl``): a dozen lines of a stable, documented protocol, so no client library
(the Python ones are unmaintained or pre-1.0). A scanner that cannot be reached refuses the upload
(fail closed) unless CLAMAV_FAIL_OPEN is set.
"""

import logging
import socket
import struct
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    pass


def _connect(url, timeout):
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(parsed.path)
        return sock
    if parsed.scheme == "tcp":
        return socket.create_connection((parsed.hostname, parsed.port or 3310), timeout=timeout)
    raise ScannerUnavailable(f"unsupported CLAMAV_URL scheme: {parsed.scheme}")


def scan_stream(chunks, *, url, timeout=30):
    """Send the bytes to clamd; return None when clean, or the signature name when infected."""
    try:
        with _connect(url, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for chunk in chunks:
                if chunk:
                    sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = sock.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    text = reply.rstrip(b"\0").decode("utf-8", "replace")  # "stream: OK" or "stream: Eicar-Signature FOUND"
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip()
    if text.endswith("OK"):
        return None
    raise ScannerUnavailable(f"unexpected clamd reply: {text[:100]}")


def check_upload(uploaded_file):
    """Raise a ValidationError for an infected upload. Does nothing when no scanner is configured."""
    url = getattr(settings, "CLAMAV_URL", "")
    if not url:
        return
    try:
        uploaded_file.seek(0)
        signature = scan_stream(uploaded_file.chunks(CHUNK), url=url)
    except ScannerUnavailable as error:
        logger.error("virus scanner unavailable: %s", error)
        if getattr(settings, "CLAMAV_FAIL_OPEN", False):
            return
        raise ValidationError(_("This file could not be checked for viruses just now. Please try again later."),
                              code="scan_unavailable") from error
    finally:
        uploaded_file.seek(0)
    if signature:
        logger.warning("upload refused, virus found: %s", signature)
        raise ValidationError(_("This file contains a virus and has been refused."), code="virus")

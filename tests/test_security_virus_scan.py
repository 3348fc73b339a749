"""The optional ClamAV hook on uploads, against a fake clamd speaking INSTREAM."""

import socket
import struct
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from grants.attachments import validate_upload
from tests.factories import PDF_BYTES
from workflows import virus_scan

EICAR_MARK = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class FakeClamd:
    """Accepts one connection per scan, reads the INSTREAM chunks, answers OK or FOUND."""

    def __init__(self):
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen()
        self.received = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"tcp://127.0.0.1:{self.server.getsockname()[1]}"

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                stream = conn.makefile("rb")
                assert stream.read(10) == b"zINSTREAM\0"
                data = b""
                while (size := struct.unpack("!L", stream.read(4))[0]) != 0:
                    data += stream.read(size)
                self.received.append(data)
                conn.sendall(b"stream: Eicar-Signature FOUND\0" if EICAR_MARK in data else b"stream: OK\0")

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    fake = FakeClamd()
    settings.CLAMAV_URL = fake.url
    yield fake
    fake.close()


def pdf(content=PDF_BYTES):
    return SimpleUploadedFile("plan.pdf", content, content_type="application/pdf")


def test_a_clean_upload_passes_and_the_whole_file_was_scanned(clamd):
    assert validate_upload(pdf())[0] == "application/pdf"
    assert clamd.received == [PDF_BYTES]


def test_an_infected_upload_is_refused_with_a_message(clamd):
    with pytest.raises(ValidationError) as refused:
        validate_upload(pdf(PDF_BYTES + EICAR_MARK))
    assert refused.value.code == "virus"


def test_an_unreachable_scanner_refuses_uploads_unless_configured_to_fail_open(settings):
    settings.CLAMAV_URL = "tcp://127.0.0.1:9"  # nothing listens on the discard port here
    with pytest.raises(ValidationError) as refused:
        validate_upload(pdf())
    assert refused.value.code == "scan_unavailable"
    settings.CLAMAV_FAIL_OPEN = True
    assert validate_upload(pdf())[0] == "application/pdf"


def test_without_a_scanner_configured_nothing_is_scanned(settings, monkeypatch):
    settings.CLAMAV_URL = ""
    monkeypatch.setattr(virus_scan, "scan_stream", lambda *a, **k: pytest.fail("scanned"))
    assert validate_upload(pdf())[0] == "application/pdf"

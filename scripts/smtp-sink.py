#!/usr/bin/env python3
"""A tiny SMTP server for tests: every message it receives becomes one .eml file in a folder.

    scripts/smtp-sink.py PORT DIRECTORY [--host 127.0.0.1]

Each file holds the message as received, preceded by two header lines with the envelope
(X-Sink-Mail-From, X-Sink-Rcpt-To). Files are written under a temporary name and renamed, so a
reader never sees half a message. Stops cleanly on SIGTERM or SIGINT. Needs aiosmtpd (the
project's test extra); Python 3.12+ has no smtpd module.
"""

import argparse
import asyncio
import itertools
import os
import signal
import sys
import time
from pathlib import Path

from aiosmtpd.smtp import SMTP


class FolderHandler:
    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        envelope_headers = (
            f"X-Sink-Mail-From: {envelope.mail_from}\r\n"
            f"X-Sink-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8", "replace")
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(self.counter):05d}.eml"
        temporary = self.directory / f".{name}.tmp"
        temporary.write_bytes(envelope_headers + content)
        os.replace(temporary, self.directory / name)
        print(f"smtp-sink: {name} from {envelope.mail_from} to {', '.join(envelope.rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    loop = asyncio.get_running_loop()
    handler = FolderHandler(directory)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp-sink", enable_SMTPUTF8=True), host=host, port=port
    )
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"smtp-sink: listening on {host}:{port}, writing to {directory}", flush=True)
    async with server:
        await stop.wait()
    print("smtp-sink: stopped", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write each message received over SMTP to DIRECTORY as .eml")
    parser.add_argument("port", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    args = parser.parse_args(argv)
    args.directory.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(serve(args.host, args.port, args.directory))
    except OSError as error:
        print(f"smtp-sink: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A tiny SMTP server for tests: every message it receives becomes one .eml file in a folder.

    scripts/smtp-sink.py PORT DIRECTORY [--host 127.0.0.1]

Each file holds the message as received, preceded by two header lines with the envelope
(X-Sink-Mail-From, X-Sink-Rcpt-To). Files are written under a temporary name and renamed, so a
reader never sees half a message. Stops cleanly on SIGTERM or SIGINT.

Standard library only (asyncio streams; Python 3.12+ has no smtpd module). It speaks just enough
SMTP (RFC 5321) for smtplib and Django's SMTP backend: HELO/EHLO (8BITMIME, SMTPUTF8; no STARTTLS,
no AUTH), MAIL FROM, RCPT TO, DATA (dot-unstuffed, ended by <CRLF>.<CRLF>), RSET, NOOP and QUIT,
several messages per connection; any other command gets 502.
"""

import argparse
import asyncio
import itertools
import os
import re
import signal
import sys
import time
from pathlib import Path

HOSTNAME = "smtp-sink"
LINE_LIMIT = 1024 * 1024  # longest line kept (RFC 5321 allows 1000; be lenient)
MESSAGE_LIMIT = 64 * 1024 * 1024  # largest message accepted
IDLE_TIMEOUT = 300  # seconds without a line from the client before the connection is dropped
MAIL_PARAMETERS = {"BODY", "SMTPUTF8"}  # what the EHLO answer lets a client send with MAIL FROM

# "FROM:<address> [parameters]" or "TO:<address> [parameters]"; the angle brackets are optional
# and some clients put a space after the colon.
PATH = re.compile(r"(?P<path><[^<>]*>|[^\s<>]+)(?:\s+(?P<params>.*))?", re.S)


class TooLong(Exception):
    """A line longer than LINE_LIMIT; it has been read and discarded."""


async def read_line(reader: asyncio.StreamReader) -> bytes:
    """One line including its CRLF. Raises TooLong (after draining the line) or IncompleteReadError on EOF."""
    try:
        return await reader.readuntil(b"\r\n")
    except asyncio.LimitOverrunError as error:
        consumed = error.consumed
    while True:  # discard the rest of the over-long line
        await reader.readexactly(consumed)
        try:
            await reader.readuntil(b"\r\n")
            raise TooLong
        except asyncio.LimitOverrunError as error:
            consumed = error.consumed


def parse_path(arg: str, keyword: str) -> tuple[str | None, list[str]]:
    """The address and parameters of "FROM:<a@b> X=Y"; address None if the syntax is wrong."""
    if not arg[: len(keyword)].upper() == keyword:
        return None, []
    match = PATH.fullmatch(arg[len(keyword) :].strip())
    if not match:
        return None, []
    address = match["path"]
    if address.startswith("<"):
        address = address[1:-1].strip()
    if address.startswith("@") and ":" in address:  # obsolete source route: <@relay:user@host>
        address = address.split(":", 1)[1]
    return address, (match["params"] or "").split()


def valid_parameters(params: list[str]) -> bool:
    for param in params:
        name, eq, value = param.partition("=")
        if name.upper() not in MAIL_PARAMETERS or (eq and not value):
            return False
    return True


class Sink:
    def __init__(self, directory: Path):
        self.directory = directory
        self.counter = itertools.count(1)
        self.connections: set[asyncio.Task] = set()

    def store(self, mail_from: str, rcpt_tos: list[str], content: bytes) -> str:
        """Write one message; the .eml name only appears once the file is complete."""
        envelope = f"X-Sink-Mail-From: {mail_from}\r\nX-Sink-Rcpt-To: {', '.join(rcpt_tos)}\r\n"
        envelope_headers = envelope.encode("utf-8", "replace")
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{next(self.counter):05d}.eml"
        temporary = self.directory / f".{name}.tmp"
        try:
            with open(temporary, "xb") as file:
                file.write(envelope_headers)
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.directory / name)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return name

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self.connections.add(task)
        try:
            await self.session(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            pass  # the client went away or fell silent
        except asyncio.CancelledError:  # the server is stopping
            try:
                writer.write(b"421 smtp-sink shutting down\r\n")
            except Exception:
                pass
            raise
        finally:
            self.connections.discard(task)
            writer.close()

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def reply(*lines: str) -> None:
            writer.write("".join(f"{line}\r\n" for line in lines).encode("utf-8", "replace"))
            await writer.drain()

        greeted = False
        mail_from: str | None = None
        rcpt_tos: list[str] = []
        await reply(f"220 {HOSTNAME} ESMTP ready")
        while True:
            try:
                async with asyncio.timeout(IDLE_TIMEOUT):
                    raw = await read_line(reader)
            except TooLong:
                await reply("500 Error: line too long")
                continue
            except TimeoutError:
                await reply("421 Error: timeout, closing connection")
                return
            line = raw[:-2].decode("utf-8", "replace")
            verb, _, arg = line.partition(" ")
            verb, arg = verb.upper(), arg.strip()

            if verb in ("HELO", "EHLO"):
                if not arg:
                    await reply(f"501 Syntax: {verb} hostname")
                    continue
                greeted, mail_from, rcpt_tos = True, None, []
                if verb == "HELO":
                    await reply(f"250 {HOSTNAME}")
                else:
                    await reply(f"250-{HOSTNAME}", "250-8BITMIME", "250 SMTPUTF8")
            elif verb == "NOOP":
                await reply("250 OK")
            elif verb == "RSET":
                if arg:
                    await reply("501 Syntax: RSET")
                    continue
                mail_from, rcpt_tos = None, []
                await reply("250 OK")
            elif verb == "QUIT":
                await reply("221 Bye")
                return
            elif verb == "MAIL":
                if not greeted:
                    await reply("503 Error: send HELO first")
                    continue
                if mail_from is not None:
                    await reply("503 Error: nested MAIL command")
                    continue
                address, params = parse_path(arg, "FROM:")
                if address is None:
                    await reply("501 Syntax: MAIL FROM:<address>")
                elif not valid_parameters(params):
                    await reply("555 MAIL FROM parameters not recognized or not implemented")
                else:
                    mail_from, rcpt_tos = address, []
                    await reply("250 OK")
            elif verb == "RCPT":
                if mail_from is None:
                    await reply("503 Error: need MAIL command")
                    continue
                address, params = parse_path(arg, "TO:")
                if not address:
                    await reply("501 Syntax: RCPT TO:<address>")
                elif params:
                    await reply("555 RCPT TO parameters not recognized or not implemented")
                else:
                    rcpt_tos.append(address)
                    await reply("250 OK")
            elif verb == "DATA":
                if not rcpt_tos:
                    await reply("503 Error: need RCPT command")
                    continue
                if arg:
                    await reply("501 Syntax: DATA")
                    continue
                await reply("354 End data with <CR><LF>.<CR><LF>")
                status = await self.receive(reader, mail_from, rcpt_tos)
                mail_from, rcpt_tos = None, []
                await reply(status)
            elif not verb:
                await reply("500 Error: bad syntax")
            else:
                await reply(f"502 Error: command {verb!r} not implemented")

    async def receive(self, reader: asyncio.StreamReader, mail_from: str, rcpt_tos: list[str]) -> str:
        """Read the message after 354 up to the lone dot; store it; return the reply line."""
        lines: list[bytes] = []
        size = 0
        error = None
        while True:
            try:
                async with asyncio.timeout(IDLE_TIMEOUT):
                    line = await read_line(reader)
            except TooLong:
                error, lines = "500 Error: line too long", []
                continue
            if line == b".\r\n":
                break
            if error:
                continue  # keep reading to the end of the message, then answer
            if line.startswith(b"."):  # RFC 5321 4.5.2: remove the transparency dot
                line = line[1:]
            size += len(line)
            if size > MESSAGE_LIMIT:
                error, lines = "552 Error: too much mail data", []
                continue
            lines.append(line)
        if error:
            return error
        # Written synchronously: a stop (task cancellation) can never interrupt a half-written file.
        try:
            name = self.store(mail_from, rcpt_tos, b"".join(lines))
        except OSError as problem:
            print(f"smtp-sink: cannot store a message: {problem}", file=sys.stderr, flush=True)
            return "451 Error: cannot store the message"
        print(f"smtp-sink: {name} from {mail_from} to {', '.join(rcpt_tos)}", flush=True)
        return "250 Message accepted for delivery"


async def serve(host: str, port: int, directory: Path) -> None:
    loop = asyncio.get_running_loop()
    sink = Sink(directory)
    server = await asyncio.start_server(sink.handle, host=host, port=port, limit=LINE_LIMIT)
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"smtp-sink: listening on {host}:{port}, writing to {directory}", flush=True)
    await stop.wait()
    server.close()  # no new connections; then end the open ones
    connections = list(sink.connections)
    for task in connections:
        task.cancel()
    await asyncio.gather(*connections, return_exceptions=True)
    try:
        async with asyncio.timeout(5):
            await server.wait_closed()
    except TimeoutError:
        pass
    print("smtp-sink: stopped", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write each message received over SMTP to DIRECTORY as .eml")
    parser.add_argument("port", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(errors="backslashreplace")  # addresses may be non-ASCII
    args.directory.mkdir(parents=True, exist_ok=True)
    try:
        asyncio.run(serve(args.host, args.port, args.directory))
    except OSError as error:
        print(f"smtp-sink: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

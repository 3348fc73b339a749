"""Time the pages that matter at scale, in one process with Django's test client (make bench).

Run on the data set of ``seed_scale``. Each page is requested ``--warmup`` times to warm up, then timed
``--requests`` times; the table gives the median and 95th percentile in ms, the SQL queries of one
request and the response size. ``--markdown FILE`` also writes the table to FILE.

The warm-up (20 requests) brings a page to the steady state of a long-running worker: psycopg prepares a
statement on its sixth run on a connection, and PostgreSQL plans the first five runs of a prepared statement
for their values before it keeps a generic plan. Until then each of the case page's ~10 first requests on a
new connection plans its wide query again (~9 ms). ``--warmup 3`` shows that cold start.
"""

import json
import platform
import statistics
import subprocess
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.models import User
from grants.models import Application, ApplicationState, Organisation


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = "Time the officer queue, case page, dashboards, applicant home and public register on seed_scale data."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=20)
        parser.add_argument("--markdown", help="also write the result table to this file")
        parser.add_argument("--only", action="append", default=[],
                            help="time only the pages whose label contains this text (repeatable, case-insensitive)")
        parser.add_argument("--sessions", help="also write the pages and a logged-in session per page to this JSON "
                                               "file (the throughput run's load generator replays them)")

    def handle(self, *args, requests, warmup, markdown, sessions, only, **options):
        largest = Organisation.objects.filter(code="S01").first()
        if largest is None:
            raise CommandError("No scale data set here: run `manage.py seed_scale` first.")
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        rows, replay = [], []
        for label, user, url in self.pages(largest):
            if only and not any(part.lower() in label.lower() for part in only):
                continue
            client = Client()
            if user is not None:
                client.force_login(user)
                self.verify_second_factor(client, user)
            replay.append({"label": label, "url": url, "cookie": client.cookies.get("sessionid").value
                           if user is not None else ""})
            for _ in range(warmup):
                self.fetch(client, url, label)
            timings = []
            for _ in range(requests):
                started = time.perf_counter()
                self.fetch(client, url, label)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                _response, size = self.fetch(client, url, label)
            rows.append((label, statistics.median(timings), _percentile(timings, 0.95), len(queries), size))
            self.stdout.write(f"{label}: median {rows[-1][1]:.1f} ms")
        table = self.table(rows)
        self.stdout.write(table)
        if markdown:
            with open(markdown, "w") as handle:
                handle.write(table)
        if sessions:
            with open(sessions, "w") as handle:
                json.dump(replay, handle)

    @staticmethod
    def fetch(client, url, label):
        """One request, its body read to the end (a streamed export is timed until its last byte)."""
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{label}: {url} answered {response.status_code}")
        size = sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(
            response.content)
        return response, size

    @staticmethod
    def verify_second_factor(client, user):
        """Staff sessions need their second factor: the bench's session is verified by an authenticator, as
        the code page would after a correct code."""
        from django_otp import DEVICE_ID_SESSION_KEY

        from applicants import second_factor

        if second_factor.mandatory_for(user):
            device = second_factor.test_authenticator(user=user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    def pages(self, largest):
        officer = User.objects.get(email="officer0@schaalstad01.example")
        manager = User.objects.get(email="manager0@schaalstad01.example")
        regional = User.objects.get(email="regio@schaalstad.example")
        case = (Application.objects.filter(scheme__organisation=largest, state=ApplicationState.AWARDED)
                .order_by("pk").first())
        scheme_id = case.scheme_id
        company_word = case.company.name.split()[0]
        applicant = case.created_by
        queue = reverse("case_list")
        return [
            ("Officer queue, largest municipality (default)", officer, queue),
            ("Officer queue, filtered by scheme and state", officer, f"{queue}?scheme={scheme_id}&state=in_review"),
            ("Officer queue, searched by company name", officer, f"{queue}?q={company_word}"),
            ("Region-wide staff view (all applications)", regional, queue),
            ("Case page", officer, reverse("case_detail", args=[case.pk])),
            ("Manager budget dashboard", manager, reverse("budget_dashboard")),
            ("Results dashboard", manager, reverse("results_dashboard")),
            ("Applicant home", applicant, reverse("applicant_home")),
            ("Public subsidy register", None, reverse("subsidy_register")),
            ("Subsidy register CSV (all awards)", None, reverse("subsidy_register_csv")),
        ]

    def table(self, rows):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        applications = Application.objects.count()
        lines = [
            f"Machine: {platform.node()} ({platform.machine()}, {_cpus()} cores), Python {platform.python_version()}, "
            f"{connection.vendor} {_database_version()}; "
            f"{applications} applications; commit {commit or 'unknown'}; "
            f"CPU calibration {_calibration_ms():.0f} ms (a fixed Python loop; lower is faster).",
            "",
            "| page | median ms | p95 ms | queries | bytes |",
            "|---|---:|---:|---:|---:|",
        ]
        lines += [f"| {label} | {median:.1f} | {p95:.1f} | {queries} | {size} |"
                  for label, median, p95, queries, size in rows]
        return "\n".join(lines) + "\n"


def _calibration_ms():
    """Milliseconds for a fixed pure-Python loop (the best of five): this machine's speed at the moment of the
    run, printed with the table so that runs on a busier or slower machine can be told apart."""
    best = None
    for _ in range(5):
        started = time.perf_counter()
        total = 0
        for number in range(1_000_000):
            total += number
        elapsed = (time.perf_counter() - started) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best


def _database_version():
    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"{version // 10000}.{version % 10000}"
    return connection.Database.sqlite_version


def _cpus():
    import os

    return os.cpu_count()

"""Throughput run of `make bench`: each simulated user replays the benchmarked pages (with the logged-in
sessions `manage.py bench --sessions` wrote) against gunicorn on 127.0.0.1."""

import json
import os
import random

from locust import HttpUser, constant, task

# The full register export is timed on its own (bench, csv-memory); in the mix it would only measure itself.
PAGES = [page for page in json.load(open(os.environ.get("BENCH_SESSIONS", "var/bench-sessions.json")))
         if "CSV" not in page["label"]]


class Visitor(HttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        page = random.choice(PAGES)
        cookies = {"sessionid": page["cookie"]} if page["cookie"] else {}
        with self.client.get(page["url"], cookies=cookies, name=page["label"], catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")

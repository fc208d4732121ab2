"""Save + submit under concurrent load (run by run.py: locust headless, 20 users).

Each simulated officer takes the next (round, municipality) of the plan written by run.py,
saves its answers and submits them — two requests, exactly what an officer's browser or a
municipality's script does:

- mode "api":  PUT /api/v1/rounds/<slug>/submissions/<code>/ {version, answers, explanations}
               POST …/submit/ {version}, with the officer's API token;
- mode "form": GET the form (for the CSRF token and version), POST action=save, POST
               action=submit, with the officer's session cookie;
- mode "floor": PUT /bench-floor/<slug>/<code>/ {version, answers, explanations} with the
               token — the bare-Django floor of a save (tests/bench/floor.py), one request.

BENCH_PLAN is a JSON file: {"mode": …, "items": [{"slug", "code", "token"|"session",
"answers", "explanations"}, …]}. A user stops the run when the plan is used up.
BENCH_WAIT: mean think time in seconds between one officer's save+submit cycles (0: none); with
it, each officer also starts after a random 0–1.5 × BENCH_WAIT s.
"""

import json
import os
import random
import re
import time

from locust import HttpUser, between, constant, task
from locust.exception import StopUser

with open(os.environ["BENCH_PLAN"]) as f:
    PLAN = json.load(f)
ITEMS = iter(PLAN["items"])
WAIT = float(os.environ.get("BENCH_WAIT") or 0)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class Officer(HttpUser):
    # Think time drawn from [0.5, 1.5] × BENCH_WAIT so clients do not move in lock-step (and
    # stays under gunicorn's 5 s keep-alive, whose expiry would race the next request).
    wait_time = constant(0) if not WAIT else between(0.5 * WAIT, 1.5 * WAIT)

    def on_start(self):
        # Paced load: officers arrive at random moments, as they would, rather than all 20
        # sending their first save in the same second (locust starts every user at once, and
        # that one burst of 40 requests was ~10 % of a 30 s paced run and set its p95).
        if WAIT:
            time.sleep(random.uniform(0, 1.5 * WAIT))

    @task
    def save_and_submit(self):
        item = next(ITEMS, None)
        if item is None:
            self.environment.runner.quit()
            raise StopUser()
        if PLAN["mode"] == "api":
            self._api(item)
        elif PLAN["mode"] == "floor":
            self._floor(item)
        else:
            self._form(item)

    def _api(self, item):
        headers = {"Authorization": f"Token {item['token']}"}
        url = f"/api/v1/rounds/{item['slug']}/submissions/{item['code']}/"
        body = {"version": 0, "answers": item["answers"], "explanations": item["explanations"]}
        with self.client.put(
            url, json=body, headers=headers, name="save", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"save {r.status_code}: {r.text[:200]}")
                return
            version = r.json().get("version")
        with self.client.post(
            url + "submit/",
            json={"version": version},
            headers=headers,
            name="submit",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"submit {r.status_code}: {r.text[:200]}")

    def _floor(self, item):
        headers = {"Authorization": f"Token {item['token']}"}
        url = f"/bench-floor/{item['slug']}/{item['code']}/"
        body = {"version": 0, "answers": item["answers"], "explanations": item["explanations"]}
        with self.client.put(
            url, json=body, headers=headers, name="floor", catch_response=True
        ) as r:
            if r.status_code != 200:
                r.failure(f"floor {r.status_code}: {r.text[:200]}")

    def _form(self, item):
        cookies = {"sessionid": item["session"]}
        url = f"/indberet/{item['slug']}/{item['code']}/"
        page = self.client.get(url, cookies=cookies, name="form page")
        token = CSRF.search(page.text)
        version = VERSION.search(page.text)
        if not token or not version:
            return
        cookies["csrftoken"] = page.cookies.get("csrftoken") or self.client.cookies.get(
            "csrftoken", ""
        )
        data = {**item["answers"], "version": version.group(1), "action": "save"}
        for key, text in item["explanations"].items():
            data[f"explanation_{key}"] = text
        data["csrfmiddlewaretoken"] = token.group(1)
        headers = {"Referer": self.host + url}
        r = self.client.post(url, data=data, cookies=cookies, headers=headers, name="save")
        version = VERSION.search(r.text)
        if version:
            data.update(version=version.group(1), action="submit")
            self.client.post(url, data=data, cookies=cookies, headers=headers, name="submit")

"""Scenario (d): how long a participant waits for a big board to be rendered in Chromium.

Run in a process of its own (Playwright's sync API keeps an event loop running):

    python -m benchmarks.browser --base http://127.0.0.1:PORT --slug SLUG --sessionid ID \
        --count 2000 --loads 5

A participant's session cookie (from a join over HTTP) is added to a fresh browser context;
each load opens a new page on /w/<slug>/ and an init script notes `performance.now()` (time
since navigation start) at the first moment the live status says "Live" AND `count`
`.sticky[data-id]` elements exist. The first load has a cold cache; the median is reported
along with every load and the navigation timing of each. Prints JSON.

The page runs under its enforced Content Security Policy, as a participant's does: the policy
has no 'unsafe-eval', and Playwright's `wait_for_function` evaluates its predicate with the
page's `eval` (string or function form alike), which the policy refuses. So the init script
exposes a promise that settles when the board is ready, and `page.evaluate` (the DevTools
protocol's own evaluation, which the policy does not govern) waits for it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM_ARGS, MISSING, chromium_executable

WATCH = """
(count) => {
  window.__benchReadyPromise = new Promise((resolve) => {
    const check = () => {
      const status = document.getElementById("live-status");
      if (status && status.dataset.state === "live" && status.textContent.trim() === "Live"
          && document.querySelectorAll(".sticky[data-id]").length >= count) {
        window.__benchReady = performance.now();
        resolve(window.__benchReady);
        return;
      }
      setTimeout(check, 2);
    };
    check();
  });
}
"""
# Waits for the promise above with a timeout (no eval: see the module's docstring).
WAIT = """
(timeout) => Promise.race([
  window.__benchReadyPromise,
  new Promise((_, reject) => setTimeout(() => reject(new Error("board not ready")), timeout)),
])
"""


def measure(base: str, slug: str, sessionid: str, count: int, loads: int) -> dict[str, Any]:
    chromium = chromium_executable()
    if chromium is None:
        raise SystemExit(MISSING)
    host = urlsplit(base).hostname or "127.0.0.1"
    runs: list[dict[str, Any]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})
            context.add_cookies(
                [{"name": "sessionid", "value": sessionid, "domain": host, "path": "/"}]
            )
            context.add_init_script(f"({WATCH})({count})")
            for _ in range(loads):
                page = context.new_page()
                started = time.perf_counter()
                page.goto(f"{base}/w/{slug}/", wait_until="commit")
                page.evaluate(WAIT, 60_000)
                wall = (time.perf_counter() - started) * 1000
                timing = page.evaluate(
                    """() => {
                      const n = performance.getEntriesByType("navigation")[0];
                      const wired = performance.getEntriesByName("board-wired")[0];
                      return {ready: window.__benchReady, request_start: n.requestStart,
                              response_start: n.responseStart, response_end: n.responseEnd,
                              dom_interactive: n.domInteractive,
                              board_wired: wired ? wired.startTime : null,
                              dom_content_loaded: n.domContentLoadedEventEnd,
                              load: n.loadEventEnd, transfer_bytes: n.transferSize,
                              stickies: document.querySelectorAll(".sticky[data-id]").length};
                    }"""
                )
                timing["wall_from_goto"] = wall
                runs.append(
                    {k: round(v, 1) if isinstance(v, float) else v for k, v in timing.items()}
                )
                page.close()
        finally:
            browser.close()
    return {
        "median_ms": round(statistics.median(run["ready"] for run in runs), 1),
        "median_wall_ms": round(statistics.median(run["wall_from_goto"] for run in runs), 1),
        "runs": runs,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--sessionid", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.base, args.slug, args.sessionid, args.count, args.loads)))

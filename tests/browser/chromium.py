"""How this project starts Chromium, for the browser tests and the benchmark alike: Debian's
package (Playwright cannot download browsers here), quiet on a closed network."""

import shutil

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

MISSING = "Chromium is not installed: `make test` installs it (Debian: apt-get install chromium)."


def chromium_executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")

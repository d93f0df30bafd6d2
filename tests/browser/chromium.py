"""How this project starts Chromium, for the browser tests and the benchmark alike: Debian's
package (Playwright cannot download browsers here), quiet on a closed network."""

import shutil

# What Playwright 1.x (as locked) disables itself (playwright-core chromiumSwitches.ts).
PLAYWRIGHT_DISABLED = [
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "MediaRouter", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
    "TcpPortRandomizationWin", "OptimizationHints", "NetworkTimeServiceQuerying", "AimEnabled",
    "PreconnectToSearch", "msForceBrowserSignIn", "msEdgeUpdateLaunchServicesPreferredVersion",
]  # fmt: skip

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium 156 preloads its address-bar popup in a renderer of its own in every new window,
    # about 450 ms of CPU on this 2-core machine while the page under test loads (traced with
    # the big board, benchmark (d)); nobody sees it headless. Chromium reads the last
    # --disable-features it is given, so Playwright's own list is repeated here.
    "--disable-features="
    + ",".join([*PLAYWRIGHT_DISABLED, "WebUIOmniboxPopup", "WebUIOmniboxAimPopup"]),
]

MISSING = "Chromium is not installed: `make test` installs it (Debian: apt-get install chromium)."


def chromium_executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")

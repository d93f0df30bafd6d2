"""Start p2pboard's ASGI server, with the settings measured in benchmarks/:

    python -m p2pboard.serve [--server daphne|uvicorn] [--host HOST] [--port PORT] [--proxy]

Daphne serves `make run` (the embedded default). The scale-out deployment (Dockerfile) runs
Uvicorn with uvloop, httptools and the sans-I/O websockets protocol: under the benchmark's load
it used about 40% less CPU than Daphne and halved the p99 latency (README, "Performance").
`--proxy` trusts X-Forwarded-* headers: only behind a proxy that sets them (deploy/).
"""

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP = "p2pboard.asgi:application"


def command(server: str, *, host: str, port: int, proxy: bool = False) -> list[str]:
    if server == "uvicorn":
        line = [sys.executable, "-m", "uvicorn", "--host", host, "--port", str(port),
                "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio",
                # No compression: it would cost CPU per socket for every broadcast frame.
                "--ws-per-message-deflate", "false", "--no-access-log"]  # fmt: skip
        if proxy:
            line += ["--proxy-headers", "--forwarded-allow-ips", "*"]
    elif server == "daphne":
        line = [sys.executable, "-m", "daphne", "-b", host, "-p", str(port)]
        if proxy:
            line.append("--proxy-headers")
    else:
        raise ValueError(f"Unknown server {server!r}: daphne or uvicorn.")
    return [*line, APP]


def wait_serving(
    url: str, process: "subprocess.Popen[bytes]", log: Path, *, timeout: float = 40
) -> None:
    """Wait until a server started with `command` answers `url`/healthz; if it stops or does
    not answer in time, raise with the end of its log (for tests and the benchmark)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"The server did not start:\n{log.read_text()[-3000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--proxy", action="store_true", help="trust X-Forwarded-* headers")
    options = parser.parse_args()
    line = command(options.server, host=options.host, port=options.port, proxy=options.proxy)
    os.execv(line[0], line)  # noqa: S606 (our own interpreter, arguments from a fixed list)


if __name__ == "__main__":
    main()

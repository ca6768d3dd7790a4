"""The real Alertmanager (Debian's `prometheus-alertmanager`), run on a loopback port for the silence tests.

One process per pytest worker (session fixture in tests/silences/conftest.py), with a temporary config and
data directory and clustering off; a test that needs Alertmanager down starts its own. Readiness is Alertmanager's
own `/-/ready`. With MAINTBOT_REQUIRE_ALERTMANAGER=1 (set by .ci/run) or under CI (`CI` set) a missing binary
fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

BINARIES = ("prometheus-alertmanager", "alertmanager")
CONFIG = """\
route:
  receiver: nowhere
receivers:
  - name: nowhere
"""


def binary() -> str:
    found = next((shutil.which(name) for name in BINARIES if shutil.which(name)), None)
    if found is None:
        message = "Alertmanager is not installed (apt-get install prometheus-alertmanager; .ci/run does it)"
        if os.environ.get("MAINTBOT_REQUIRE_ALERTMANAGER") == "1" or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AlertmanagerProcess:
    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory = directory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> AlertmanagerProcess:
        self.directory.mkdir(parents=True, exist_ok=True)
        config = self.directory / "alertmanager.yml"
        config.write_text(CONFIG)
        with open(self.directory / "log", "ab") as log:
            self.process = subprocess.Popen(
                [binary(), f"--config.file={config}", f"--storage.path={self.directory / 'data'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=", "--log.level=warn"],
                stdout=subprocess.DEVNULL, stderr=log,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Alertmanager exited: {(self.directory / 'log').read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling readiness: Alertmanager offers no other signal
        raise RuntimeError("Alertmanager did not become ready in 30 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def silences(self, announcement_uuid) -> list[dict]:
        """maintbot's silences of one announcement, read back through Alertmanager's own API."""
        answer = httpx.get(f"{self.url}/api/v2/silences", timeout=5).json()
        return [s for s in answer if f"[maintbot {announcement_uuid.hex}" in s.get("comment", "")]

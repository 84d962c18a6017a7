"""Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe):
no driver binary, no websocket, no network. Used by the report's browser tests
(tests/report) and by tools/report_screenshot.py, which draws docs/img/report.png.

Messages are JSON objects separated by NUL bytes, Chromium reading on fd 3 and writing on
fd 4. Chromium is Debian's `chromium` package (/usr/bin/chromium), or $RNNLAB_CHROMIUM.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
         "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--allow-file-access-from-files")


def chromium_path() -> str | None:
    """The Chromium binary, or None when there is none."""
    given = os.environ.get("RNNLAB_CHROMIUM")
    if given:
        return given
    return next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)


_EXEC_ON_3_AND_4 = """import os, sys
a, b = int(sys.argv[1]), int(sys.argv[2])
os.dup2(a, 3); os.dup2(b, 4); os.close(a); os.close(b)
os.execv(sys.argv[3], sys.argv[3:])"""


class Browser:
    """One headless Chromium with one page. Console errors and uncaught exceptions are
    collected in `errors`."""

    def __init__(self, binary: str, width: int = 1200, height: int = 900, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="rnnlab-chromium-")
        to_child, self._write = os.pipe()
        self._read, from_child = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4. The child's ends are
        # moved above fd 9 here, then put on 3 and 4 by a small Python that execs Chromium
        # (no preexec_fn: it would run other libraries' fork handlers in the child).
        high_in, high_out = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child))
        os.close(to_child)
        os.close(from_child)
        log = open(Path(self.profile) / "chromium.log", "wb")
        command = [binary, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self.profile}",
                   f"--window-size={width},{height}", "about:blank"]
        self.process = subprocess.Popen(
            [sys.executable, "-c", _EXEC_ON_3_AND_4, str(high_in), str(high_out), *command],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, pass_fds=(high_in, high_out))
        log.close()
        os.close(high_in)
        os.close(high_out)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.errors: list[str] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    # -- protocol ------------------------------------------------------------
    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)
        raise TimeoutError(f"{method}: no reply in {self.timeout} s")

    def _receive(self, deadline: float) -> dict[str, Any]:
        import select

        while b"\0" not in self._buffer:
            ready, _, _ = select.select([self._read], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("Chromium stopped answering")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.errors.append(d.get("exception", {}).get("description") or d.get("text", "exception"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(params["entry"].get("text", ""))

    # -- what tests use ------------------------------------------------------
    def open(self, path: Path, ready: str = "document.body && document.body.dataset.ready === 'true'") -> float:
        """Load a file and wait until `ready` is true; the seconds it took."""
        started = time.monotonic()
        self.call("Page.navigate", session=True, url=Path(path).resolve().as_uri())
        self.wait_for(ready)
        return time.monotonic() - started

    def wait_for(self, expression: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            try:
                if self.evaluate(expression):
                    return
            except RuntimeError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"never true: {expression}")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"].get("text", "exception"))
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        """PNG of the whole page, at one pixel per CSS pixel."""
        size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=int(size[0]), height=int(size[1]),
                  deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._read, self._write):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

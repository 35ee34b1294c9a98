"""A Chromium, Chrome or Edge found on this machine, driven over the DevTools protocol (no download, no
driver library): print a page to PDF with page numbers, take screenshots, measure a page.

The browser is started headless with ``--remote-debugging-pipe``: commands go to its file descriptor 3 and
answers come from 4, as NUL-separated JSON (POSIX only). Chinese text needs a CJK font; where fontconfig is
used (Linux), the OFL Noto Sans CJK that the `noto-cjk-sans-otc` package ships is added to the browser's
fonts, so pages and PDFs show Chinese with the pip set-up alone.
"""

from __future__ import annotations

import base64
import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BROWSER_NAMES = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
]
MAC_APPS = [
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
]
HOW_TO_GET_ONE = (
    "找不到 Chromium、Chrome 或 Edge 浏览器，无法生成 PDF（未写入任何文件）。请安装其中之一：\n"
    "  Debian/Ubuntu：sudo apt-get install chromium\n"
    "  macOS：brew install --cask chromium（或安装 Google Chrome）\n"
    "  Windows：安装 Microsoft Edge 或 Google Chrome（https://www.google.com/chrome/）\n"
    "也可以用环境变量 QZ_BROWSER 指定浏览器程序的路径。"
)


class BrowserError(RuntimeError):
    """No browser, or the browser failed; the message says what to do."""


def find_browser() -> Path | None:
    """`QZ_BROWSER`, else the first Chromium/Chrome/Edge on PATH or in the usual install places."""
    explicit = os.environ.get("QZ_BROWSER")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    for app in MAC_APPS:
        if Path(app).is_file():
            return Path(app)
    return None


def _fontconfig_env(workdir: Path) -> dict:
    """FONTCONFIG_FILE that adds the bundled Noto Sans CJK to the system's fonts (Linux only)."""
    if not sys.platform.startswith("linux"):
        return {}
    try:
        import noto_cjk_sans_otc

        font_dir = Path(str(noto_cjk_sans_otc.FONT_PATH)).parent
    except ImportError:
        return {}
    system = "/etc/fonts/fonts.conf"
    conf = workdir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{system}</include>\n'
        f"  <dir>{font_dir}</dir>\n  <cachedir>{workdir / 'fontcache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {"FONTCONFIG_FILE": str(conf)}


class Browser:
    """A headless browser session: ``with Browser() as b: b.open(path, 390); b.screenshot(png)``."""

    def __init__(self, executable: Path | None = None, timeout: float = 60.0):
        self.executable = executable or find_browser()
        if self.executable is None:
            raise BrowserError(HOW_TO_GET_ONE)
        if os.name != "posix":
            raise BrowserError(
                "在此系统上无法控制浏览器（需要 POSIX 管道）；请在 Linux 或 macOS 上生成 PDF。"
            )
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._session = None
        self._events: list[dict] = []  # events read while waiting for an answer

    # -- process and protocol ------------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self._workdir = Path(tempfile.mkdtemp(prefix="qz-browser-"))
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # the browser reads commands on fd 3 and writes answers to fd 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        args = [
            str(self.executable),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={self._workdir / 'profile'}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        env = {**os.environ, **_fontconfig_env(self._workdir)}
        self._process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,  # noqa: PLW1509 (no threads are started before the exec)
            pass_fds=(3, 4),  # kept open after wire_pipes (other descriptors are closed after it)
            env=env,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close", wait=False)
        except OSError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._to_browser, self._from_browser):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._workdir, ignore_errors=True)

    def _read_message(self, deadline: float) -> dict:
        import select

        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("浏览器没有在限定时间内响应")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("浏览器意外退出")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _send(self, method: str, params: dict | None = None, *, session: bool = False, wait: bool = True):
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode("utf-8") + b"\0")
        if not wait:
            return None
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait_event(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for i, event in enumerate(self._events):
            if event.get("method") == method:
                return self._events.pop(i)
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method:
                return event

    # -- pages ---------------------------------------------------------------------------------------
    def open(self, path: Path | str, width: int = 1280, height: int = 900, mobile: bool = False) -> None:
        """Load a local file in a fresh tab of `width` × `height` css pixels (a phone when `mobile`)."""
        self._events = []
        target = self._send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._send("Page.enable", session=True)
        self._send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
            session=True,
        )
        self._send("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=True)
        self._wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the open page (DevTools evaluation: the page's own CSP
        still forbids the page any script)."""
        result = self._send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in result:
            raise BrowserError(str(result["exceptionDetails"].get("exception", {}).get("description")))
        return result["result"].get("value")

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        params = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = self._send("Page.getLayoutMetrics", session=True)["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self._send("Page.captureScreenshot", params, session=True)["data"]
        Path(path).write_bytes(base64.b64decode(data))
        return Path(path)

    def pdf(self, footer: str = "") -> bytes:
        """The open page printed on A4 (the page's @page margins), backgrounds on, page numbers in the footer
        and the headings as the PDF's bookmarks."""
        template = (
            '<div style="width:100%;font-size:8px;color:#666;text-align:center;'
            "font-family:'Noto Sans CJK SC',sans-serif;\">"
            f'{html.escape(footer)}　第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页</div>'
        )
        params = {
            "printBackground": True,
            "preferCSSPageSize": True,
            "paperWidth": 8.27,
            "paperHeight": 11.69,
            "displayHeaderFooter": True,
            "headerTemplate": "<div></div>",
            "footerTemplate": template,
            "generateDocumentOutline": True,
        }
        return base64.b64decode(self._send("Page.printToPDF", params, session=True)["data"])


__all__ = ["HOW_TO_GET_ONE", "Browser", "BrowserError", "find_browser"]

"""A small client of the Chrome DevTools Protocol over --remote-debugging-pipe,
for driving Debian's headless chromium from a test. Standard library only.

Chromium started with --remote-debugging-pipe reads JSON commands on its
fd 3 and writes replies and events on its fd 4, each message ended by a NUL
byte. One thread reads the replies; commands wait for theirs by id. The page
is attached with flatten=true, so commands and events name its session; its
workers (emscripten's pthreads) are attached too, and the console messages
of every session are kept in arrival order.

    with Browser(user_data_dir) as b:
        page = b.open_page(1280, 720)
        page.navigate(url)
        page.wait_title(lambda t: t.startswith("convstep exit"), 120)
        b.console  # [(type, text), ...]
"""

import base64
import json
import os
import shutil
import subprocess
import threading
import time

# Flags for a headless chromium in a container: no sandbox (root, no user
# namespaces), software GL (SwiftShader) for WebGL, no first-run or
# background noise.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--use-gl=angle",
         "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--mute-audio", "--hide-scrollbars",
         "--disable-dev-shm-usage"]


# What a trace records: the tasks of every thread with their wall and CPU
# times (toplevel), the page's frames and scripts (devtools.timeline), the
# GPU process's work (gpu, viz).
TRACE_CATEGORIES = ("toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline",
                    "disabled-by-default-devtools.timeline.frame", "v8.execute", "blink", "gpu", "viz",
                    "cc", "__metadata")


# (modifier bit, key, code, Windows key code) of the modifier keys.
MODIFIER_KEYS = ((1, "Alt", "AltLeft", 18), (2, "Control", "ControlLeft", 17), (4, "Meta", "MetaLeft", 91),
                 (8, "Shift", "ShiftLeft", 16))


class CdpError(Exception):
    """A command's error reply, the browser gone, or a wait that timed out."""


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    def __init__(self, user_data_dir, extra_flags=(), log_path=os.devnull):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        self._log = open(log_path, "wb")
        # A shell puts the two pipe ends on fds 3 and 4, where chromium looks for them.
        cmd = ["sh", "-c", 'exec "$@" 3<&%d 4>&%d' % (to_chrome_r, from_chrome_w), "sh",
               chromium_path(), *FLAGS, "--remote-debugging-pipe",
               "--user-data-dir=" + user_data_dir, *extra_flags, "about:blank"]
        self.proc = subprocess.Popen(cmd, pass_fds=(to_chrome_r, from_chrome_w),
                                     stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=self._log, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next_id = 0
        self._replies = {}
        self._cond = threading.Condition()
        self._closed = False
        self.console = []  # (type, text, session id) of every console message, in order
        self.exceptions = []  # uncaught exceptions' texts
        self.sessions = set()
        self._trace = None  # trace events while tracing (start_trace), else None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            *messages, buf = buf.split(b"\0")
            for raw in messages:
                self._dispatch(json.loads(raw))
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _dispatch(self, msg):
        with self._cond:
            if "id" in msg:
                self._replies[msg["id"]] = msg
                self._cond.notify_all()
                return
            method, params = msg.get("method"), msg.get("params", {})
            if method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                self.console.append((params["type"], text, msg.get("sessionId")))
            elif method == "Runtime.exceptionThrown":
                d = params["exceptionDetails"]
                self.exceptions.append(d.get("exception", {}).get("description", d.get("text")))
            elif method == "Tracing.dataCollected" and self._trace is not None:
                self._trace.extend(params["value"])
            elif method == "Tracing.tracingComplete" and self._trace is not None:
                self._trace_done = True
            elif method == "Target.attachedToTarget":
                self.sessions.add(params["sessionId"])
                # A worker: its console too, then let it run (it waits for us).
                threading.Thread(target=self._start_worker, args=(params["sessionId"],),
                                 daemon=True).start()
            self._cond.notify_all()

    def _start_worker(self, session):
        try:
            self.send("Runtime.enable", session=session, timeout=30)
            self.send("Runtime.runIfWaitingForDebugger", session=session, timeout=30)
        except CdpError:
            pass  # a worker that ended already

    def send(self, method, params=None, session=None, timeout=60):
        """Sends one command; returns its result, or raises CdpError."""
        with self._cond:
            self._next_id += 1
            ident = self._next_id
        msg = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        except OSError as e:
            raise CdpError("%s: the browser is gone (%s)" % (method, e))
        deadline = time.time() + timeout
        with self._cond:
            while ident not in self._replies:
                left = deadline - time.time()
                if self._closed or left <= 0:
                    raise CdpError("%s: %s" % (method, "the browser closed the pipe"
                                               if self._closed else "no reply in %d s" % timeout))
                self._cond.wait(left)
            reply = self._replies.pop(ident)
        if "error" in reply:
            raise CdpError("%s: %s" % (method, reply["error"].get("message")))
        return reply.get("result", {})

    def start_trace(self, categories=TRACE_CATEGORIES):
        """Starts recording the browser's trace (every process and thread)."""
        self._trace, self._trace_done = [], False
        self.send("Tracing.start", {"traceConfig": {"includedCategories": list(categories)},
                                    "transferMode": "ReportEvents"})

    def stop_trace(self, timeout=60):
        """Ends the recording; returns its events (Chrome's trace event format:
        name, ph, ts and dur in microseconds, tdur the thread's own CPU time,
        pid, tid; 'M' events name the processes and threads)."""
        self.send("Tracing.end")
        deadline = time.time() + timeout
        with self._cond:
            while not self._trace_done:
                left = deadline - time.time()
                if self._closed or left <= 0:
                    raise CdpError("Tracing.end: the trace did not complete in %d s" % timeout)
                self._cond.wait(left)
            events, self._trace = self._trace, None
        return events

    def open_page(self, width, height, mobile=False):
        """Opens a new tab of the given CSS size; returns its Page. A tab whose
        page hangs is closed from the browser's side (Page.close), so one
        hung case does not stop the next."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session, target)
        page.send("Runtime.enable")
        page.send("Page.enable")
        page.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        if mobile:  # a phone: touch, no mouse
            page.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
        page.send("Target.setAutoAttach",
                  {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})
        return page

    def close(self):
        if self.proc.poll() is None:
            try:
                self.send("Browser.close", timeout=10)
                self.proc.wait(10)
            except (CdpError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Page:
    def __init__(self, browser, session, target):
        self.browser = browser
        self.session = session
        self.target = target

    def close(self):
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target}, timeout=30)
        except CdpError:
            pass  # the browser is gone: nothing left to close

    def send(self, method, params=None, timeout=60):
        return self.browser.send(method, params, session=self.session, timeout=timeout)

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in r:
            raise CdpError("%s: %s" % (expression, r["exceptionDetails"].get("text")))
        return r["result"].get("value")

    def navigate(self, url):
        r = self.send("Page.navigate", {"url": url})
        if r.get("errorText"):
            raise CdpError("cannot load %s: %s" % (url, r["errorText"]))

    def wait_title(self, done, timeout):
        """Polls document.title until done(title); returns it, or raises CdpError
        naming the last title seen."""
        deadline = time.time() + timeout
        title = None
        while time.time() < deadline:
            try:
                title = self.evaluate("document.title")
            except CdpError:
                title = None  # between two documents
            if title is not None and done(title):
                return title
            time.sleep(0.1)
        raise CdpError("the page's title is %r after %d s" % (title, timeout))

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def mouse(self, kind, x, y, buttons=1):
        """kind: mousePressed, mouseMoved or mouseReleased, at CSS pixel (x, y)."""
        self.send("Input.dispatchMouseEvent",
                  {"type": kind, "x": x, "y": y, "button": "left",
                   "buttons": buttons if kind != "mouseReleased" else 0, "clickCount": 1})

    def key(self, key, code, keycode, modifiers=0, text=None):
        """Presses and releases a key as the keyboard sends it: key ('=', 'a'),
        code ('Equal', 'KeyA'), the Windows key code (187, 65); modifiers:
        1 Alt, 2 Ctrl, 4 Meta, 8 Shift. The modifier keys go down first and
        up last, as a keyboard sends them (SDL follows its own key events, not
        the event's ctrlKey, to know a modifier is held)."""
        held = [m for m in MODIFIER_KEYS if modifiers & m[0]]
        for bit, mkey, mcode, mkeycode in held:
            self.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": mkey, "code": mcode,
                                                 "windowsVirtualKeyCode": mkeycode, "modifiers": modifiers})
        down = {"type": "keyDown", "key": key, "code": code,
                "windowsVirtualKeyCode": keycode, "nativeVirtualKeyCode": keycode,
                "modifiers": modifiers}
        if text is not None:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                             "windowsVirtualKeyCode": keycode,
                                             "nativeVirtualKeyCode": keycode, "modifiers": modifiers})
        for bit, mkey, mcode, mkeycode in reversed(held):
            self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": mkey, "code": mcode,
                                                 "windowsVirtualKeyCode": mkeycode, "modifiers": 0})

    def touch(self, kind, points):
        """kind: touchStart, touchMove or touchEnd; points: [(x, y), ...] (none for touchEnd)."""
        self.send("Input.dispatchTouchEvent",
                  {"type": kind, "touchPoints": [{"x": x, "y": y, "id": i}
                                                 for i, (x, y) in enumerate(points)]})

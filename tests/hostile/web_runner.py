"""Upload corpus files to a real ``xuncha serve`` over HTTP, as a browser would, and
judge each answer; after every upload the public petition page must still answer.

One server for the whole corpus (SQLite, its own data folder). If an upload kills it,
that case fails and the server is started again for the next one.
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hostile.make_corpus import Case

HERE = Path(__file__).resolve().parent
USER, PASSWORD = "hostile", "Hostile-corpus-2026"
UPLOAD_TIMEOUT = 300
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class WebResult:
    case: Case
    name: str  # the file name as a browser sends it
    status: int | None = None  # of the upload (after redirects); None: no answer
    landed: str = ""  # "dataset", "team" or another path
    messages: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    dataset_status: int | None = None  # the dataset page opened again
    dataset_errors: str = ""  # what that page says stops the file from being checked
    public_status: int | None = None  # the public petition page right after
    seconds: float = 0.0
    error: str = ""  # no answer: why
    died: bool = False  # the server process was gone after the upload
    media_added: list[str] = field(default_factory=list)  # files kept after a refusal
    tracebacks: list[str] = field(default_factory=list)  # from the server's log

    def outcome(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})" + (", server died" if self.died else "")
        if self.landed == "dataset":
            said = f": {self.dataset_errors[:120]}" if self.dataset_errors else ""
            return f"accepted ({self.status}, dataset page {self.dataset_status}{said})"
        errors = [t for level, t in self.messages if "error" in level]
        return f"refused ({self.status}): {errors[0][:120] if errors else 'no message'}"


class Server:
    """``xuncha serve`` in a subprocess, set up and logged in (a context manager)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.data = work / "data"
        self.log = work / "server.log"
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.env = {**os.environ, "XUNCHA_DATA_DIR": str(self.data), "XUNCHA_SETTINGS": "base",
                    "DJANGO_SETTINGS_MODULE": "xuncha.config.settings.base",
                    "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
        for key in ("XUNCHA_DATABASE_URL", "XUNCHA_CACHE_URL", "XUNCHA_QUEUE_URL"):
            self.env.pop(key, None)
        self.team = 0
        self.token = ""
        self.csrf = ""
        self.opener = urllib.request.build_opener()

    def __enter__(self) -> Server:
        self.work.mkdir(parents=True, exist_ok=True)
        self.data.mkdir(exist_ok=True)
        done = subprocess.run([sys.executable, str(HERE / "web_setup.py"), USER, PASSWORD],
                              cwd=self.work, env=self.env, capture_output=True, text=True,
                              timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        made = json.loads(done.stdout.strip().splitlines()[-1])
        self.team, self.token = made["team"], made["token"]
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "xuncha", "serve", "--host", "127.0.0.1", "--port",
             str(self.port), "--no-jobs"],
            cwd=self.work, env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + 120
        while self.public() != 200:
            assert self.proc.poll() is None, f"xuncha serve exited: {self.log_tail()}"
            assert time.monotonic() < deadline, f"xuncha serve did not answer: {self.log_tail()}"
            time.sleep(0.3)
        self.login()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, size: int = 3000) -> str:
        return self.log.read_bytes()[-size:].decode("utf-8", "replace")

    # ----------------------------------------------------------------------- HTTP

    def get(self, path: str, timeout: float = 60) -> tuple[int, str, str]:
        """(status, final path, body) of a GET, redirects followed."""
        return self._open(urllib.request.Request(self.base + path), timeout)

    def _open(self, request: urllib.request.Request, timeout: float) -> tuple[int, str, str]:
        try:
            with self.opener.open(request, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                return response.status, urllib.parse.urlsplit(response.url).path, body
        except urllib.error.HTTPError as err:
            body = err.read().decode("utf-8", "replace")
            return err.code, urllib.parse.urlsplit(err.url or "").path, body

    def public(self) -> int | None:
        """The public petition page's status, None when it does not answer."""
        try:
            with urllib.request.urlopen(f"{self.base}/p/{self.token}/", timeout=15) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code
        except OSError:
            return None

    def login(self) -> None:
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        status, _, page = self.get("/login/")
        assert status == 200, page[-2000:]
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": _csrf(page), "username": USER,
                                       "password": PASSWORD}).encode()  # fmt: skip
        status, path, page = self._open(urllib.request.Request(self.base + "/login/", form), 60)
        assert status == 200 and path != "/login/", f"login failed: {status} {path}"
        status, _, page = self.get(f"/checks/teams/{self.team}/")
        assert status == 200, page[-2000:]
        self.csrf = _csrf(page)

    # ----------------------------------------------------------------------- uploads

    def upload_case(self, case: Case, corpus: Path) -> WebResult:
        if self.proc is None or self.proc.poll() is not None or self.public() != 200:
            self.stop()
            self.start()  # the previous case took it down; this one starts afresh
        # as browsers send a quote or a line break in a file name
        name = case.file.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        result = WebResult(case, name)
        before = _files(self.data / "media")
        log_at = self.log.stat().st_size
        started = time.monotonic()
        try:
            self._upload(result, corpus / case.name / case.file)
        except OSError as err:
            result.error = f"{type(err).__name__}: {err}"[:200]
        result.seconds = round(time.monotonic() - started, 1)
        result.public_status = self.public()
        result.died = self.proc is not None and self.proc.poll() is not None
        if result.landed != "dataset":
            result.media_added = sorted(_files(self.data / "media") - before)
        text = self.log.read_bytes()[log_at:].decode("utf-8", "replace")
        result.tracebacks = [m[-400:] for m in re.findall(r"Traceback.*?(?=\n\S|\Z)", text, re.S)]
        if "Traceback" in text and not result.tracebacks:
            result.tracebacks = [text[text.index("Traceback") :][-400:]]
        return result

    def _upload(self, result: WebResult, path: Path) -> None:
        boundary = "----hostile" + uuid.uuid4().hex
        head = "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in (("csrfmiddlewaretoken", self.csrf), ("kind", "payments"))
        ) + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{result.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        tail = f"\r\n--{boundary}--\r\n".encode()
        size = len(head.encode()) + path.stat().st_size + len(tail)

        def body() -> Iterator[bytes]:
            yield head.encode()
            with path.open("rb") as f:
                while chunk := f.read(1 << 20):
                    yield chunk
            yield tail

        request = urllib.request.Request(
            f"{self.base}/checks/teams/{self.team}/upload/", data=body(), method="POST",
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                     "Content-Length": str(size)},
        )  # fmt: skip
        result.status, final, page = self._open(request, UPLOAD_TIMEOUT)
        result.messages = [
            (level, html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
            for level, text in re.findall(r'<p class="msg ([^"]*)"[^>]*>(.*?)</p>', page, re.S)
        ]
        if re.fullmatch(r"/checks/datasets/\d+/", final):
            result.landed = "dataset"
            result.dataset_status, _, page = self.get(final)
            # A flag is an error, or a note that the file holds nothing to check (a header
            # with no rows: the engine reads it as 0 rows, beside other files it is fine).
            found = re.search(r'id="mapping-errors">(.*?)</div>', page, re.S) or re.search(
                r'id="mapping-warnings">(提示：.*?没有可比对的记录.*?)</div>', page, re.S
            )
            result.dataset_errors = html.unescape(found.group(1)).strip() if found else ""
        else:
            result.landed = "team" if final == f"/checks/teams/{self.team}/" else final


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def judge(r: WebResult) -> list[str]:
    """Every broken promise of this upload, in words (empty: the case passes)."""
    fails = []
    if r.status is None:
        fails.append(f"the upload got no answer: {r.error}")
    elif r.status >= 500 or (r.dataset_status is not None and r.dataset_status >= 500):
        fails.append(f"server error: upload {r.status}, dataset page {r.dataset_status}")
    if r.public_status != 200:
        fails.append(f"the public petition page answered {r.public_status} after the upload")
    if r.died:
        fails.append("the server process died")
    if r.tracebacks:
        fails.append("traceback in the server log: " + r.tracebacks[0].replace("\n", " | ")[-300:])
    if r.status is not None and r.status < 500:
        fails += _judge_answer(r)
    return fails


def _judge_answer(r: WebResult) -> list[str]:
    errors = [t for level, t in r.messages if "error" in level]
    if r.case.expect == "read":
        if r.landed != "dataset":
            return [f"refused, expected accepted: {errors[0][:200] if errors else r.landed}"]
        if r.dataset_status != 200:
            return [f"the dataset page answered {r.dataset_status}"]
        if r.dataset_errors:  # the CLI reads it, yet a run of it would be refused
            return [f"accepted, but the dataset page says it cannot be checked: {r.dataset_errors}"]
        return []
    fails = []
    if r.landed == "dataset" and r.case.web_flag_ok:
        if not _CJK.search(r.dataset_errors):
            fails.append("accepted, and the dataset page shows no reason it cannot be checked")
    elif r.landed == "dataset":
        fails.append("accepted, expected refused")
    elif not any(r.name in t and _CJK.search(t) for t in errors):
        fails.append(f"no Chinese message naming the file: {errors or r.messages}")
    elif not any(all(w in t for w in r.case.says) for t in errors):
        fails.append(f"the refusal does not say {r.case.says}: {errors}")
    if r.media_added:
        fails.append(f"kept after the refusal: {r.media_added[:3]}")
    return fails

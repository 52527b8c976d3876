"""Half-open connections against the documented deployment (docs/deploy.md).

Starts `xuncha serve` (XUNCHA_SETTINGS=production) behind nginx with a self-signed
certificate on loopback, as tests/web/test_deploy.py does. Times a full staff login
(GET the form, POST the password, follow the redirect to the home page) ``--logins``
times; then opens ``--flood`` half-open connections through the proxy (TCP and TLS
handshake done, a partial request line sent, then held) and times the same logins while
they are held. Prints both medians and their ratio, and the same measurement straight
against `xuncha serve` (plain HTTP, no proxy), whose own idle and connection limits
must hold too. The issue's figure: a login within 2 s under 200 half-open connections.

    python bench/bench_halfopen.py [--flood 200] [--logins 5]
"""

from __future__ import annotations

import argparse
import http.client
import re
import socket
import ssl
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from web.deploy_stack import PASSWORD, USERNAME, Stack

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Target:
    def __init__(self, port: int, context: ssl.SSLContext | None) -> None:
        self.port, self.context = port, context
        # Straight to `xuncha serve`, the client stands in for the proxy (127.0.0.1 is the
        # trusted proxy) and says the request came over HTTPS, as nginx would.
        self.headers = {} if context else {"X-Forwarded-Proto": "https"}

    def connect(self, timeout: float = 30) -> http.client.HTTPConnection:
        if self.context is None:
            return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        return http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.context, timeout=timeout
        )

    def half_open(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        if self.context is not None:
            sock = self.context.wrap_socket(sock, server_hostname="127.0.0.1")
        sock.sendall(b"GET /login/ HT")  # a request line never finished
        return sock


def login(target: Target) -> float:
    """Seconds for one whole login; fails loudly if it does not end on the home page."""
    start = time.perf_counter()
    conn = target.connect()
    conn.request("GET", "/login/", headers=target.headers)
    page = conn.getresponse()
    body = page.read().decode()
    cookie = page.headers["Set-Cookie"].split(";")[0]
    form = urlencode({"csrfmiddlewaretoken": TOKEN.search(body).group(1),  # type: ignore[union-attr]
                      "username": USERNAME, "password": PASSWORD})  # fmt: skip
    origin = f"https://127.0.0.1:{target.port}"
    conn.request("POST", "/login/", form, {**target.headers, "Cookie": cookie, "Origin": origin, "Referer": origin + "/login/",
                 "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    done = conn.getresponse()
    done.read()
    assert done.status == 302, f"登录失败：{done.status}"
    session = [
        c.split(";")[0] for c in done.headers.get_all("Set-Cookie") or [] if "sessionid" in c
    ]
    conn.request(
        "GET",
        done.headers["Location"],
        headers={**target.headers, "Cookie": "; ".join([cookie, *session])},
    )
    home = conn.getresponse()
    assert home.status == 200 and "欢迎" in home.read().decode(), f"首页打不开：{home.status}"
    conn.close()
    return time.perf_counter() - start


def still_open(socks: list[socket.socket]) -> int:
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            alive += s.recv(1) != b""
        except (BlockingIOError, ssl.SSLWantReadError):
            alive += 1
        except OSError:
            pass
    return alive


def measure(name: str, target: Target, flood: int, logins: int) -> float:
    quiet = statistics.median(login(target) for _ in range(logins))
    socks = [target.half_open() for _ in range(flood)]
    held = statistics.median(login(target) for _ in range(logins))
    alive = still_open(socks)
    for s in socks:
        s.close()
    print(f"{name}: login {quiet:.3f} s quiet, {held:.3f} s under {flood} half-open connections "
          f"({alive} still held at the end); ratio {held / quiet:.2f}")  # fmt: skip
    return held


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=200)
    parser.add_argument("--logins", type=int, default=5)
    args = parser.parse_args()
    stack = Stack(Path(tempfile.mkdtemp(prefix="xuncha-bench-halfopen-"))).start()
    try:
        context = ssl.create_default_context(cafile=str(stack.folder / "cert.pem"))
        held = measure(
            "through nginx (https)", Target(stack.https_port, context), args.flood, args.logins
        )
        measure(
            "straight to xuncha serve (http)", Target(stack.app_port, None), args.flood, args.logins
        )
    finally:
        stack.stop()
    print(f"target: a login within 2 s under {args.flood} half-open connections through the proxy: "
          f"{held:.3f} s ({'met' if held < 2 else 'NOT met'}; ratio to 2 s {held / 2:.3f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

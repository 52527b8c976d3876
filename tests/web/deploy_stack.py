"""The documented deployment on loopback, for the deployment test and the half-open
benchmark: `xuncha serve` with XUNCHA_SETTINGS=production behind nginx (Debian's
package) with a self-signed certificate made by the openssl command. Everything lives
in one temporary folder; nginx runs as the current user with its own prefix, pid and
temp paths, on ports above 1024. The configuration is the shipped one, made by
`xuncha deploy-config nginx --standalone`."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "Deploy-test-pw-2468"
USERNAME = "chief"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(folder: Path) -> dict[str, str]:
    """The documented production configuration (docs/deploy.md), on SQLite in the folder
    (the web tests' PostgreSQL database belongs to the test run, not to this server)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XUNCHA_", "DJANGO_"))}
    env.update(
        XUNCHA_SETTINGS="production",
        XUNCHA_DATA_DIR=str(folder / "data"),
        XUNCHA_ALLOWED_HOSTS="127.0.0.1",
        XUNCHA_TRUSTED_PROXY="127.0.0.1",
    )
    return env


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"进程已退出：{log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"端口 {port} 60 秒内未就绪：{log.read_text(errors='replace')[-2000:]}")


@dataclass
class Stack:
    folder: Path
    app_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def xuncha(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "xuncha", *args], capture_output=True,
                              text=True, env={**environment(self.folder), **env}, timeout=300)  # fmt: skip

    def start(self) -> Stack:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        assert Path(nginx).exists(), "请先运行 make deploy-deps 安装 nginx"
        cert, key = self.folder / "cert.pem", self.folder / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)  # fmt: skip
        conf = self.xuncha("deploy-config", "nginx", "--server-name", "127.0.0.1",
                           "--cert", str(cert), "--key", str(key),
                           "--upstream", f"127.0.0.1:{self.app_port}",
                           "--https-port", str(self.https_port), "--http-port", str(self.http_port),
                           "--standalone", str(self.folder / "nginx"))  # fmt: skip
        assert conf.returncode == 0, conf.stderr
        self._spawn("serve", [sys.executable, "-m", "xuncha", "serve", "--port", str(self.app_port),
                              "--no-jobs"], self.app_port)  # fmt: skip
        made = self.xuncha("manage", "createsuperuser", "--noinput", "--username", USERNAME,
                           "--email", "", DJANGO_SUPERUSER_PASSWORD=PASSWORD)  # fmt: skip
        assert made.returncode == 0, made.stderr
        self._warm_up()
        prefix = self.folder / "nginx"
        self._spawn("nginx", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"),
                              "-g", "daemon off;"], self.https_port)  # fmt: skip
        return self

    def _warm_up(self) -> None:
        """One request loads the URL map and the views (slow on a busy machine), so that
        what the tests time out on is the server's answer, not its first import."""
        conn = http.client.HTTPConnection("127.0.0.1", self.app_port, timeout=300)
        conn.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
        assert conn.getresponse().status == 200
        conn.close()

    def _spawn(self, name: str, cmd: list[str], port: int) -> None:
        log = self.folder / f"{name}.log"
        proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                env=environment(self.folder), start_new_session=True)  # fmt: skip
        self.procs.append(proc)
        _wait_for_port(port, proc, log)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if "serve" in proc.args else signal.SIGQUIT)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

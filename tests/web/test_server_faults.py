"""A real `xuncha serve` killed by SIGKILL in the middle of a petition submission: once
half the body is sent, and once the whole body is sent but no answer read. After the
restart every accepted petition is intact and decrypts, a submission the server never
finished left nothing (no row, no attachment file), and submissions work again."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from web.deploy_stack import free_port
from xuncha.petitions import pow

SCRIPT = Path(__file__).with_name("petition_script.py")
XUNCHA = str(Path(sys.executable).with_name("xuncha"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "XUNCHA_SETTINGS": "base", "XUNCHA_DATA_DIR": str(tmp_path / "site"),
           "DJANGO_SETTINGS_MODULE": "xuncha.config.settings.base",
           "XUNCHA_PETITION_POW_BITS": "4"}  # fmt: skip
    for name in ("XUNCHA_DATABASE_URL", "XUNCHA_CACHE_URL", "XUNCHA_QUEUE_URL"):
        env.pop(name, None)  # SQLite in the data folder: this test's own database
    return env


def _script(env: dict[str, str], command: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), command], env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    server = subprocess.Popen([XUNCHA, "serve", "--port", str(port), "--no-jobs"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            assert server.poll() is None, "the server did not start"
            time.sleep(0.2)
    raise AssertionError("the server did not listen")


def _png(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (seed % 256, 60, 90)).save(out, "PNG")
    return out.getvalue()


def _form(port: int, path: str, what: str, picture: bytes) -> tuple[bytes, dict[str, str]]:
    """A filled submission, as a browser sends it: the page's CSRF token and cookie, the
    proof of work solved, one picture attached."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path)
    page = conn.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";", 1)[0]
    conn.close()
    challenge = re.search(r'name="pow_challenge" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    fields = {"csrfmiddlewaretoken": csrf, "pow_challenge": challenge,
              "pow_nonce": pow.solve(challenge), "anonymous": "1", "what": what}  # fmt: skip
    boundary = "----xuncha" + secrets.token_hex(8)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]  # fmt: skip
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; '
                 'filename="photo.png"\r\nContent-Type: image/png\r\n\r\n'.encode() + picture + b"\r\n")  # fmt: skip
    parts.append(f"--{boundary}--\r\n".encode())
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie}
    return b"".join(parts), headers


def _submit(port: int, path: str, what: str, picture: bytes) -> str:
    body, headers = _form(port, path, what, picture)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request("POST", path, body, headers)
    answer = conn.getresponse()
    page = answer.read().decode()
    assert answer.status == 200 and "回执码" in page, page[-2000:]
    return page


def _send(
    port: int, path: str, body: bytes, headers: dict[str, str], share: float
) -> socket.socket:
    """The request with ``share`` of its body sent, slowly; the socket left open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
    end = int(len(body) * share)
    for start in range(0, end, 512):
        sock.sendall(body[start : min(start + 512, end)])
        time.sleep(0.002)
    return sock


@pytest.mark.parametrize("share", [0.5, 1.0])
def test_a_server_killed_mid_submission_loses_nothing_accepted(tmp_path, share) -> None:
    env = _env(tmp_path)
    (tmp_path / "site").mkdir()
    token = _script(env, "setup")
    path, port = f"/p/{token}/", free_port()
    pictures = [_png(i) + secrets.token_bytes(20_000) for i in range(3)]
    server = _serve(env, port)
    try:
        _submit(port, path, "第一件：某村虚报冒领补助。", pictures[0])
        body, headers = _form(port, path, "第二件：提交到一半服务器被杀。", pictures[1])
        sock = _send(port, path, body, headers, share)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        sock.close()
        server = _serve(env, port)
        _submit(port, path, "第三件：重启之后。", pictures[2])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    state = json.loads(_script(env, "state"))
    got = {p["what"]: p["attachments"] for p in state["petitions"]}
    sent = {
        "第一件：某村虚报冒领补助。": 0,
        "第二件：提交到一半服务器被杀。": 1,
        "第三件：重启之后。": 2,
    }
    assert set(got) - {"第二件：提交到一半服务器被杀。"} == {
        "第一件：某村虚报冒领补助。",
        "第三件：重启之后。",
    }
    if share < 1:  # half a body never reaches the application
        assert "第二件：提交到一半服务器被杀。" not in got
    for what, files in got.items():  # every accepted petition whole: text and its file
        assert files == [pictures[sent[what]].hex()], what
    assert state["stored"] == state["named"]  # no attachment file of no petition


@pytest.mark.django_db
def test_attachment_files_of_no_petition_are_swept_and_no_other(world, settings, tmp_path) -> None:
    """What a kill between writing a file and committing its petition leaves (the window
    is too short to hit reliably with a real signal, so the file is laid down here)."""
    from django.utils import timezone

    from xuncha.petitions.orphans import attachment_orphans_sweep
    from xuncha.petitions.services import Content, petition_record

    settings.MEDIA_ROOT = tmp_path / "media"
    picture = _png(7)
    petition, _ = petition_record(team=world.team, by=world.users["team"], channel="letter",
                                  received_on=timezone.localdate(), content=Content(what="某村虚报冒领补助。"),
                                  identity=None, unit_id=world.unit.pk,
                                  files=[(io.BytesIO(picture), "a.png")])  # fmt: skip
    kept = Path(petition.attachments.get().original.path)
    orphan = tmp_path / "media" / "petitions" / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"ciphertext of a petition never committed")
    assert attachment_orphans_sweep() == []  # too young: maybe another server's, in flight
    assert attachment_orphans_sweep(grace=-1) == [f"petitions/ab/{orphan.name}"]
    assert kept.exists() and not orphan.exists()

"""Load benchmark of the public petition channel (码上巡察) on loopback.

Starts `xuncha serve` on a fresh PostgreSQL database (``xuncha_bench_petitions``) with
Redis as the shared cache, opens a QR code, then submits petitions concurrently for
``--seconds`` (default 60): each submission is what a phone does — GET the form (CSRF
cookie and proof-of-work challenge), solve the challenge, POST the form with a photo
(JPEG with EXIF/GPS, ~``--photo-kb`` KB). Client processes run on the same machine.

Prints: accepted submissions per second (overall and the slowest 5-second window), the
p50/p90/p99 latency of a whole submission and of the POST alone, refused/failed counts,
and the check that rows in the database equal accepted responses (petitions,
attachments, distinct receipt codes) — zero lost, zero duplicated. The ratio printed is
the sustained rate against the target of 100 a second.

The proof-of-work difficulty is lowered for the benchmark (``--pow-bits``, default 8)
because the clients share the server's two cores; the server's cost of checking a
proof is one SHA-256 whatever the difficulty.

    python bench/bench_petitions.py [--seconds 60] [--clients 2] [--threads 8] [--workers 2] [--server-threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import io
import multiprocessing as mp
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG = os.environ.get("XUNCHA_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "xuncha_bench_petitions"
REDIS = os.environ.get("XUNCHA_BENCH_REDIS", "redis://127.0.0.1:6379/14")
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CHALLENGE = re.compile(rb'name="pow_challenge" value="([^"]+)"')
RECEIPT = re.compile(rb'id="receipt">([0-9 ]{19})<')


def photo(kb: int) -> bytes:
    from PIL import Image

    side = int((kb * 1024 / 0.35) ** 0.5)  # noisy pixels compress to roughly this size
    img = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    exif.get_ifd(0x8825)[2] = (27.0, 30.0, 0.0)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=60, exif=exif.tobytes())
    return out.getvalue()


def environment(data_dir: Path, pow_bits: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XUNCHA_DATABASE_URL=f"{PG}/{DB}", XUNCHA_DATA_DIR=str(data_dir), XUNCHA_CACHE_URL=REDIS,
        XUNCHA_PETITION_POW_BITS=str(pow_bits), XUNCHA_PETITION_RATE_SUBMIT="100000000/600",
        DJANGO_SETTINGS_MODULE="xuncha.config.settings.base",
    )  # fmt: skip
    return env


SETUP = """
import datetime as dt, django
django.setup()
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from django.core.cache import cache
cache.clear()
from django.utils import timezone
from xuncha.accounts.models import Role, User
from xuncha.planning.models import Round, Team, Term
from xuncha.petitions.services import intake_create
today = timezone.localdate()
office = User.objects.create(username="office", role=Role.OFFICE)
term = Term.objects.create(name="bench", start_year=today.year, end_year=today.year)
rnd = Round.objects.create(term=term, number=1, name="第一轮", start_date=today, end_date=today)
team = Team.objects.create(round=rnd, name="第一巡察组")
code = intake_create(team=team, by=office, opens_on=today, closes_on=today, scope="bench", phone="1")
print(code.token)
"""


def submit_one(
    conn: http.client.HTTPConnection, path: str, body_photo: bytes
) -> tuple[str, float, float]:
    """One phone's submission; returns (receipt or error, total seconds, POST seconds)."""
    from xuncha.petitions.pow import solve

    t0 = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    page = r.read()
    cookie = r.getheader("Set-Cookie", "").split(";", 1)[0]
    if r.status != 200:
        return f"GET {r.status}", time.perf_counter() - t0, 0.0
    csrf = CSRF.search(page).group(1).decode()  # type: ignore[union-attr]
    challenge = CHALLENGE.search(page).group(1).decode()  # type: ignore[union-attr]
    fields = {"csrfmiddlewaretoken": csrf, "pow_challenge": challenge, "pow_nonce": solve(challenge),
              "anonymous": "1", "what": "村干部虚报冒领移民补助，涉及十余户。", "who": "某村村委会", "where": "某村"}  # fmt: skip
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="IMG_0001.jpg"\r\n'
                 "Content-Type: image/jpeg\r\n\r\n".encode() + body_photo + b"\r\n")  # fmt: skip
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    t1 = time.perf_counter()
    conn.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                      "Cookie": cookie, "Referer": "http://127.0.0.1/"})  # fmt: skip
    r = conn.getresponse()
    reply = r.read()
    t2 = time.perf_counter()
    match = RECEIPT.search(reply)
    if r.status == 200 and match:
        return match.group(1).decode().replace(" ", ""), t2 - t0, t2 - t1
    return f"POST {r.status}", t2 - t0, t2 - t1


def client(port: int, path: str, until: float, threads: int, kb: int, out: mp.Queue) -> None:
    import threading

    body = photo(kb)
    results: list[tuple[float, str, float, float]] = []
    lock = threading.Lock()

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.time() < until:
            try:
                outcome, total, post = submit_one(conn, path, body)
            except (OSError, http.client.HTTPException) as err:
                outcome, total, post = f"error {type(err).__name__}", 0.0, 0.0
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                results.append((time.time(), outcome, total, post))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(results)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--clients", type=int, default=2, help="client processes")
    ap.add_argument("--threads", type=int, default=8, help="connections per client process")
    ap.add_argument(
        "--workers", type=int, default=2, help="server processes (xuncha serve --workers)"
    )
    ap.add_argument("--server-threads", type=int, default=4)
    ap.add_argument("--photo-kb", type=int, default=100)
    ap.add_argument("--pow-bits", type=int, default=8)
    ap.add_argument("--warmup", type=int, default=5, help="seconds of load before timing starts")
    args = ap.parse_args()

    subprocess.run(["psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", PG + "/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    data_dir = Path(tempfile.mkdtemp(prefix="xuncha-bench-petitions-"))
    env = environment(data_dir, args.pow_bits)
    token = subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]  # fmt: skip
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "xuncha.cli", "serve", "--port", str(port),
                               "--threads", str(args.server_threads), "--workers", str(args.workers)],
                              env=env, stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        path = f"/p/{token}/"
        start = time.time() + 1 + args.warmup  # submissions in the warm-up are checked, not timed
        until = start + args.seconds
        queue: mp.Queue = mp.Queue()
        procs = [mp.Process(target=client, args=(port, path, until, args.threads, args.photo_kb, queue))
                 for _ in range(args.clients)]  # fmt: skip
        for p in procs:
            p.start()
        results = [r for _ in procs for r in queue.get()]
        for p in procs:
            p.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return report(results, start, until, env, args)


def report(results, start: float, until: float, env: dict[str, str], args) -> int:
    accepted = {r[1] for r in results if r[1].isdigit()}  # warm-up included, for the row check
    received = sum(1 for r in results if r[1].isdigit())
    results = [r for r in results if r[0] >= start]
    ok = [r for r in results if r[1].isdigit()]
    bad = [r for r in results if not r[1].isdigit()]
    seconds = until - start
    windows = [
        sum(1 for r in ok if w <= r[0] - start < w + 5) for w in range(0, int(seconds) - 4, 5)
    ]
    rate, slowest = len(ok) / seconds, min(windows) / 5 if windows else 0.0
    counts = subprocess.run([sys.executable, "-c", (
        "import django; django.setup()\n"
        "from xuncha.petitions.models import Petition, Attachment\n"
        "print(Petition.objects.count(), Attachment.objects.count(), "
        "Petition.objects.values('receipt_hash').distinct().count())")],
        env=env, check=True, capture_output=True, text=True).stdout.split()  # fmt: skip
    petitions, attachments, receipts = map(int, counts)
    print(f"码上巡察提交压测：{seconds:.0f} 秒，{args.clients} 个客户端进程 × {args.threads} 个连接，"
          f"服务端 {args.workers} 个进程 × {args.server_threads} 线程，PostgreSQL + Redis，"
          f"附件照片 ~{args.photo_kb} KB，工作量证明 {args.pow_bits} 位")  # fmt: skip
    print(
        f"  受理成功 {len(ok)} 件，平均 {rate:.1f} 件/秒，最慢的 5 秒窗口 {slowest:.1f} 件/秒"
        f"（各 5 秒窗口：{' '.join(f'{w / 5:.0f}' for w in windows)}）"
    )
    if ok:
        print(
            f"  整次提交（GET+POST）延迟 p50 {pct([r[2] for r in ok], 50) * 1000:.0f} ms，"
            f"p90 {pct([r[2] for r in ok], 90) * 1000:.0f} ms，p99 {pct([r[2] for r in ok], 99) * 1000:.0f} ms"
        )
        print(
            f"  其中 POST 延迟 p50 {pct([r[3] for r in ok], 50) * 1000:.0f} ms，"
            f"p99 {pct([r[3] for r in ok], 99) * 1000:.0f} ms"
        )
    outcomes: dict[str, int] = {}
    for r in bad:
        outcomes[r[1]] = outcomes.get(r[1], 0) + 1
    print(f"  未受理 {len(bad)} 次：{outcomes or '无'}")
    print(
        f"  数据库：信访件 {petitions}，附件 {attachments}，不同回执码 {receipts}；"
        f"客户端收到的回执码 {received}（不同 {len(accepted)}，含预热 {args.warmup} 秒）"
    )
    consistent = petitions == attachments == receipts == received == len(accepted)
    print(f"  零丢失零重复：{'是' if consistent else '否'}")
    print(
        f"  持续速率 / 目标 100 件/秒 = {slowest / 100:.2f}（最慢窗口），{rate / 100:.2f}（平均）"
    )
    shutil.rmtree(env["XUNCHA_DATA_DIR"], ignore_errors=True)
    return 0 if consistent else 1


if __name__ == "__main__":
    raise SystemExit(main())

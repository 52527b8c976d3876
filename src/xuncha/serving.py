"""``xuncha serve`` and ``xuncha worker``: the processes of a running installation (the
web server, its supervised job worker, several server processes on one socket)."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from .runtime import EXIT_NOTHING_CHECKED, EXIT_OK, setup_django


def serve_run(args: argparse.Namespace) -> int:
    """Apply migrations, then serve with waitress (a production WSGI server that runs on
    Linux and Windows alike), never Django's development server."""
    setup_django()
    from django.core.management import call_command
    from django.db import DatabaseError

    from .config.wsgi import application
    from .deploy import server

    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as err:
        print(f"错误：无法连接或迁移数据库（{err}）。请检查 XUNCHA_DATABASE_URL。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    from .petitions.orphans import attachment_orphans_sweep

    attachment_orphans_sweep()  # what a server killed mid-submission left
    print(f"巡察工作台已启动：http://{args.host}:{args.port}/（按 Ctrl+C 停止）", flush=True)
    if note := server.startup_note():
        print(note, flush=True)
    server.raise_file_limit(server.CONNECTION_LIMIT)
    jobs = None if args.no_jobs else _start_job_worker()  # supervised
    if jobs is not None:  # stopping the server (SIGTERM) stops its worker too
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if args.workers <= 1:
            opts = server.options(threads=args.threads)
            server.run(application, host=args.host, port=args.port, **opts)
            return EXIT_OK
        return _serve_workers(application, args)
    finally:
        if jobs is not None:
            jobs.stop()


def _start_job_worker() -> Any:
    """The background-job worker as a child process (`xuncha worker`), so cross-checks
    run beside the web server without sharing its interpreter; started isolated from
    the current folder and started again when it dies (see :mod:`xuncha.supervise`)."""
    from django.conf import settings as conf

    from .supervise import start_worker

    print("后台任务进程已启动（数据比对等长任务在此运行）。", flush=True)
    return start_worker(str(conf.DATA_DIR))


def _worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=int, default=1,
                   help="同时运行的任务数（默认 1；每次比对可能占用数 GB 内存）")  # fmt: skip


def worker_run(args: argparse.Namespace) -> int:
    """Work the background-job queue (the embedded one in the data directory, or Redis
    given XUNCHA_QUEUE_URL) until stopped. First, what a killed worker left: its runs
    are failed, their folders and scratch files removed."""
    setup_django()
    from .checks.services import runs_reap
    from .common.jobs import run_worker

    runs_reap()
    run_worker(max(1, args.processes))
    return EXIT_OK


def _serve_workers(application: object, args: argparse.Namespace) -> int:
    """Several waitress processes accepting on one listening socket (Python's GIL keeps
    one process to one core). Each process opens its own database connections."""
    import multiprocessing
    import socket

    from django.conf import settings as conf
    from django.db import connections

    from .deploy import server

    if sys.platform == "win32":
        print("错误：Windows 上只能以单进程运行（去掉 --workers）。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    if "locmem" in conf.CACHES["default"]["BACKEND"]:
        print("错误：多进程运行需要共享缓存，请设置 XUNCHA_CACHE_URL=redis://…", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    connections.close_all()
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(1024)
    context = multiprocessing.get_context("fork")
    procs = [
        context.Process(target=server.run, args=(application,),
                        kwargs={"sockets": [sock], **server.options(threads=args.threads)})
        for _ in range(args.workers)
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopping the parent stops all
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs:
            proc.terminate()
    return EXIT_OK

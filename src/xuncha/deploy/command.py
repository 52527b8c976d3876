"""`xuncha deploy-config nginx`: print (or write) the reverse-proxy configuration of the
documented deployment. Django is set up only when the command runs."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=["nginx"], help="配置种类（目前只有 nginx）")
    p.add_argument("--server-name", required=True, help="对外域名或 IP，如 xuncha.example.gov.cn")
    p.add_argument("--cert", type=Path, required=True, help="TLS 证书文件（PEM，含中间证书）")
    p.add_argument("--key", type=Path, required=True, help="TLS 私钥文件（PEM）")
    p.add_argument("--upstream", default="127.0.0.1:8000",
                   help="xuncha serve 的监听地址（默认 127.0.0.1:8000）")  # fmt: skip
    p.add_argument("--https-port", type=int, default=443, help="HTTPS 端口（默认 443）")
    p.add_argument("--http-port", type=int, default=80, help="转到 HTTPS 的 HTTP 端口（默认 80）")
    p.add_argument("--out", type=Path, help="写入此文件（默认输出到屏幕）")
    p.add_argument("--standalone", type=Path, metavar="目录",
                   help="另在该目录写一份完整的 nginx.conf（所有路径都在该目录下，可不用 root 试运行："
                        "nginx -p 目录 -c 目录/nginx.conf）")  # fmt: skip


def config_run(args: argparse.Namespace) -> int:
    from ..runtime import EXIT_OK, EXIT_USAGE, setup_django

    setup_django()
    from .nginx import Site, render, standalone

    site = Site(args.server_name, args.cert.resolve(), args.key.resolve(), args.upstream,
                args.https_port, args.http_port)  # fmt: skip
    try:
        text = render(site)
    except ValueError as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_USAGE
    if args.standalone:
        prefix = args.standalone.resolve()
        prefix.mkdir(parents=True, exist_ok=True)
        (prefix / "xuncha.conf").write_text(text, encoding="utf-8")
        main = standalone(prefix, as_root=hasattr(os, "geteuid") and os.geteuid() == 0)
        (prefix / "nginx.conf").write_text(main, encoding="utf-8")
        print(f"已写入 {prefix / 'nginx.conf'}；运行：nginx -p {prefix} -c {prefix / 'nginx.conf'}")
    elif args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"已写入 {args.out}")
    else:
        sys.stdout.write(text)
    return EXIT_OK

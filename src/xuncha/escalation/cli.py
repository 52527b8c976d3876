"""``xuncha escalation``: the signing key, trusted senders, and bundles out and in
(for offices that carry bundles on approved media and import them at a terminal).
Appended to xuncha.commands.COMMANDS."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from xuncha.commands import Command
from xuncha.runtime import EXIT_NOTHING_CHECKED, EXIT_OK, EXIT_USAGE, setup_django


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="<操作>", parser_class=type(p), required=True)
    key = sub.add_parser("key", help="显示本单位名称、签名公钥及其指纹",
                         description="显示本单位名称、签名公钥及其指纹（首次使用时生成密钥）。",
                         epilog="例如：xuncha escalation key --out 苏仙区委巡察办.pub")  # fmt: skip
    key.add_argument("--out", type=Path, help="把公钥写入此文件（交给上级登记）")
    trust = sub.add_parser("trust", help="登记下级发送方的公钥",
                           description="登记下级发送方的公钥（登记后请与对方核对指纹）。",
                           epilog="例如：xuncha escalation trust 苏仙区委巡察办.pub --by zhangsan")  # fmt: skip
    trust.add_argument("file", type=Path, metavar="公钥文件")
    trust.add_argument("--name", default="", help="发送方名称（不填则用公钥文件中的名称）")
    trust.add_argument("--by", required=True, metavar="用户名", help="登记人（巡察办账号）")
    export = sub.add_parser("export", help="导出一条呈报记录的签名呈报包",
                            description="导出一条呈报记录的签名呈报包（.zip）。先在网页上记录呈报。",
                            epilog="例如：xuncha escalation export --finding 128 --by zhangsan --out 呈报包.zip")  # fmt: skip
    which = export.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--finding",
        type=int,
        metavar="问题编号",
        help="本单位重大问题所对应的问题编号（问题 #编号）",
    )
    which.add_argument("--hop", type=int, metavar="呈报记录编号", help="呈报记录编号")
    export.add_argument("--by", required=True, metavar="用户名", help="导出人（巡察办账号）")
    export.add_argument("--out", type=Path, required=True, help="呈报包文件")
    imp = sub.add_parser("import", help="核验并导入下级的呈报包",
                         description="核验并导入下级的呈报包：签名、发送方、每个附件的校验和、格式版本、路径和大小；"
                                     "任何一项不符即整包拒收。同一呈报包再次导入不做改动。",
                         epilog="例如：xuncha escalation import 呈报包.zip --by lisi")  # fmt: skip
    imp.add_argument("file", type=Path, metavar="呈报包文件")
    imp.add_argument("--by", required=True, metavar="用户名", help="签收人（巡察办账号）")


def _user(name: str) -> Any:
    from xuncha.accounts.access import allowed
    from xuncha.accounts.models import User
    from xuncha.common.errors import ServiceError

    user = User.objects.filter(username=name, is_active=True).first()
    if user is None or not allowed(user, "escalation.manage"):
        raise ServiceError(f"「{name}」不是有效的巡察办账号（只有巡察办可以办理呈报）。")
    return user


def _write(out: Path, data: bytes) -> None:
    """Whole or not at all: a temporary file renamed into place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=".bundle-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise


def _run(args: argparse.Namespace) -> int:
    setup_django()
    from xuncha.common.errors import ServiceError

    try:
        return int(_ACTIONS[args.action](args))
    except ServiceError as err:
        print(f"错误：{err}", file=sys.stderr)
        return EXIT_NOTHING_CHECKED


def _key(args: argparse.Namespace) -> int:
    from . import bundle, keys, services

    office = services.office()
    text = bundle.public_key_text(keys.signing_key(), office.name or "巡察办")
    print(
        f"本单位：{office.name or '（尚未设置名称，请在网页「密钥与发送方」页填写）'}（{office.get_level_display()}）"
    )
    print(f"指纹：{bundle.spaced(keys.own_fingerprint())}")
    print(f"公钥：{text.strip()}")
    if args.out:
        _write(args.out, text.encode())
        print(f"已写入 {args.out}")
    return EXIT_OK


def _trust(args: argparse.Namespace) -> int:
    from . import bundle, services

    try:
        text = args.file.read_bytes()[:10_000].decode("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        print(f"错误：无法读取公钥文件 {args.file}：{err}", file=sys.stderr)
        return EXIT_USAGE
    sender = services.sender_register(text=text, name=args.name, by=_user(args.by))
    print(
        f"已登记发送方「{sender.name}」，指纹 {bundle.spaced(sender.fingerprint)}。请与对方核对指纹。"
    )
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from .models import Escalation
    from .services import bundle_export

    hops = Escalation.objects.filter(pk=args.hop) if args.hop else Escalation.objects.filter(
        major__finding_id=args.finding)  # fmt: skip
    hop = hops.first()
    if hop is None:
        what = f"呈报记录 #{args.hop}" if args.hop else f"问题 #{args.finding} 的呈报记录"
        print(f"错误：没有{what}（先在网页上标记重大问题并记录呈报）。", file=sys.stderr)
        return EXIT_NOTHING_CHECKED
    _, data = bundle_export(hop=hop, by=_user(args.by))
    _write(args.out, data)
    print(f"已导出呈报包 {args.out}（{hop.from_office} → {hop.to_office}，编号 {hop.bundle_id}）。")
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    from .services import SIZES, bundle_import

    by = _user(args.by)
    try:
        if args.file.stat().st_size > SIZES.bundle:
            print(
                f"错误：「{args.file.name}」未导入：文件过大（上限 {SIZES.bundle // 2**20} MB）。",
                file=sys.stderr,
            )
            return EXIT_NOTHING_CHECKED
        data = args.file.read_bytes()
    except OSError as err:
        print(f"错误：无法读取 {args.file}：{err}", file=sys.stderr)
        return EXIT_USAGE
    result = bundle_import(data=data, file_name=args.file.name, by=by)
    b = result.bundle
    if not result.created:
        print(f"呈报包 {b.bundle_id} 已于 {b.received_at:%Y-%m-%d %H:%M} 签收，本次未做任何改动。")
        return EXIT_OK
    print(f"已核验并签收「{b.sender_name}」的呈报包 {b.bundle_id}：签名有效，"
          f"{len(result.findings)} 个重大问题，附件校验和全部相符。")  # fmt: skip
    for f in result.findings:
        print(f"  {f.unit_name}：{f.description[:40]}（{f.amount} 元）")
    return EXIT_OK


_ACTIONS = {"key": _key, "trust": _trust, "export": _export, "import": _import}

COMMANDS: list[Command] = [
    Command(
        "escalation",
        "重大问题逐级呈报：显示本单位签名公钥、登记下级公钥、导出签名呈报包、核验并导入下级的呈报包。",
        "例如：xuncha escalation export --finding 128 --by zhangsan --out 呈报包.zip；"
        "xuncha escalation import 呈报包.zip --by lisi",
        _args,
        _run,
    ),
]

"""``xuncha manage petition_keys``: make, rotate and apply the petition keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from xuncha.petitions import at_rest, vault


class Command(BaseCommand):
    help = (
        "信访加密密钥：不带参数时检查（没有则生成）密钥文件；--rotate 换用新密钥（旧密钥仍可解密）；"
        "--reencrypt 把旧数据（含升级前的 Fernet 密文）改用当前密钥加密。"
        "例如：xuncha manage petition_keys --rotate --reencrypt"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rotate", action="store_true", help="生成新密钥并放在最前面")
        parser.add_argument("--reencrypt", action="store_true", help="用当前密钥重新加密全部数据")

    def handle(self, *args: Any, rotate: bool = False, reencrypt: bool = False, **_: Any) -> None:
        path = Path(settings.PETITION_KEY_FILE)
        found = vault.keys()  # creates the file on first use (unless PETITION_KEY_CREATE=0)
        if rotate:
            vault.rotate(path)
            found = vault.keys()
        self.stdout.write(f"密钥文件 {path}：AES-GCM 密钥 {len(found.aesgcm)} 个。")
        if reencrypt:
            moved = at_rest.vault_reencrypt_all()
            self.stdout.write(f"已用当前密钥重新加密 {moved} 项数据。")

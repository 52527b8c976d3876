"""The rules the office writes (自定义比对规则): uploaded as TOML files, checked on
upload (parsed in the sandbox, every mistake named with its line), ticked in a run of
their program; a run keeps each ticked rule's text, so it can be reproduced after the
file is replaced or retired."""

from __future__ import annotations

import hashlib

from django.db import transaction

from xuncha.accounts.access import allowed
from xuncha.accounts.models import User
from xuncha.common.errors import PermissionDenied, ServiceError
from xuncha.crosscheck import InputError
from xuncha.crosscheck.userrules import compile_isolated

from ..models import UserRuleFile
from .datasets import clean_file_name

MAX_RULE_BYTES = 64 * 1024  # as the compiler's limit on a rule's text


def user_rule_upload(*, by: User, data: bytes, name: str) -> UserRuleFile:
    """Check and keep a rule file; an active rule with the same id is replaced (the
    runs that used it keep their own copy). Nothing is kept when the file is wrong."""
    if not allowed(by, "checks.user_rules"):
        raise PermissionDenied("只有巡察办可以上传自定义比对规则。")
    name = clean_file_name(name or "规则.toml")
    if not data:
        raise ServiceError(f"「{name}」是空文件。")
    if len(data) > MAX_RULE_BYTES:
        raise ServiceError(f"「{name}」过大（规则文件上限 {MAX_RULE_BYTES // 1024} KB）。")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ServiceError(
            f"「{name}」不是 UTF-8 编码的文字文件（规则文件应是 UTF-8 的 TOML）。"
        ) from None
    try:
        rule = compile_isolated(text, name)
    except InputError as err:
        raise ServiceError(str(err)) from err
    with transaction.atomic():
        UserRuleFile.objects.filter(rule_id=rule.id, retired=False).update(retired=True)
        return UserRuleFile.objects.create(
            rule_id=rule.id, program=rule.program, title=rule.title, name=name, text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(), uploaded_by=by,
        )  # fmt: skip


def user_rule_retire(*, by: User, pk: int) -> UserRuleFile:
    """Stop offering a rule in new runs (the runs that used it keep its text)."""
    if not allowed(by, "checks.user_rules"):
        raise PermissionDenied("只有巡察办可以停用自定义比对规则。")
    found = UserRuleFile.objects.filter(pk=pk, retired=False).first()
    if found is None:
        raise ServiceError("该规则不存在或已停用。")
    found.retired = True
    found.save(update_fields=["retired", "updated_at"])
    return found

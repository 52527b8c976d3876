from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "xuncha.accounts"
    verbose_name = "账户与权限"

from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "xuncha.checks"
    verbose_name = "数据比对"

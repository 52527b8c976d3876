from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "xuncha.common"
    verbose_name = "公共"

from django.apps import AppConfig


class ShamConfig(AppConfig):
    name = "xuncha.sham"
    verbose_name = "虚假整改疑点"

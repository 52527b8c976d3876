from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "xuncha.risk"
    verbose_name = "风险研判"

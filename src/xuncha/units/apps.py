from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "xuncha.units"
    verbose_name = "被巡察单位"

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "xuncha.dashboards"
    verbose_name = "统计数字"

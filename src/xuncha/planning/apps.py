from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "xuncha.planning"
    verbose_name = "规划与轮次"

from django.apps import AppConfig


class WorklistConfig(AppConfig):
    name = "xuncha.worklist"
    verbose_name = "月度任务清单"

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xuncha.supervision"
    verbose_name = "整改督查评估"

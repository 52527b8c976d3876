from django.apps import AppConfig


class RectificationsConfig(AppConfig):
    name = "xuncha.rectifications"
    verbose_name = "整改台账"

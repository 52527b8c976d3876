from django.apps import AppConfig


class SelfchecksConfig(AppConfig):
    name = "xuncha.selfchecks"
    verbose_name = "共性问题与同类同改"

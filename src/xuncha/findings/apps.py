from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "xuncha.findings"
    verbose_name = "谈话、问题与线索"

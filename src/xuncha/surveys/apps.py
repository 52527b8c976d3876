from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "xuncha.surveys"
    verbose_name = "满意度测评"

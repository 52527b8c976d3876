from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "xuncha.documents"
    verbose_name = "公文生成"

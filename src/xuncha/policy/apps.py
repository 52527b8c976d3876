from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "xuncha.policy"
    verbose_name = "政策标准"

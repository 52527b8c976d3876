from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "xuncha.petitions"
    verbose_name = "信访举报（码上巡察）"

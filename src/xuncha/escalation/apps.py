from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "xuncha.escalation"
    verbose_name = "联动巡察与重大问题呈报"

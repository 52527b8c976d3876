from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "xuncha.reviews"
    verbose_name = "报告评查"

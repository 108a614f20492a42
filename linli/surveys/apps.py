from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "linli.surveys"
    label = "surveys"
    verbose_name = "客户调研与满意度"

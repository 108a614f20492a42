from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "linli.surveys"
    label = "surveys"
    verbose_name = "客户调研与满意度"

    def ready(self) -> None:
        from linli.surveys import sweeps, work  # noqa: F401  (register the sweep and work items)

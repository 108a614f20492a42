from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "linli.customers"
    label = "customers"
    verbose_name = "客户资料库"

    def ready(self) -> None:
        from linli.customers import sweeps, timeline  # noqa: F401  (registers sweeps and timeline)

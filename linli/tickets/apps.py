from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "linli.tickets"
    label = "tickets"
    verbose_name = "客户诉求与投诉"

    def ready(self) -> None:
        from linli.core import work
        from linli.tickets import selectors, sweeps, timeline  # noqa: F401  (registers sweeps and timeline)

        work.register_my_work(selectors.my_work)

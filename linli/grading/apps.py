from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "linli.grading"
    label = "grading"
    verbose_name = "客户分级与差异化服务"

    def ready(self) -> None:
        # Sweeps and the household timeline register themselves on import; the SLA factor
        # provider is the hook tickets.deadlines left for the grades' complaint priority.
        from linli.grading import sweeps, timeline  # noqa: F401
        from linli.grading.plans import sla_factor, top_grade_reason
        from linli.tickets.deadlines import SLA_FACTOR_PROVIDERS
        from linli.tickets.rules import IMPORTANT_CUSTOMER_PROVIDERS

        if sla_factor not in SLA_FACTOR_PROVIDERS:
            SLA_FACTOR_PROVIDERS.append(sla_factor)
        if top_grade_reason not in IMPORTANT_CUSTOMER_PROVIDERS:
            IMPORTANT_CUSTOMER_PROVIDERS.append(top_grade_reason)

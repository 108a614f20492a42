from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "linli.care.visits"
    label = "care_visits"
    verbose_name = "拜访计划与记录"

    def ready(self) -> None:
        from linli.care.visits import providers, selectors, sweeps  # noqa: F401  (registers the sweep)
        from linli.core import timeline, work
        from linli.grading.hooks import VISITED_PROVIDERS

        if providers.my_work not in work.MY_WORK:
            work.register_my_work(providers.my_work)
        if providers.office_board not in work.BOARD:
            work.register_board(providers.office_board)
        if providers.timeline not in timeline.PROVIDERS:
            timeline.register(providers.timeline)
        if selectors.visited_customer_ids not in VISITED_PROVIDERS:
            VISITED_PROVIDERS.append(selectors.visited_customer_ids)

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "linli.care.outreach"
    label = "care_outreach"
    verbose_name = "关怀、通知与社区活动"

    def ready(self) -> None:
        from linli.care.outreach import providers, sweeps  # noqa: F401  (registers the sweep)
        from linli.core import timeline, work

        if providers.timeline_entries not in timeline.PROVIDERS:
            timeline.register(providers.timeline_entries)
        if providers.my_work not in work.MY_WORK:
            work.register_my_work(providers.my_work)
        if providers.board not in work.BOARD:
            work.register_board(providers.board)

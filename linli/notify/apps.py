from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "linli.notify"
    label = "notify"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from linli.notify import sweeps  # noqa: F401  (registers the delivery sweep)

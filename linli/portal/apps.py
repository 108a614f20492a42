from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "linli.portal"
    label = "portal"
    verbose_name = "业主端"

    def ready(self) -> None:
        from linli.portal import sweeps  # noqa: F401  (registers the purge sweep)

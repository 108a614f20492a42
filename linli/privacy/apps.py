from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "linli.privacy"
    label = "privacy"
    verbose_name = "客户信息保密"

    def ready(self) -> None:
        from linli.privacy import sweeps  # noqa: F401  (registers the sweeps)

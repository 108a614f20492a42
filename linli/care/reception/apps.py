from django.apps import AppConfig


class ReceptionConfig(AppConfig):
    name = "linli.care.reception"
    label = "care_reception"
    verbose_name = "接待登记与个性化需求"

    def ready(self) -> None:
        # The household timeline, "my work" and the office board gather from providers that
        # register themselves on import.
        from linli.care.reception import timeline, work  # noqa: F401

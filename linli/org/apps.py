from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "linli.org"
    label = "org"
    verbose_name = "组织与人员"

    def ready(self) -> None:
        from linli.org import sweeps  # noqa: F401  (registers the sweeps)

from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "linli.policy"
    label = "policy"
    verbose_name = "制度参数"

"""Test settings: only speed knobs differ from production settings."""

from linli.settings import *  # noqa: F403
from linli.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Serve static files straight from the finders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Every statement served from `core.prepared` is compared with a fresh build (a shape key that
# misses something fails the test that exercises it).
LINLI_VERIFY_PREPARED = True

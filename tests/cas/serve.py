"""A real CAS server for the tests: Debian's django-cas-server (python3-django-cas-server)
in a one-file Django project.

    CAS_PORT     the port to serve on (127.0.0.1)
    CAS_DB       the SQLite file of its users and tickets
    CAS_USERS    JSON: [{"username": "...", "password": "...", "email": "..."}]
    CAS_SERVICE  a regular expression of the service addresses it serves (accredit's)

Serves http://127.0.0.1:<port>/cas; prints `listening <port>` once migrated. The users'
`email` is released as the CAS attribute `mail`; single logout is on.
"""
import json
import os
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="accredit-cas-test-only-secret-key-not-for-production",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "django.contrib.staticfiles",
        "cas_server",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
    ],
    ROOT_URLCONF=__name__,
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": [
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
        ]},
    }],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CAS_DB"]}},
    STATIC_URL="/static/",
    USE_TZ=True,
    CAS_SHOW_POWERED=False,
)
django.setup()

from django.urls import include, path  # noqa: E402

urlpatterns = [path("cas/", include(("cas_server.urls", "cas_server"), namespace="cas_server"))]


def main():
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from cas_server.models import ReplaceAttributName, ServicePattern

    call_command("migrate", verbosity=0, interactive=False)
    for person in json.loads(os.environ.get("CAS_USERS", "[]")):
        User.objects.create_user(person["username"], person.get("email", ""), person["password"])
    pattern = ServicePattern.objects.create(
        pos=1, name="accredit", pattern=os.environ["CAS_SERVICE"], single_log_out=True,
    )
    ReplaceAttributName.objects.create(name="email", replace="mail", service_pattern=pattern)
    port = os.environ["CAS_PORT"]
    print(f"listening {port}", flush=True)
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main()
    sys.exit(0)

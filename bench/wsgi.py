"""The app's WSGI application with the benchmark's floor mounted (bench/urls.py): what the load
run's trivial-view run serves. Only the benchmark starts it; deployments use
salesculture.wsgi."""

from django.conf import settings

from salesculture.wsgi import application

settings.ROOT_URLCONF = "bench.urls"

__all__ = ["application"]

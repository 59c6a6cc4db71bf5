"""Site-wide pages: home, health checks, the web manifest and service worker."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from timebank.homes import home_of


def home(request):
    """Each person's home by their roles: a member's time and what needs them, a supporter's people, a
    coordinator's and a commissioner's ways into their areas."""
    if not request.user.is_authenticated:
        return render(request, "home.html", {})
    return render(request, "home.html", home_of(user=request.user))


@never_cache
def healthz(request):
    """The process is alive; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """Ready to serve: static files resolve, the database answers, and Redis when it is configured."""
    checks = {}
    try:
        # What every page does first: with static files collected under other settings than the
        # server's (no manifest), this raises and every page would answer 500.
        static("site.css")
        checks["static"] = "ok"
    except ValueError as exc:
        checks["static"] = f"error: {exc}"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        checks["database"] = f"error: {exc.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            import redis

            redis.Redis.from_url(settings.REDIS_URL.split(",")[0], socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


def manifest(request):
    return JsonResponse(
        {
            "name": "timebank",
            "short_name": "timebank",
            "start_url": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1d5b3a",
            "icons": [{"src": static("icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
        },
        content_type="application/manifest+json",
    )


def service_worker(request):
    response = render(request, "sw.js", content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


def offline(request):
    return render(request, "offline.html")

"""Root URLs: pages, the REST API under /api/v1/, allauth (pages and headless), health checks."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from timebank import views
from timebank.api import json_not_found

handler400 = "timebank.api.bad_request"
handler403 = "timebank.api.permission_denied"
handler404 = "timebank.api.json_not_found"
handler500 = "timebank.api.json_server_error"

api_v1 = [
    path("", include("members.api_urls")),
    path("", include("exchanges.api_urls")),
    path("", include("messaging.api_urls")),
    path("", include("messaging.delivery_api_urls")),
    path("", include("members.privacy.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Its script served as a file of its own (the split view), so no inline script; Swagger UI styles
    # its own page inline, so this one page may.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("accounts/", include("allauth.urls")),
    # Sign-in is by email only: allauth's phone endpoints need an SMS sender and a phone store the product
    # does not have (they raised NotImplementedError, a 500), so they are not found.
    re_path(r"^_allauth/(?:app|browser)/v1/(?:account|auth)/phone(?:/|$)", json_not_found),
    path("_allauth/", include("allauth.headless.urls")),
    path("admin/", admin.site.urls),
    path("", include("members.me_urls")),
    path("", include("members.privacy.urls")),  # before members.urls: see members/privacy/urls.py
    path("", include("members.urls")),
    path("", include("exchanges.urls")),
    path("", include("messaging.urls")),
]

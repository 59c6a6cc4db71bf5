"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

urlpatterns: list = []

# reports
from exchanges.reports.api_urls import urlpatterns as report_api_urls  # noqa: E402

urlpatterns += report_api_urls

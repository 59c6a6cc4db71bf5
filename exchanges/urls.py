"""Pages for listings, exchanges, the ledger, matching and reports."""

urlpatterns: list = []

# reports
from exchanges.reports.urls import urlpatterns as report_urls  # noqa: E402

urlpatterns += report_urls

"""Report API routes (under /api/v1/)."""

from django.urls import path

from exchanges.reports import apis

urlpatterns = [
    path("reports/summary/", apis.FundedSummaryApi.as_view(), name="report-funded"),
    path("reports/summary/csv/", apis.FundedSummaryCsvApi.as_view(), name="report-funded-csv"),
    path("reports/networks/<slug:slug>/summary/", apis.NetworkSummaryApi.as_view(), name="report-network"),
    path("reports/networks/<slug:slug>/summary/csv/", apis.NetworkSummaryCsvApi.as_view(), name="report-network-csv"),
    path(
        "reports/networks/<slug:slug>/export/<str:what>/",
        apis.NetworkExportApi.as_view(),
        name="report-network-export",
    ),
    path("wellbeing/<slug:slug>/", apis.WellbeingApi.as_view(), name="api-wellbeing"),
]

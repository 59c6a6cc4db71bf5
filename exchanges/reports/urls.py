"""Report pages and the wellbeing check-in."""

from django.urls import path

from exchanges.reports import views

urlpatterns = [
    path("reports/", views.reports_index, name="report-index"),
    path("reports/funded/", views.report_funded_dashboard, name="report-funded-dashboard"),
    path("reports/funded/summary/print/", views.report_funded_print, name="report-funded-print"),
    path("reports/funded/compare/", views.report_compare, name="report-compare"),
    path("reports/<slug:slug>/", views.report_dashboard, name="report-dashboard"),
    path("reports/<slug:slug>/summary/print/", views.report_print, name="report-print"),
    path("wellbeing/<slug:slug>/", views.wellbeing_page, name="report-wellbeing"),
]

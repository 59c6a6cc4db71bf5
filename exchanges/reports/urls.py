"""Report pages and the wellbeing check-in."""

from django.urls import path

from exchanges.reports import views

urlpatterns = [
    path("reports/", views.reports_index, name="report-index"),
    path("reports/funded/", views.report_funded_dashboard, name="report-funded-dashboard"),
    path("reports/<slug:slug>/", views.report_dashboard, name="report-dashboard"),
    path("wellbeing/<slug:slug>/", views.wellbeing_page, name="report-wellbeing"),
]

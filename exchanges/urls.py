"""Pages for listings, exchanges, the ledger, matching and reports."""

from django.urls import path

from exchanges.ledger import views as ledger_views

urlpatterns: list = [
    # ledger
    path("time/", ledger_views.my_time, name="ledger-my-time"),
    path("time/<slug:slug>/give/", ledger_views.give, name="ledger-give"),
    path("networks/<slug:slug>/ledger/", ledger_views.coordinate, name="ledger-coordinate"),
]

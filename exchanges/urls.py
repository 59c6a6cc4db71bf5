"""Pages for listings, exchanges, the ledger, matching and reports."""

from django.urls import path

from exchanges import views
from exchanges.ledger import views as ledger_views
from exchanges.matching import views as matching_views
from exchanges.reports.urls import urlpatterns as report_urls

urlpatterns: list = [
    # listings and exchanges
    path("listings/", views.listing_browse, name="listing-browse"),
    path("listings/new/", views.listing_new, name="listing-new"),
    path("listings/<int:pk>/", views.listing_detail, name="listing-detail"),
    path("listings/<int:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("listings/<int:pk>/renew/", views.listing_renew, name="listing-renew"),
    path("listings/<int:pk>/propose/", views.listing_propose, name="listing-propose"),
    path("exchanges/", views.exchange_list, name="exchange-list"),
    path("exchanges/record/", views.exchange_record, name="exchange-record"),
    path("exchanges/<int:pk>/", views.exchange_detail, name="exchange-detail"),
    path("exchanges/<int:pk>/<slug:action>/", views.exchange_action, name="exchange-action"),
    path("coordinator/exchanges/", views.coordinator_queue, name="coordinator-queue"),
    # ledger
    path("time/", ledger_views.my_time, name="ledger-my-time"),
    path("time/<slug:slug>/give/", ledger_views.give, name="ledger-give"),
    path("networks/<slug:slug>/ledger/", ledger_views.coordinate, name="ledger-coordinate"),
    # matching
    path(
        "listings/<int:listing_id>/matches/",
        matching_views.listing_matches_page,
        name="listing-matches",
    ),
    path(
        "listings/<int:listing_id>/matches/ask/",
        matching_views.match_ask,
        name="listing-match-ask",
    ),
    path(
        "coordinator/<slug:slug>/unmatched/",
        matching_views.unmatched_requests_page,
        name="coordinator-unmatched",
    ),
    path(
        "coordinator/<slug:slug>/unmatched/introduce/",
        matching_views.match_introduce_page,
        name="coordinator-match-introduce",
    ),
    # reports
    *report_urls,
]

"""Pages for listings, exchanges, the ledger, matching and reports."""

from django.urls import path

from exchanges.matching import views as matching_views

urlpatterns: list = [
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
]

"""API routes for reaching phones (under /api/v1/): Web Push subscriptions and the inbound SMS webhook."""

from django.urls import path

from messaging import (
    converters,  # noqa: F401 - registers the <tb_id:> path converter
    delivery_apis,
)

urlpatterns = [
    path("push/key/", delivery_apis.PushKeyApi.as_view(), name="api-push-key"),
    path("push/subscriptions/", delivery_apis.PushSubscriptionListApi.as_view(), name="api-push-subscription-list"),
    path(
        "push/subscriptions/<tb_id:subscription_id>/",
        delivery_apis.PushSubscriptionDetailApi.as_view(),
        name="api-push-subscription",
    ),
    path("sms/inbound/", delivery_apis.SmsInboundApi.as_view(), name="api-sms-inbound"),
]

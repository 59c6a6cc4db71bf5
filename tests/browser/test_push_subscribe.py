"""The "Turn on notifications on this phone" button, our JavaScript and the API together, in Chromium.

Headless Chromium has no push service, so the one browser call that needs one, `pushManager.subscribe`, is
replaced by a script that answers as a browser does: a `PushSubscription` with a push service's endpoint and
the browser's real-shaped keys (a P-256 public key and a 16-byte secret). Everything else is real: the service
worker registered by the site, the permission, the VAPID key fetched from the API, the subscription saved
through `POST /api/v1/me/push-subscriptions/` and removed through `DELETE`."""

import base64
import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from messaging.notifications.models import PushSubscription
from tests.browser.base import BrowserTestCase
from tests.factories import NetworkFactory, member

FAKE_PUSH_MANAGER = """
(() => {
  const browser = %s;
  const state = { subscription: null, key: null, unsubscribed: 0 };
  window.__push = state;
  function subscription() {
    return {
      endpoint: browser.endpoint,
      expirationTime: null,
      toJSON() { return { endpoint: browser.endpoint, expirationTime: null, keys: browser.keys }; },
      unsubscribe() { state.subscription = null; state.unsubscribed += 1; return Promise.resolve(true); },
    };
  }
  PushManager.prototype.subscribe = function (options) {
    state.key = Array.from(new Uint8Array(options.applicationServerKey));
    state.userVisibleOnly = options.userVisibleOnly;
    state.subscription = subscription();
    return Promise.resolve(state.subscription);
  };
  PushManager.prototype.getSubscription = function () { return Promise.resolve(state.subscription); };
})();
"""


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def browser_keys() -> dict:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(point), "auth": b64url(secrets.token_bytes(16))}


class TestPushSubscribeButton(BrowserTestCase):
    def test_the_button_saves_this_browsers_subscription_and_turning_it_off_removes_it(self):
        network = NetworkFactory(slug="pushes", name="Pushes")
        ann = member(network).user
        keys = browser_keys()
        endpoint = "https://fcm.googleapis.com/fcm/send/" + secrets.token_urlsafe(24)
        self.context.grant_permissions(["notifications"], origin=self.live_server_url)
        self.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps({"endpoint": endpoint, "keys": keys}))
        page = self.page
        self.log_in(ann.email)

        page.goto(self.url("/notifications/"))
        status = page.locator("#push-status")
        # The page waited for the site's service worker before saying where this phone stands.
        status.filter(has_text="Notifications are off for this phone.").wait_for()
        assert not PushSubscription.objects.exists()

        page.get_by_role("button", name="Turn on notifications on this phone").click()
        status.filter(has_text="Notifications are on for this phone.").wait_for()
        saved = PushSubscription.objects.get()
        assert (saved.user_id, saved.endpoint, saved.p256dh, saved.auth) == (
            ann.pk,
            endpoint,
            keys["p256dh"],
            keys["auth"],
        )
        # Subscribed with the server's VAPID key, as the API gave it, for messages shown to the person.
        asked = page.evaluate("window.__push")
        vapid = base64.urlsafe_b64decode(settings.VAPID_PUBLIC_KEY + "=" * (-len(settings.VAPID_PUBLIC_KEY) % 4))
        assert bytes(asked["key"]) == vapid and asked["userVisibleOnly"] is True
        assert page.get_by_role("button", name="Turn off notifications on this phone").is_visible()

        page.get_by_role("button", name="Turn off notifications on this phone").click()
        status.filter(has_text="Notifications are off for this phone.").wait_for()
        assert not PushSubscription.objects.filter(user=ann).exists()
        assert page.evaluate("window.__push.unsubscribed") == 1
        assert page.get_by_role("button", name="Turn on notifications on this phone").is_visible()

"""API authentication: allauth's app session token, with a challenge so anonymous calls get 401."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication


class SessionTokenAuthentication(XSessionTokenAuthentication):
    def authenticate_header(self, request):
        # Without a challenge DRF turns "not authenticated" into 403; PRODUCT §4 wants 401.
        return 'Session realm="api"'

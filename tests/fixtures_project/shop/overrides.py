"""Client classes whose own definitions a `timeout=` added to a call in another module reaches
(overrides_use.py): the library hands it from `get` to `self.request`, `self.send` and
`self.resolve_redirects`, and from a mixin ahead of the client in the MRO too; or a subclass
defined there reaches a call made here, on `self`."""
import contextlib

import requests


class StrictSession(requests.Session):
    def request(self, method, url, params=None, data=None, headers=None):
        return super().request(method, url, params=params, data=data, headers=headers)


class RedirectSession(requests.Session):
    def resolve_redirects(self, resp, req, stream=False):
        return iter(())


class RetryMixin:
    def send(self, request, stream=False):
        return super().send(request, stream=stream)


class MixedSession(RetryMixin, requests.Session):
    pass


class UnreadMixedSession(contextlib.ContextDecorator, requests.Session):
    pass  # a base the index cannot read, ahead of the client: it may define `request` (not a known client)


class KeywordsSession(requests.Session):
    def request(self, method, url, **kwargs):
        return super().request(method, url, **kwargs)


class UnrelatedSession(requests.Session):
    def prepare_request(self, request):
        return super().prepare_request(request)


class FetchingSession(requests.Session):
    def fetch(self):
        # `self` may be overrides_use.StrictFetchingSession, whose `send` cannot take `timeout=`.
        return self.get("https://api.example.com/items")  # expect: API101

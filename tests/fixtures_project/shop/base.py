from .sessions import make_session


class BaseClient:
    def __init__(self):
        self.session = make_session()

    def _request(self, method, url, **kwargs):
        response = self.session.request(method, url, **kwargs)
        response.raise_for_status()
        return response

    def _get(self, url, **kwargs):
        return self._request("GET", url, **kwargs)

    def _timed(self, url, **kwargs):
        kwargs.setdefault("timeout", 10)
        return self._request("GET", url, **kwargs)

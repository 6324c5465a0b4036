"""API201/API202 v2 across modules: a project Session subclass that overrides a request method
handles each response its own way (apilint does not read it from here: no opinion)."""
import requests


def raise_on_error(response):
    if not response.ok:
        raise RuntimeError(response.status_code)


class CheckingSession(requests.Session):
    def request(self, method, url, **kwargs):
        response = super().request(method, url, **kwargs)
        raise_on_error(response)
        return response


class PlainSession(requests.Session):
    """No request method of its own: its responses need a check like any session's."""

    user_agent = "shop"

from .compat import http


def fetch(url, **kwargs):
    return http.get(url, **kwargs)


def fetch_json(url, **kwargs):
    return fetch(url, **kwargs).json()


def fetch_timed(url, **kwargs):
    return fetch(url, timeout=3, **kwargs)

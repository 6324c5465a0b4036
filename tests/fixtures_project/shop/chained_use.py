# Imports only a wrapper of a wrapper (fetch_json -> fetch -> http.get): the text filter must see
# the HTTP library at the end of the chain, not the project module the outer wrapper calls.
from .utils import fetch_json


def profile(url):
    return fetch_json(url)  # expect: API101


def profile_timed(url):
    return fetch_json(url, timeout=5)

"""A module that imports no HTTP library: its client is a module-level session of another project module."""
from shop.sessions import SHARED


def fetch(url):
    return SHARED.get(url)  # expect: API101


def fetch_timed(url):
    return SHARED.get(url, timeout=5)

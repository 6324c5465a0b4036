# Imports only classes whose classmethod / staticmethod makes a client: `Class.create()` runs the
# method the class defines or inherits. An instance method needs an instance: not a factory here.
from .factories import Connections, Pooled


def created(url):
    return Connections.create().get(url)  # expect: API101


def plain(url):
    return Connections.plain().post(url, data={})  # expect: API101


def inherited(url):
    return Pooled.create().get(url)  # expect: API101


def through_instance(url):
    return Connections().bound().get(url)


def timed(url):
    return Connections.create().get(url, timeout=5)

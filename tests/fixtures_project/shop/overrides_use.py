"""Calls on the client classes of overrides.py: each has no timeout; a fix only where no project
definition the keyword reaches refuses it (test_project.py checks which calls `--diff` fixes)."""
from shop.overrides import (
    FetchingSession,
    KeywordsSession,
    MixedSession,
    RedirectSession,
    StrictSession,
    UnreadMixedSession,
    UnrelatedSession,
)

URL = "https://api.example.com"


class StrictSendChild(KeywordsSession):
    def send(self, request, stream=False):
        return super().send(request, stream=stream)


class StrictFetchingSession(FetchingSession):
    def send(self, request, stream=False):
        return super().send(request, stream=stream)


def refused():
    return [
        StrictSession().get(URL),  # expect: API101
        RedirectSession().post(URL, json={}),  # expect: API101
        MixedSession().get(URL),  # expect: API101
        StrictSendChild().get(URL),  # expect: API101
        UnreadMixedSession().get(URL),  # a base ahead of the client is unread: unknown, silent
    ]


def maybe_a_subclass(session: KeywordsSession):
    return session.get(URL)  # expect: API101


def accepted():
    return [
        KeywordsSession().get(URL),  # expect: API101
        UnrelatedSession().delete(URL),  # expect: API101
        FetchingSession().get(URL),  # expect: API101
    ]

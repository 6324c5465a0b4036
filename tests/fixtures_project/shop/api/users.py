from .. import compat
from ..base import BaseClient
from ..conflict import Session as EitherSession
from ..cycle_a import SESSION as CYCLIC
from ..sessions import SHARED, TimedSession, make_session

URL = "https://shop.example/users"


class Users(BaseClient):
    def list(self):
        return self.session.get(URL)  # expect: API101

    def one(self, uid):
        return self._request("GET", f"{URL}/{uid}")  # expect: API101

    def chained(self):
        return self._get(URL)  # expect: API101

    def given(self):
        return self._get(URL, timeout=3)

    def defaulted(self):
        return self._timed(URL)

    def forwarded(self, **options):
        return self._get(URL, **options)


def shared():
    return SHARED.get(URL)  # expect: API101


def made():
    return make_session().post(URL, json={})  # expect: API101


def timed():
    return TimedSession().get(URL)


def through_compat():
    return compat.http.get(URL)  # expect: API101


def either():
    return EitherSession().get(URL)


def cyclic():
    return CYCLIC.get(URL)

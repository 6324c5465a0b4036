import requests


class Connections:
    @classmethod
    def create(cls):
        return requests.Session()

    @staticmethod
    def plain():
        return requests.Session()

    def bound(self):
        return requests.Session()


class Pooled(Connections):
    pass

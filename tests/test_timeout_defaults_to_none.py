"""API104 through a project `**kwargs` wrapper: the None reaches the library call unchanged."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli

CLIENT = '''\
import requests


class Client:
    def __init__(self):
        self.session = requests.Session()

    def _request(self, method, url, **kwargs):
        return self.session.request(method, url, **kwargs)

    def get(self, url, timeout=None):
        return self._request("GET", url, timeout=timeout)

    def head(self, url, timeout=None):
        timeout = timeout or 5
        return self._request("HEAD", url, timeout=timeout)

    def options(self, url, timeout=None):
        return self._timed("OPTIONS", url, timeout=timeout)

    def _timed(self, method, url, **kwargs):
        kwargs.setdefault("timeout", 5)
        return self.session.request(method, url, **kwargs)
'''


def test_parameter_forwarded_through_a_kwargs_wrapper(project: Path) -> None:
    (project / "client.py").write_text(CLIENT)
    result = run_cli("--no-cache", "--exit-zero", "--select", "API104", "client.py", cwd=project)
    lines = [line for line in result.stdout.splitlines() if ": API104" in line]
    # get(): reported; head() replaces None first; _timed() sets a timeout itself, so it is no wrapper.
    assert [line.split(":")[1] for line in lines] == ["11"]
    assert "self._request() -> requests.Session.request()" in lines[0]

"""A small, realistic API client with the mistakes apilint exists to catch.

Run `apilint docs/example` to see them, `apilint --diff docs/example` to see the fixes.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

log = logging.getLogger(__name__)

BASE_URL = "https://api.weather.example.com/v2"


class WeatherClient:
    """Talks to the weather service with one shared session."""

    def __init__(self, api_key: str, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {api_key}"
        # Looks like a session-wide timeout; requests ignores it.
        self.session.timeout = 10

    def forecast(self, city: str, days: int = 3) -> dict[str, Any]:
        response = self.session.get(
            f"{BASE_URL}/forecast",
            params={"city": city, "days": days},
        )
        response.raise_for_status()
        return response.json()

    def alerts(self, region: str) -> list[dict[str, Any]]:
        response = self.session.get(f"{BASE_URL}/alerts/{region}", timeout=5)
        response.raise_for_status()
        return response.json()["alerts"]

    def upload_reading(self, station: str, reading: dict[str, float]) -> None:
        # A slow station must not block the uploader forever... but it can.
        response = self.session.post(f"{BASE_URL}/stations/{station}/readings", json=reading, timeout=None)
        response.raise_for_status()


def station_status(station: str) -> str:
    response = requests.get(f"{BASE_URL}/stations/{station}")
    response.raise_for_status()
    return response.json()["status"]


def latest_readings(station: str) -> list[dict[str, Any]]:
    response = requests.get(f"{BASE_URL}/stations/{station}/readings", timeout=10)
    # An error page is parsed as if it were data.
    return response.json()["readings"]


def publish(station: str, reading: dict[str, float]) -> None:
    # A failed write goes unnoticed, and the except hides bugs as "network errors".
    try:
        requests.post(f"{BASE_URL}/stations/{station}/readings", json=reading, timeout=10)
    except Exception:
        log.warning("could not publish a reading for %s", station)


def fetch_with_retries(url: str) -> dict[str, Any]:
    # Retries every status, 404 included, at a fixed pace, in lockstep with every other client.
    for attempt in range(5):
        response = requests.get(url, timeout=10)
        if response.status_code != 200:
            time.sleep(2)
            continue
        return response.json()
    raise RuntimeError(f"{url} kept failing")

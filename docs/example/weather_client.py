"""A small, realistic API client with the mistakes apilint exists to catch.

Run `apilint docs/example` to see them, `apilint --diff docs/example` to see the fixes.
"""

from __future__ import annotations

import logging
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

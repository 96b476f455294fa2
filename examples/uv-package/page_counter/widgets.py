"""Widgets the page shows, registered as entry points in pyproject.toml."""
import time


def clock():
    return time.strftime("%H:%M UTC", time.gmtime())

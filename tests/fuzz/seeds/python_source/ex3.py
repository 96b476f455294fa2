"""Settings read from the environment, twelve-factor style."""
import os
from os import environ


class Config:
    API_TOKEN = os.environ["API_TOKEN"]
    FEATURE_FLAG = os.getenv("FEATURE_FLAG", "off")
    LOG_LEVEL = environ.get("LOG_LEVEL", "INFO")
    CACHE_SECONDS = int(os.environ.get("CACHE_SECONDS", 300))

import os
from flask import Flask

type Settings[T] = dict[str, T]

def setting[T](name: str, default: T) -> T:
    return os.environ.get(name, default)

cfg = {"a": os.getenv("GREETING", "hello")}
banner = f"{cfg["a"]} world"
template = t"{os.environ.get('TEMPLATE_NAME', 'x')}"

try:
    import ujson as json
except ImportError, ModuleNotFoundError:
    import json

if (mode := os.environ.get("APP_MODE", "web")) == "web":
    pass

match os.environ.get("STORAGE", "disk"):
    case "s3":
        bucket = os.environ["S3_BUCKET"]
    case _:
        bucket = None

async def ping():
    async with session() as s:
        return await s.get(os.getenv("PING_URL", "http://localhost"))

app = Flask(__name__)

"""An app that reads its database as parts (DB_HOST, DB_USER, ...) and its
secret key under its own prefix (SHOP_SECRET_KEY, through from_prefixed_env)."""
import os

import psycopg2
from flask import Flask

app = Flask(__name__)
app.config.from_prefixed_env("SHOP")
if not app.config.get("SECRET_KEY"):
    raise RuntimeError("set SHOP_SECRET_KEY")


def connect():
    return psycopg2.connect(
        host=os.environ["DB_HOST"],
        port=int(os.environ.get("DB_PORT", "5432")),
        user=os.environ["DB_USER"],
        password=os.environ["DB_PASSWORD"],
        dbname=os.environ["DB_NAME"],
    )


@app.route("/")
def index():
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        (server,) = cursor.fetchone()
    return f"PostgreSQL {server} at host {os.environ['DB_HOST']}, read from DB_* parts; secret key set\n"

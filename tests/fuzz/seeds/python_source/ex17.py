"""Notes: an app factory in a src layout, storing notes in SQLite in its instance folder."""
import os
import sqlite3

from flask import Flask


def create_app():
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DATABASE=os.path.join(app.instance_path, "notes.sqlite3"))
    # Every FLASK_* variable becomes a config key (FLASK_SECRET_KEY -> SECRET_KEY).
    app.config.from_prefixed_env()
    os.makedirs(app.instance_path, exist_ok=True)

    def connect():
        db = sqlite3.connect(app.config["DATABASE"])
        db.execute("CREATE TABLE IF NOT EXISTS note (body TEXT NOT NULL)")
        return db

    @app.route("/")
    def index():
        with connect() as db:
            db.execute("INSERT INTO note (body) VALUES (?)", ("visited",))
            count = db.execute("SELECT COUNT(*) FROM note").fetchone()[0]
        return f"{count} notes in {app.config['DATABASE']}\n"

    return app

"""Tasks: an app factory whose tables come from Flask-Migrate migrations, never create_all()."""
import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func, text

db = SQLAlchemy()
migrate = Migrate()


class Task(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(200), nullable=False)


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    db.init_app(app)
    migrate.init_app(app, db)

    @app.route("/")
    def index():
        db.session.add(Task(title="visit"))
        db.session.commit()
        count = db.session.scalar(db.select(func.count(Task.id)))
        server = db.session.execute(text("SELECT current_setting('server_version')")).scalar()
        return f"tasks: {count}; PostgreSQL {server} at host {db.engine.url.host}\n"

    return app

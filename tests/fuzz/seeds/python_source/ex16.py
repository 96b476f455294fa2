"""Flask-SQLAlchemy on PostgreSQL through psycopg2, built from source."""
import os

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func, text

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
db = SQLAlchemy(app)


class Visit(db.Model):
    id = db.Column(db.Integer, primary_key=True)


@app.route("/")
def index():
    db.create_all()
    db.session.add(Visit())
    db.session.commit()
    count = db.session.scalar(db.select(func.count(Visit.id)))
    server = db.session.execute(text("SELECT current_setting('server_version')")).scalar()
    host = db.engine.url.host
    return f"visits: {count}; PostgreSQL {server} at host {host}\n"

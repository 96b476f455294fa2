"""A live board: Flask-SocketIO on gevent pushes each new note to every open page.

Under gunicorn it needs the gevent worker and a single worker process, which
flaskdock reads from the dependencies.
"""
from flask import Flask, render_template
from flask_socketio import SocketIO, emit

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")
notes: list[str] = []


@app.get("/")
def board():
    return render_template("board.html", notes=notes)


@socketio.on("note")
def add_note(text):
    notes.append(str(text)[:200])
    emit("notes", notes, broadcast=True)


if __name__ == "__main__":
    socketio.run(app, port=5000)

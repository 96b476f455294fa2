from tasks import create_app

app = create_app()

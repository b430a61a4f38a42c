from events_app import create_app, database_url


def test_config_layers_test_config_wins(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == "test-secret"


def test_secret_key_generated_into_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    key = (tmp_path / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == key
    assert len(key) == 64
    assert create_app().config["SECRET_KEY"] == key


def test_database_url_uses_psycopg():
    assert database_url("postgres://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert database_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"


def test_home_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"<!doctype html>" in response.data


def test_unknown_url_gets_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"404" in response.data


def test_seed_demo_loads_once(runner, app):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "Loaded" in result.output
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has" in result.output

"""Authorization matrix: every rule under /staff/ for anonymous visitors, editors and admins."""

import pytest
from conftest import STAFF_PASSWORD

# Pages for admins only; every other staff URL is open to editors too.
ADMIN_ENDPOINTS = {
    "staff.delete_event",
    "staff_admin.users",
    "staff_admin.new_user",
    "staff_admin.edit_user",
    "staff_admin.reset_password",
    "staff_admin.audit_log",
}
# Reachable without signing in.
OPEN_ENDPOINTS = {"auth.login"}
# URLs carrying a one-off upload token of the uploader's session: any other token is a 404.
TOKEN_ENDPOINTS = {"staff_import.preview", "staff_import.confirm"}


def staff_rules(app):
    """(rule, method) for every staff URL; deletes and logout last, since they end things."""
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff/"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rules.append((rule, method))
    return sorted(rules, key=lambda rm: ("logout" in rm[0].rule) * 2 + ("delete" in rm[0].rule))


@pytest.fixture
def objects(create_event, create_venue, create_category, create_user):
    """One of everything a staff URL can point at."""
    venue = create_venue()
    category = create_category("Optical")
    event = create_event(status="draft", venue=venue, kind="live")
    other = create_user("other@example.com", STAFF_PASSWORD)
    return {
        "event_id": event.id,
        "venue_id": venue.id,
        "category_id": category.id,
        "user_id": other.id,
    }


def build_url(rule, objects):
    values = {arg: objects.get(arg, 1) for arg in rule.arguments}
    return rule.build(values)[1]


def call(client, method, url):
    return client.open(url, method=method, data={})


def test_every_staff_rule_is_classified(app):
    endpoints = {rule.endpoint for rule, _ in staff_rules(app)}
    assert endpoints >= ADMIN_ENDPOINTS
    assert len(endpoints) > len(ADMIN_ENDPOINTS)


def test_anonymous_gets_login_page_everywhere(app, client, objects):
    for rule, method in staff_rules(app):
        response = call(client, method, build_url(rule, objects))
        if rule.endpoint in OPEN_ENDPOINTS:
            assert response.status_code in (200, 302), rule
            continue
        assert response.status_code == 302, (rule, method, response.status_code)
        assert response.headers["Location"].startswith("/staff/login?next="), rule


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_staff_roles(app, objects, create_user, role):
    email = f"{role}-matrix@example.com"
    create_user(email, STAFF_PASSWORD, role=role)
    client = app.test_client()
    client.post("/staff/login", data={"email": email, "password": STAFF_PASSWORD})
    for rule, method in staff_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        response = call(client, method, build_url(rule, objects))
        where = (rule.rule, method, response.status_code)
        if role == "editor" and rule.endpoint in ADMIN_ENDPOINTS:
            assert response.status_code == 403, where
        elif rule.endpoint in TOKEN_ENDPOINTS:
            assert response.status_code == 404, where
        elif method == "GET":
            assert response.status_code == 200, where
        else:  # an empty POST: refused as invalid, or done
            assert response.status_code in (200, 302, 400), where
        if response.status_code == 302 and rule.endpoint != "auth.logout":
            assert not response.headers["Location"].startswith("/staff/login"), where

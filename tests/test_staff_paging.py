"""Every paged list (public events, staff dashboard, audit log) reads its page number the same
way: a bad one is a 400 that says what a page number is, one past the end a 404."""

import pytest
from conftest import STAFF_PASSWORD

PAGED = ["/events/", "/staff/", "/staff/audit"]
MESSAGE = "The page must be a whole number from 1 to 10,000,000."


@pytest.fixture
def as_admin(client, auth, admin):
    auth.login("admin@example.com", STAFF_PASSWORD)
    return client


@pytest.mark.parametrize("url", PAGED)
@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "١٢", "²", "9" * 40, " 2"])
def test_bad_page_numbers_get_the_same_400(as_admin, url, page):
    response = as_admin.get(url, query_string={"page": page})
    assert response.status_code == 400, (url, page)
    assert MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("url", PAGED)
def test_first_page_and_past_the_end(as_admin, url):
    assert as_admin.get(url).status_code == 200
    assert as_admin.get(url, query_string={"page": "1"}).status_code == 200
    assert as_admin.get(url, query_string={"page": "2"}).status_code == 404
    assert as_admin.get(url, query_string={"page": "10000000"}).status_code == 404

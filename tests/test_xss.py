"""XSS: payloads in every displayed field come out as inert text on every page type."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from conftest import NOW

from tests.html_checks import active_content, inspect_html

TEXT_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</script><script>alert(1)</script>",
    "</SCRIPT ><!--<script>alert(1)//-->",
    '<iframe src="javascript:alert(1)"></iframe>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="x" onerror="alert(1)"',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "[click](javascript:alert(1)) ![i](javascript:alert(1)) <javascript:alert(1)>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "<base href=//evil.example/><meta http-equiv=refresh content=0;url=javascript:alert(1)>",
]
URL_PAYLOADS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '"><script>alert(1)</script>',
]


def _assert_inert(response, what: str) -> str:
    assert response.status_code == 200, (what, response.status_code)
    html = response.get_data(as_text=True)
    problems = active_content(html)
    assert not problems, f"{what}: {problems}"
    return html


@pytest.fixture
def seeded(app, create_event, create_venue, create_category, editor):
    """Returns make(text, url): a live hybrid event and an archived webinar full of payloads."""
    app.config["NOW"] = NOW

    def make(text: str, url: str, n: int):
        venue = create_venue(
            name=text,
            address=text,
            city=text,
            region=text,
            country=text,
            postal_code=text[:20],
            website=url,
        )
        category = create_category(name=f"{text[:90]} {n}", slug=f"xss-{n}")
        speakers = ((text, text, text), (f"Second {text}", text, text))
        fields = dict(
            summary=text,
            description=f"{text}\n\n{text}\n\n*{text}*",
            organizer=text,
            online_url=url,
            registration_url=url,
            recording_url=url,
            slides_url=url,
            image_url=url,
            categories=[category],
            speakers=speakers,
        )
        live = create_event(
            title=f"{text} live",
            slug=f"xss-live-{n}",
            kind="live",
            venue=venue,
            start=NOW + timedelta(days=3),
            zone="America/Denver",
            featured=True,
            **fields,
        )
        past = create_event(
            title=f"{text} past",
            slug=f"xss-past-{n}",
            kind="webinar",
            start=NOW - timedelta(days=3),
            **fields,
        )
        return live, past, category

    return make


def test_payloads_are_inert_on_every_page(app, client, auth, seeded):
    app.config["PAGE_SIZE"] = 100  # every payload on one list page
    created = [
        seeded(text, URL_PAYLOADS[n % len(URL_PAYLOADS)], n) for n, text in enumerate(TEXT_PAYLOADS)
    ]
    months = sorted({live.start_at.strftime("%Y/%m") for live, _, _ in created})
    common = ["/", "/events/", "/webinars/", "/webinars/archive"] + [
        f"/calendar/{m}" for m in months
    ]
    for path in common:
        _assert_inert(client.get(path), path)

    auth.login()
    _assert_inert(client.get("/staff/"), "/staff/")
    for (live, past, category), text in zip(created, TEXT_PAYLOADS, strict=True):
        q = quote(text)
        pages = [
            f"/events/{live.slug}",
            f"/events/{past.slug}",
            f"/categories/{category.slug}",
            f"/events/?q={q}",
            f"/webinars/archive?q={q}",
            f"/staff/?q={q}",
            f"/staff/events/{live.id}/edit",
            f"/staff/events/{past.id}/edit",
            f"/staff/events/{live.id}/preview",
            f"/staff/events/{past.id}/preview",
        ]
        for path in pages:
            _assert_inert(client.get(path), f"{path} ({text!r})")

        detail = inspect_html(client.get(f"/events/{live.slug}").get_data(as_text=True))
        assert any(f"{text} live" in chunk for chunk in detail.text), "title shown as text"
        names = [json.loads(block).get("name") for block in detail.json_ld]
        assert f"{text} live" in names, "JSON-LD keeps the title as data"

        response = client.post("/staff/preview-markdown", data={"markdown": text, "text": text})
        assert response.status_code < 500
        assert not active_content(response.get_data(as_text=True)), text


def test_checker_catches_what_it_should():
    # The checker itself must see active content, or the tests above prove nothing.
    assert active_content("<p><script>alert(1)</script></p>")
    assert active_content('<img src="x" onerror="alert(1)">')
    assert active_content('<a href=" javascript:alert(1)">x</a>')
    assert active_content("<svg onload=alert(1)></svg>")
    assert active_content('<script type="application/ld+json">{"a": "</script><b>"}</script>')
    assert not active_content('<script src="/static/site.js" defer></script><p>&lt;script&gt;</p>')
    assert not active_content('<script type="application/ld+json">{"a": "\\u003c/script"}</script>')

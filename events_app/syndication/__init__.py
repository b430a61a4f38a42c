"""Syndication and link previews: Atom feeds of new and changed events (atom.py, pure), the
sitemap and robots.txt (sitemap.py, pure), OpenGraph / Twitter card tags (previews.py, pure),
and their routes plus the canonical and alternate links every page carries (views.py).

Atom entry ids come from the event's permanent UID (never its slug or time), and ``updated``
is the event's last change (changes.py), so a reader shows an edited event as updated, once.
"""

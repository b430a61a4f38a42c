"""Embeddable widgets (sidebar, list, month) for other sites.

- widgets.py: pure; the parameters (filters, count, month, theme, accent) and the display-ready
  model of each widget: texts as the pages write them ("Sep 24–26, 2026", "Westin Westminster,
  Denver"), instants for the visitor's local time, links to our pages.
- views.py: /embed.js (the custom element <events-widget>, rendering into a shadow DOM with
  textContent only, never markup from data), /embed/<widget>.json (its data: public, cacheable,
  CORS for GET) and /embed/<widget> (the same widget as a page other sites may frame, for hosts
  without JavaScript; the only responses whose CSP allows framing, see security.allow_framing).
- staff_views.py: the staff "Embed" page that builds a snippet with a live preview.

Series are listed by their dates, as the list pages list them (filters.filtered_events_query).
"""

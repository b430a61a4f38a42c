"""iCalendar feeds: routes, rendering, VTIMEZONEs, feed content and its caches, calendar links."""

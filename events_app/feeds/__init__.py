"""iCalendar feeds: views (routes, HTTP), ical (pure rendering), vtimezone, source (what a feed
holds, from the database), bodies (whole bodies per worker), links (add-to-calendar links).

The freshness contract (how an edit reaches every cache; to change it, open changes.py):

1. Every ORM save of what pages or feeds show writes ``feed_state``: a new random token, under
   a lock, and stamps the changed events (``updated_at`` after every earlier change, a new
   random ``version``, ``sequence`` when time, place or status moved). Changes made with raw
   SQL call ``changes.mark_changed`` in the same transaction; nothing else is supported.
2. Readers call ``changes.read_state`` before reading the content it guards. Whatever a worker
   keeps is keyed by, or checked against, that token: the response cache (response_cache.py),
   feed fingerprints, feed infos; a restored backup brings back only tokens whose content it
   also brings back.
3. Content that depends on more than the data names it in its key: a stored VEVENT block is
   valid for (renderer version, site, zone rules, event version); a feed's ETag hashes those,
   its conditions and its events' ids, versions and changes. Zone rules are
   ``zone_rules.rules_version()``: a tzdata upgrade renews blocks and ETags. A series is one
   block, its master's: any change to its rule or dates renews the master's version, and the
   block (which leaves out overrides that ended before the window) also names the window's
   first day (``ical.series_context``), as the ETag of a feed holding a series does.
4. Time moves answers too: pages are kept to the next minute, feeds to the site's next midnight
   (SITE_TIMEZONE), when their window moves.
5. A feed is never sent unfinished: its body is built whole (in memory, or into a file when
   large) before the first byte, on a background thread the request waits for up to
   FEED_BUILD_WAIT seconds; longer, and the answer is 503 with Retry-After. Bulk changes
   (imports, ``flask feeds render-blocks`` after a deploy) render the blocks ahead.
"""

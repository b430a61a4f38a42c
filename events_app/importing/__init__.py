"""Importing .ics files: lines (bytes -> repaired content lines and components, streamed),
reader (components -> zone-resolved events), zones (TZIDs -> IANA), plan (what an import would
change), apply (writing a plan), bulk (the command line's import of a file of any size, in
resumable batches), views (the staff upload, preview and confirm pages)."""

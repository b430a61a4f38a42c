"""Importing .ics files: reader (file -> events), zones (TZIDs -> IANA), plan (what an import
would change, and applying it), views (the staff upload, preview and confirm pages)."""

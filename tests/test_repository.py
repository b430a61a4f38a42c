"""The repository itself: no merge-conflict leftovers in any source, template or doc file."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def test_no_conflict_markers():
    suffixes = {".py", ".html", ".css", ".js", ".md", ".toml", ".mako", ".cfg", ".txt"}
    folders = ("events_app", "templates", "tests", "migrations", "bench", ".ci")
    files = [ROOT / "README.md", ROOT / "pyproject.toml", ROOT / "Makefile"]
    for folder in folders:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in suffixes]
    leftovers = [
        str(p.relative_to(ROOT))
        for p in files
        if p.is_file() and "node_modules" not in p.parts and MARKER.search(p.read_text("utf-8"))
    ]
    assert leftovers == []

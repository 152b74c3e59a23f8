"""Spiders. One per portal profile that has a [crawl] section (see portals.py)."""

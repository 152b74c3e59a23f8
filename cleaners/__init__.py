"""Reusable boilerplate cleaners for Chinese web portals (no Scrapy dependency).

    from cleaners import Cleaner, Page
    item = Cleaner().run(Page(body=html_bytes, url=url))
"""
from .core import Cleaner
from .document import ARTICLE_FIELDS, Document, Line, Page, Rejected
from .profiles import Profile, ProfileError, ProfileRegistry

__all__ = ["ARTICLE_FIELDS", "Cleaner", "Document", "Line", "Page", "Profile", "ProfileError",
           "ProfileRegistry", "Rejected"]

"""Crawl state shared by the duplicate filter and incremental mode.

A store maps keys to values inside named namespaces and answers one question atomically: "record
this key unless it is there; if it is there, what was recorded first?" That one operation is enough
for "have we emitted this URL before" and "which URL first had this content", and it is what Redis
(`SET key value NX`) and SQLite (`INSERT OR IGNORE`) do natively, so every backend gives the same
guarantee: two workers never both see a key as new.

Backends are chosen with the STATE_BACKEND setting (a class path) and STATE_URI.
"""
from __future__ import annotations

import sqlite3
import threading
import weakref
from pathlib import Path


class StateStore:
    def add(self, namespace: str, key: str, value: str) -> str | None:
        """Record key -> value unless key is present. Returns None if it was new, else the value
        recorded first."""
        raise NotImplementedError

    def get(self, namespace: str, key: str) -> str | None:
        raise NotImplementedError

    def clear(self, namespace: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass

    @classmethod
    def from_settings(cls, settings, spider_name: str) -> "StateStore":
        return cls()


class MemoryStore(StateStore):
    """One process, one run: duplicates within the run only."""

    def __init__(self):
        self._data: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def add(self, namespace, key, value):
        with self._lock:
            table = self._data.setdefault(namespace, {})
            if key in table:
                return table[key]
            table[key] = value
            return None

    def get(self, namespace, key):
        return self._data.get(namespace, {}).get(key)

    def clear(self, namespace):
        self._data.pop(namespace, None)


class SqliteStore(StateStore):
    """Persists between runs in one file per spider (STATE_URI, %(name)s = spider name)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS state (ns TEXT, k TEXT, v TEXT, PRIMARY KEY (ns, k))")
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings, spider_name):
        return cls(settings.get("STATE_URI") % {"name": spider_name})

    def add(self, namespace, key, value):
        with self._lock:
            cur = self._db.execute("INSERT OR IGNORE INTO state VALUES (?, ?, ?)", (namespace, key, value))
            if cur.rowcount:
                return None
            return self.get(namespace, key)

    def get(self, namespace, key):
        row = self._db.execute("SELECT v FROM state WHERE ns = ? AND k = ?", (namespace, key)).fetchone()
        return row[0] if row else None

    def clear(self, namespace):
        with self._lock:
            self._db.execute("DELETE FROM state WHERE ns = ?", (namespace,))

    def close(self):
        self._db.close()


# Namespaces our components use; INCREMENTAL_RESET clears them all.
SEEN = "seen"              # URLs already emitted as articles (incremental mode)
DUP_EXACT = "dup-exact"    # body fingerprint -> first URL
DUP_NEAR = "dup-near"      # SimHash band key -> "<simhash> <first URL>"
DUP_LINES = "dup-lines"    # paragraph key -> "<paragraphs> <first URL>"
DUP_OF = "dup-of"          # URL of a rejected copy -> URL of the article kept
NAMESPACES = (SEEN, DUP_EXACT, DUP_NEAR, DUP_LINES, DUP_OF)


_STORES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def crawl_state(crawler) -> StateStore:
    """The crawler's one StateStore (STATE_BACKEND, STATE_URI), shared by the duplicate filter and
    incremental mode. Opened on first use (cleared first if INCREMENTAL_RESET), closed when the
    engine stops: after the feeds are stored, when incremental mode learns what was written."""
    store = _STORES.get(crawler)
    if store is None:
        from scrapy import signals
        from scrapy.utils.misc import load_object

        settings = crawler.settings
        backend = load_object(settings.get("STATE_BACKEND") or "crawler.state.MemoryStore")
        store = backend.from_settings(settings, crawler.spidercls.name)
        if settings.getbool("INCREMENTAL_RESET"):
            for namespace in NAMESPACES:
                store.clear(namespace)
        _STORES[crawler] = store
        crawler.signals.connect(lambda: store.close(), signal=signals.engine_stopped, weak=False)
    return store

"""Crawl state shared by the duplicate filter and incremental mode.

A store maps keys to values inside named namespaces and answers one question atomically: "record
this key unless it is there; if it is there, what was recorded first?" That one operation is enough
for "have we emitted this URL before" and "which URL first had this content", and it is what Redis
(`HSETNX`) and SQLite (`INSERT OR IGNORE`) do natively, so every backend gives the same guarantee:
two workers never both see a key as new. The whole API:

- `add(ns, key, value)` / `add_many(ns, [(key, value), ...])`: record unless present; None for a
  new key, else the value recorded first. `add_many` is one transaction (SQLite) or one round trip
  (Redis): use it to write a batch.
- `get(ns, key)`: the value, or None; `get_many(ns, keys)`: the values of several keys at once.
  `put(ns, key, value)`: set it, replacing what was there (for
  state that changes, like a site's template samples; never for first-come-wins claims).
- `bucket_add(ns, [(bucket, member), ...])`: a multimap for similarity buckets (SimHash blocks):
  adds each member (bytes) to its bucket (an int below 2**48) and returns, per entry, the members
  that were in the bucket before. One transaction / round trip. `bucket_get(ns, [bucket, ...])`
  reads without writing (for claims that wait until the output is stored).
- `put_many(ns, pairs)` / `bucket_put(ns, entries)`: the same writes when the answers are not
  needed (claims made earlier, written when the run's output is stored): bulk writes.
- `batch()`: a context in which those calls share one transaction (SQLite; Redis runs each call
  as one atomic script anyway).
- `clear(ns)`, `close()`.

Backends are chosen with the STATE_BACKEND setting (a class path) and STATE_URI.
"""
from __future__ import annotations

import sqlite3
import threading
import weakref
from contextlib import contextmanager
from pathlib import Path


def in_chunks(values: list, size: int = 500):
    """Lists of at most `size` values: SQLite limits the parameters of one statement."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def marks(values) -> str:
    return ", ".join("?" * len(values))


class StateStore:
    def add(self, namespace: str, key: str, value: str) -> str | None:
        """Record key -> value unless key is present. Returns None if it was new, else the value
        recorded first."""
        raise NotImplementedError

    def add_many(self, namespace: str, pairs) -> list[str | None]:
        return [self.add(namespace, key, value) for key, value in pairs]

    @contextmanager
    def batch(self):
        """Calls inside share one transaction where the backend has them (SQLite)."""
        yield

    def get(self, namespace: str, key: str) -> str | None:
        raise NotImplementedError

    def get_many(self, namespace: str, keys) -> list[str | None]:
        return [self.get(namespace, key) for key in keys]

    def put(self, namespace: str, key: str, value: str) -> None:
        raise NotImplementedError

    def bucket_add(self, namespace: str, entries) -> list[list[bytes]]:
        raise NotImplementedError

    def bucket_get(self, namespace: str, buckets) -> list[list[bytes]]:
        """The members of each bucket, writing nothing."""
        raise NotImplementedError

    def put_many(self, namespace: str, pairs) -> None:
        """add_many without the answers (a store may write them in bulk)."""
        self.add_many(namespace, pairs)

    def bucket_put(self, namespace: str, entries) -> None:
        """bucket_add without the answers."""
        self.bucket_add(namespace, entries)

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

    def put(self, namespace, key, value):
        with self._lock:
            self._data.setdefault(namespace, {})[key] = value

    def bucket_add(self, namespace, entries):
        with self._lock:
            table = self._data.setdefault(namespace, {})
            answers = []
            for bucket, member in entries:
                held = table.setdefault(bucket, [])
                answers.append([m for m in held if m != member])
                if member not in held:
                    held.append(member)
            return answers

    def bucket_get(self, namespace, buckets):
        table = self._data.get(namespace, {})
        return [list(table.get(bucket, ())) for bucket in buckets]

    def clear(self, namespace):
        self._data.pop(namespace, None)


class SqliteStore(StateStore):
    """Persists between runs in one file per spider (STATE_URI, %(name)s = spider name)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: a commit survives the process being killed (not a power cut) without an fsync.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS state (ns TEXT, k TEXT, v TEXT, PRIMARY KEY (ns, k))")
        self._db.execute("CREATE TABLE IF NOT EXISTS buckets (ns TEXT, b INTEGER, m BLOB, PRIMARY KEY (ns, b, m))"
                         " WITHOUT ROWID")
        self._lock = threading.RLock()  # batch() holds it while add_many & co. take it again

    @classmethod
    def from_settings(cls, settings, spider_name):
        return cls(settings.get("STATE_URI") % {"name": spider_name})

    def add(self, namespace, key, value):
        return self.add_many(namespace, [(key, value)])[0]

    def add_many(self, namespace, pairs):
        with self._lock, self._transaction():
            answers = []
            for key, value in pairs:
                cur = self._db.execute("INSERT OR IGNORE INTO state VALUES (?, ?, ?)", (namespace, key, value))
                answers.append(None if cur.rowcount else self.get(namespace, key))
            return answers

    def get(self, namespace, key):
        row = self._db.execute("SELECT v FROM state WHERE ns = ? AND k = ?", (namespace, key)).fetchone()
        return row[0] if row else None

    def get_many(self, namespace, keys):
        keys = list(keys)
        held = {}
        for part in in_chunks(keys):
            held.update(self._db.execute(f"SELECT k, v FROM state WHERE ns = ? AND k IN ({marks(part)})",
                                         (namespace, *part)))
        return [held.get(key) for key in keys]

    def put(self, namespace, key, value):
        with self._lock, self._transaction():
            self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", (namespace, key, value))

    def bucket_add(self, namespace, entries):
        with self._lock, self._transaction():
            answers = []
            for bucket, member in entries:
                rows = self._db.execute("SELECT m FROM buckets WHERE ns = ? AND b = ? AND m != ?",
                                        (namespace, bucket, member)).fetchall()
                answers.append([bytes(m) for m, in rows])
                self._db.execute("INSERT OR IGNORE INTO buckets VALUES (?, ?, ?)", (namespace, bucket, member))
            return answers

    def put_many(self, namespace, pairs):
        with self._lock, self._transaction():
            self._db.executemany("INSERT OR IGNORE INTO state VALUES (?, ?, ?)",
                                 ((namespace, key, value) for key, value in pairs))

    def bucket_put(self, namespace, entries):
        with self._lock, self._transaction():
            self._db.executemany("INSERT OR IGNORE INTO buckets VALUES (?, ?, ?)",
                                 ((namespace, bucket, member) for bucket, member in entries))

    def bucket_get(self, namespace, buckets):
        buckets = list(buckets)
        held: dict[int, list[bytes]] = {}
        for part in in_chunks(sorted(set(buckets))):
            for bucket, member in self._db.execute(
                    f"SELECT b, m FROM buckets WHERE ns = ? AND b IN ({marks(part)}) ORDER BY b, m", (namespace, *part)):
                held.setdefault(bucket, []).append(bytes(member))
        return [list(held.get(bucket, ())) for bucket in buckets]

    @contextmanager
    def _transaction(self):
        """BEGIN IMMEDIATE ... COMMIT: the batch is atomic, also against another process on the file.
        Inside `batch()` it joins the open transaction."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def batch(self):
        with self._lock, self._transaction():
            yield

    def clear(self, namespace):
        with self._lock:
            self._db.execute("DELETE FROM state WHERE ns = ?", (namespace,))
            self._db.execute("DELETE FROM buckets WHERE ns = ?", (namespace,))

    def close(self):
        self._db.close()


# Namespaces our components use; INCREMENTAL_RESET clears them all.
SEEN = "seen"              # URLs already emitted as articles (incremental mode)
DUP_DOCS = "dup-docs"      # SimHash (hex) -> "<4 hex digits of the exact key><first URL>"
DUP_NEAR = "dup-bands"     # SimHash block (bucket) -> members: SimHashes (8 bytes)
DUP_LINES = "dup-paras"    # paragraph key -> "<sketch size><SimHash in base64>"
DUP_OF = "dup-of"          # URL of a rejected copy -> URL of the article kept
SITE_TEMPLATES = "site-templates"  # site-template:<site>:<what> -> samples, learned profile (crawler.site_templates)
# Namespaces of the layout before compact state: cleared with the others, never read.
_OLD_NAMESPACES = ("dup-exact", "dup-near", "dup-lines")
NAMESPACES = (SEEN, DUP_DOCS, DUP_NEAR, DUP_LINES, DUP_OF, SITE_TEMPLATES, *_OLD_NAMESPACES)


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

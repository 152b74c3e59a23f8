"""StateStore on Redis, so every worker of a distributed crawl shares one duplicate filter and one
incremental state (STATE_BACKEND = "crawler.redis_state.RedisStore").

One Redis string per key, `<spider>:state:<namespace>:<key>`: `SET ... NX` is atomic on the server,
so when two workers race on the same key exactly one of them sees it as new.
"""
from __future__ import annotations

import redis

from .state import StateStore

KEY_PREFIX = "%(name)s:state"


def redis_uri(settings) -> str:
    """STATE_URI when it names a Redis server (it may be an SQLite path left from another mode),
    else the scrapy-redis REDIS_URL."""
    uri = settings.get("STATE_URI") or ""
    if uri.split("://", 1)[0] in ("redis", "rediss", "unix"):
        return uri
    return settings.get("REDIS_URL") or "redis://localhost:6379/0"


class RedisStore(StateStore):
    def __init__(self, server: redis.Redis, prefix: str):
        self.server = server
        self.prefix = prefix

    @classmethod
    def from_settings(cls, settings, spider_name):
        server = redis.Redis.from_url(redis_uri(settings), decode_responses=True)
        prefix = (settings.get("STATE_KEY_PREFIX") or KEY_PREFIX) % {"name": spider_name}
        return cls(server, prefix)

    def _key(self, namespace: str, key: str) -> str:
        return f"{self.prefix}:{namespace}:{key}"

    def add(self, namespace, key, value):
        name = self._key(namespace, key)
        if self.server.set(name, value, nx=True):
            return None
        # Lost the race (or seen before): the first value never changes, so a plain GET is safe.
        return self.server.get(name)

    def get(self, namespace, key):
        return self.server.get(self._key(namespace, key))

    def clear(self, namespace):
        self._delete_matching(_glob_escape(self._key(namespace, "")) + "*")

    def clear_all(self) -> None:
        """Every namespace of this spider (`seed --reset-state`)."""
        self._delete_matching(_glob_escape(self.prefix) + ":*")

    def _delete_matching(self, pattern: str) -> None:
        batch = []
        for name in self.server.scan_iter(match=pattern, count=1000):
            batch.append(name)
            if len(batch) >= 1000:
                self.server.delete(*batch)
                batch.clear()
        if batch:
            self.server.delete(*batch)

    def close(self):
        self.server.close()


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)

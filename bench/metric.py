"""Fallback for when ../shared/datasets/score.py is missing (fixtures-only runs): the same metric.

4-token shingles where every CJK character is one token; F1 of mean precision and mean recall.
"""
import re
from collections import Counter

CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN = re.compile(rf"[{CJK}]|[^\W{CJK}]+")


def shingles(text, n=4):
    t = TOKEN.findall((text or "").lower())
    if len(t) < n:
        return Counter([tuple(t)]) if t else Counter()
    return Counter(tuple(t[i:i + n]) for i in range(len(t) - n + 1))


def prf(pred, truth):
    p, g = shingles(pred), shingles(truth)
    if not p and not g:
        return 1.0, 1.0, 1.0
    if not p or not g:
        return (0.0 if p else 1.0), (0.0 if g else 1.0), 0.0
    tp = sum((p & g).values())
    P, R = tp / sum(p.values()), tp / sum(g.values())
    return P, R, (2 * P * R / (P + R) if P + R else 0.0)


def summary(rows):
    n = len(rows)
    mp = sum(r[0] for r in rows) / n
    mr = sum(r[1] for r in rows) / n
    return {"n": n, "P": mp, "R": mr, "F1_of_means": 2 * mp * mr / (mp + mr) if mp + mr else 0,
            "mean_F1": sum(r[2] for r in rows) / n}

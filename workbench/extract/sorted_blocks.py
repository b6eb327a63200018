"""A sorted collection that stays cheap to insert into at any position.

The extractor asks "what is the last entry before this offset?" and "which entries fall in
this range?" while entries keep arriving out of order (statements by priority, mentions as
speakers are resolved). A plain sorted list answers by bisection but shifts everything after
each insertion point, and rescanning an unsorted list costs as much per question: on a long
document (ingest accepts 50 MiB) either is quadratic. Here the keys live in short sorted
blocks, so an insertion shifts one block and a lookup is two bisections.
"""
from bisect import bisect_left, bisect_right

# Block size: an insertion moves at most twice this many references, a lookup bisects a
# list of len/_LOAD block ends. A few hundred keeps both small for millions of entries.
_LOAD = 256


class SortedBlocks:
    """Keys in sorted order, each with a value; equal keys are kept in insertion order."""

    def __init__(self) -> None:
        self._keys: list[list] = []        # non-empty sorted blocks, in order
        self._values: list[list] = []      # the values, parallel to _keys
        self._last_keys: list = []         # last key of each block, for choosing a block

    def __len__(self) -> int:
        return sum(len(block) for block in self._keys)

    def add(self, key, value=None) -> None:
        if not self._keys:
            self._keys.append([key])
            self._values.append([value])
            self._last_keys.append(key)
            return
        # The first block whose last key is greater; past every block, the last one.
        b = min(bisect_right(self._last_keys, key), len(self._keys) - 1)
        keys, values = self._keys[b], self._values[b]
        i = bisect_right(keys, key)
        keys.insert(i, key)
        values.insert(i, value)
        self._last_keys[b] = keys[-1]
        if len(keys) > 2 * _LOAD:
            self._keys[b:b + 1] = [keys[:_LOAD], keys[_LOAD:]]
            self._values[b:b + 1] = [values[:_LOAD], values[_LOAD:]]
            self._last_keys[b:b + 1] = [keys[_LOAD - 1], keys[-1]]

    def last_below(self, key) -> tuple | None:
        """(key, value) of the greatest key strictly below key, or None."""
        b = bisect_left(self._last_keys, key)       # first block that reaches key
        if b < len(self._keys):
            i = bisect_left(self._keys[b], key)
            if i:
                return self._keys[b][i - 1], self._values[b][i - 1]
        if b == 0:
            return None
        return self._keys[b - 1][-1], self._values[b - 1][-1]

    def values(self):
        """All values, in key order."""
        for values in self._values:
            yield from values

    def irange(self, lo, hi):
        """(key, value) pairs with lo <= key < hi, in order. Do not add while iterating."""
        b = bisect_left(self._last_keys, lo)
        i = bisect_left(self._keys[b], lo) if b < len(self._keys) else 0
        while b < len(self._keys):
            keys, values = self._keys[b], self._values[b]
            while i < len(keys):
                if not keys[i] < hi:
                    return
                yield keys[i], values[i]
                i += 1
            b, i = b + 1, 0

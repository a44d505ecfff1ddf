"""``python -m bench.markup``: how Slack markup conversion scales with the text's size.

``bot.markup`` reads a message once, left to right; this prints the time per
conversion and per kilobyte for ordinary and hostile texts of growing size, so a
linear cost shows as a flat per-kilobyte figure. Times are the best of five runs on
this process's core; nothing is asserted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot import markup

SIZES = (10_000, 100_000, 1_000_000)
SHAPES: dict[str, Callable[[int], str]] = {
    "ordinary": lambda n: ("see <https://x.example/a?b=1&amp;c=2|the doc> and ask <@U0BETH> "
                           "in <#C0SUPPORT|it-support> &lt;3 ")
    * (n // 80),
    "only <": lambda n: "<" * n,
    "<< then >": lambda n: "<" * (n // 2) + ">" * (n // 2),
    "<a alternating": lambda n: "<a" * (n // 2),
    "nested <<x>>": lambda n: "<<x>>" * (n // 5),
}


def best_of(runs: int, text: str) -> float:
    """The fastest of ``runs`` conversions of ``text``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        markup.plain(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    """Print one line per shape and size."""
    print(f"{'shape':<16}{'chars':>10}{'ms':>10}{'µs/KB':>10}")
    for name, make in SHAPES.items():
        for size in SIZES:
            text = make(size)
            seconds = best_of(5, text)
            per_kb = seconds * 1e6 / (len(text) / 1000) if text else 0.0
            print(f"{name:<16}{len(text):>10}{seconds * 1000:>10.2f}{per_kb:>10.1f}")


if __name__ == "__main__":
    main()

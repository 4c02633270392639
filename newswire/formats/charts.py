"""The reports' charts, drawn on the server with matplotlib as SVG: the same picture in the page
(no JavaScript), on a phone (it scales to the width it is given) and in the PDF. Text stays text
(``svg.fonttype: none``), so it is crisp at any size and a PDF's text extraction finds it."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: files only

from matplotlib.figure import Figure

# Colour-blind-safe (Okabe–Ito), and told apart by line style and marker too: readable in print.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D")
_RC = {"svg.fonttype": "none", "font.size": 11, "axes.spines.top": False, "axes.spines.right": False}


def _svg(fig: Figure, title: str) -> str:
    out = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Title": title, "Date": None})
    svg = out.getvalue()
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg[svg.index("<svg"):], flags=re.DOTALL)  # inside HTML
    svg = _own_ids(svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" preserveAspectRatio="xMinYMin meet" ', 1)


def _own_ids(svg: str) -> str:
    """matplotlib numbers its ids the same in every figure ("figure_1", "patch_2"): two charts inline
    in one page would share them (invalid HTML, and a reference could hit the other chart), so each
    chart's ids get a prefix of its own, taken from its content."""
    prefix = "c" + hashlib.sha1(svg.encode()).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def timeline(series: dict[str, Sequence[Sequence[float]]], *, title: str, x_label: str, y_label: str,
             names: dict[str, str]) -> str:
    """Cumulative deliveries per channel against seconds after the release second: a step line each."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7, 3.2))
        ax = fig.add_subplot()
        for i, (key, points) in enumerate((k, v) for k, v in series.items() if v):
            xs, ys = [0.0] + [p[0] for p in points], [0] + [p[1] for p in points]
            ax.step(xs, ys, where="post", color=COLOURS[i % 6], linestyle=STYLES[i % 4], linewidth=2,
                    label=f"{names.get(key, key)} ({ys[-1]})")
            ax.plot(xs[-1:], ys[-1:], MARKERS[i % 4], color=COLOURS[i % 6])
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        ax.set_title(title, loc="left")
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(frameon=False, loc="lower right")
        return _svg(fig, title)


def bars(categories: Sequence[str], series: dict[str, Sequence[int]], *, title: str, y_label: str) -> str:
    """Grouped bars: one group per category (e.g. a month), one bar per series (e.g. a channel)."""
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7, 3.2))
        ax = fig.add_subplot()
        n = max(1, len(series))
        width = 0.8 / n
        for i, (name, values) in enumerate(series.items()):
            xs = [c + (i - (n - 1) / 2) * width for c in range(len(categories))]
            ax.bar(xs, values, width, label=name, color=COLOURS[i % 6], hatch=("", "//", "..", "xx")[i % 4],
                   edgecolor="#222", linewidth=0.5)
            for x, v in zip(xs, values):
                ax.annotate(str(v), (x, v), ha="center", va="bottom", fontsize=9)
        ax.set_xticks(range(len(categories)), list(categories))
        ax.set_ylabel(y_label)
        ax.set_title(title, loc="left")
        if series:
            ax.legend(frameon=False)
        return _svg(fig, title)

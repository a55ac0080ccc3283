#!/usr/bin/env python3
"""Renders a terminal capture (`tmux capture-pane -e -p`: text with SGR
colour escapes) as an HTML page of fixed-width cells, for a headless
browser to screenshot. Only what tmux emits is handled: SGR 0, 1, 2, 3, 4,
7, 22-27, 30-37, 39, 40-47, 49, 90-97, 100-107, 38/48;5;N and 38/48;2;R;G;B.

    ansi2html.py CAPTURE > page.html
"""

import html
import re
import sys

FG, BG = "#d4d4d4", "#1e1e1e"
BASIC = [
    "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
    "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
]


def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


class Style:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASIC[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASIC[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASIC[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASIC[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    color = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    color = "#%02x%02x%02x" % tuple(codes[i + 2 : i + 5])
                    i += 4
                else:
                    color = None
                if c == 38:
                    self.fg = color
                else:
                    self.bg = color
            i += 1

    def css(self):
        fg, bg = self.fg or FG, self.bg or BG
        if self.reverse:
            fg, bg = bg, fg
        parts = [f"color:{fg}", f"background:{bg}"]
        if self.bold:
            parts.append("font-weight:bold")
        if self.dim:
            parts.append("opacity:0.7")
        if self.italic:
            parts.append("font-style:italic")
        if self.underline:
            parts.append("text-decoration:underline")
        return ";".join(parts)


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def plain_params(params):
    """SGR parameters without colon sub-parameters (`4:3`, curly underline,
    is underline; `4:0` is none; other colon forms, such as an underline
    colour, are dropped)."""
    out = []
    for token in params.split(";"):
        if ":" not in token:
            out.append(token)
        elif token.startswith("4:"):
            out.append("24" if token == "4:0" else "4")
    return ";".join(out)


def render(text):
    global BG
    # The page takes the colour most cells have (the editor's background),
    # so that the area past the end of each line matches.
    counts = {}
    probe = Style()
    for raw in text.split("\n"):
        pos = 0
        for m in SGR.finditer(raw + "\x1b[m"):
            if probe.bg and m.start() > pos:
                counts[probe.bg] = counts.get(probe.bg, 0) + m.start() - pos
            probe.apply(plain_params(m.group(1)))
            pos = m.end()
    if counts:
        BG = max(counts, key=counts.get)
    style = Style()
    lines = []
    for raw in text.rstrip("\n").split("\n"):
        out = []
        pos = 0
        for m in SGR.finditer(raw):
            if m.start() > pos:
                out.append(f'<span style="{style.css()}">{html.escape(raw[pos:m.start()])}</span>')
            style.apply(plain_params(m.group(1)))
            pos = m.end()
        if pos < len(raw):
            out.append(f'<span style="{style.css()}">{html.escape(raw[pos:])}</span>')
        lines.append("".join(out))
    body = "\n".join(lines)
    return (
        "<!doctype html><meta charset=utf-8><style>"
        f"html,body{{margin:0;background:{BG}}}"
        "pre{margin:0;padding:8px;font:15px/1.25 'DejaVu Sans Mono',monospace;white-space:pre}"
        "</style><pre>" + body + "</pre>"
    )


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        sys.stdout.write(render(f.read()))

"""The map of programmes: who shares themes, funders and people, drawn as server-side SVG.

Links: two programmes are linked when they share a theme, a funder or a person (a member with
a confirmed role on both). Each programme is coloured by its *main theme*: of its themes, the
one most programmes on the map share. Layout: programmes start in clusters by main theme
(sectors of a circle, a sunflower spiral inside each), then a force-directed pass
(Fruchterman–Reingold, with repulsion only between neighbours in a grid, so a step costs about
O(nodes + links)) pulls linked programmes together. Plain Python, deterministic, no JavaScript.

The SVG, the matrix and the table rows are built here as strings (escaped), because a template
loop over 500 programmes × 20 themes would cost more than the whole layout.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from itertools import combinations

from programmes.similarity import Facts

# Colour-blind-safe colours (Okabe–Ito and Tol), each with ≥ 3:1 contrast on white.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#B07A00",
    "#882255",
    "#8B4513",
    "#6A3D9A",
    "#A0522D",
    "#2F4F4F",
]
OTHER_COLOUR = "#767676"
NO_THEME_COLOUR = "#FFFFFF"
MAX_LINKS = 3000
LABELS_UP_TO = 60
MATRIX_MAX_THEMES = 24
LINK_KINDS = ("people", "funder", "theme")  # a link's style shows its strongest tie


@dataclass
class Link:
    a: int
    b: int
    themes: int = 0
    funders: int = 0
    people: int = 0

    @property
    def weight(self) -> int:
        return self.themes + self.funders + self.people

    @property
    def kind(self) -> str:
        if self.people:
            return "people"
        if self.funders:
            return "funder"
        return "theme"

    def describe(self) -> str:
        parts = []
        for n, one, many in (
            (self.themes, "a theme", "themes"),
            (self.funders, "a funder", "funders"),
            (self.people, "a person", "people"),
        ):
            if n:
                parts.append(one if n == 1 else f"{n} {many}")
        return " and ".join(parts)


@dataclass
class Network:
    facts: dict[int, Facts]
    links: list[Link]
    links_total: int
    main_theme: dict[int, str | None]
    colours: dict[str, str]  # legend: theme -> colour, in legend order
    theme_counts: Counter
    positions: dict[int, tuple[float, float]] = field(default_factory=dict)
    width: int = 800
    height: int = 600

    def colour_of(self, pk: int) -> str:
        theme = self.main_theme.get(pk)
        if theme is None:
            return NO_THEME_COLOUR
        return self.colours.get(theme, OTHER_COLOUR)


def build_links(facts: dict[int, Facts]) -> list[Link]:
    """Every linked pair, via an index from each theme/funder/person to its programmes."""
    links: dict[tuple[int, int], Link] = {}
    for attr, counter in (("themes", "themes"), ("funders", "funders"), ("people", "people")):
        index: dict[int, list[int]] = defaultdict(list)
        for pk in sorted(facts):
            for key in getattr(facts[pk], attr):
                index[key].append(pk)
        for members in index.values():
            for pair in combinations(members, 2):
                link = links.get(pair)
                if link is None:
                    link = links[pair] = Link(*pair)
                setattr(link, counter, getattr(link, counter) + 1)
    return list(links.values())


def build_network(facts: dict[int, Facts]) -> Network:
    links = build_links(facts)
    total = len(links)
    if total > MAX_LINKS:
        links.sort(key=lambda link: (-link.weight, link.a, link.b))
        links = links[:MAX_LINKS]
    theme_counts = Counter(name for f in facts.values() for name in f.themes.values())
    main_theme = {
        pk: (
            min(f.themes.values(), key=lambda name: (-theme_counts[name], name))
            if f.themes
            else None
        )
        for pk, f in facts.items()
    }
    main_counts = Counter(t for t in main_theme.values() if t)
    legend = [t for t, _ in sorted(main_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    colours = {theme: PALETTE[i] for i, theme in enumerate(legend[: len(PALETTE)])}
    network = Network(
        facts=facts,
        links=links,
        links_total=total,
        main_theme=main_theme,
        colours=colours,
        theme_counts=theme_counts,
    )
    layout(network)
    return network


# --- Layout ------------------------------------------------------------------------------------


def layout(network: Network, *, spacing: float = 46.0) -> None:
    """Place every programme; fills ``positions``, ``width`` and ``height``."""
    pks = sorted(network.facts, key=lambda pk: network.facts[pk].name)
    n = len(pks)
    if n == 0:
        network.positions, network.width, network.height = {}, 400, 120
        return
    # 1. Clusters by main theme, as sectors of a circle sized to hold them all.
    clusters: dict[str | None, list[int]] = defaultdict(list)
    for pk in pks:
        clusters[network.main_theme[pk]].append(pk)
    order = sorted(clusters, key=lambda t: (-len(clusters[t]), t or "~"))
    radius = spacing * math.sqrt(n) * 0.9
    golden = math.pi * (3 - math.sqrt(5))
    pos: dict[int, list[float]] = {}
    done = 0
    for theme in order:
        members = clusters[theme]
        middle = 2 * math.pi * (done + len(members) / 2) / n
        done += len(members)
        cx = radius * 0.6 * math.cos(middle) if len(order) > 1 else 0.0
        cy = radius * 0.6 * math.sin(middle) if len(order) > 1 else 0.0
        for i, pk in enumerate(members):
            r = spacing * 0.55 * math.sqrt(i + 0.5)
            pos[pk] = [cx + r * math.cos(i * golden), cy + r * math.sin(i * golden)]
    # 2. Force-directed refinement. Fewer, cheaper steps for big maps.
    k = spacing
    iterations = 60 if n <= 100 else max(12, 6000 // n)
    temperature = spacing * 2.0
    adjacency = [(link.a, link.b) for link in network.links]
    cell = 2 * k
    for _ in range(iterations):
        disp = {pk: [0.0, 0.0] for pk in pks}
        grid: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pk in pks:
            x, y = pos[pk]
            grid[(int(x // cell), int(y // cell))].append(pk)
        for (gx, gy), here in grid.items():
            near = [
                q
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for q in grid.get((gx + dx, gy + dy), ())
            ]
            for p in here:
                px, py = pos[p]
                d = disp[p]
                for q in near:
                    if q == p:
                        continue
                    qx, qy = pos[q]
                    dx, dy = px - qx, py - qy
                    dist2 = dx * dx + dy * dy
                    if dist2 < 0.01:
                        dx, dy, dist2 = (p - q) * 0.01 + 0.1, 0.1, 0.02
                    if dist2 < cell * cell:
                        f = k * k / dist2
                        d[0] += dx * f
                        d[1] += dy * f
        for a, b in adjacency:
            ax, ay = pos[a]
            bx, by = pos[b]
            dx, dy = ax - bx, ay - by
            dist = math.hypot(dx, dy) or 0.01
            f = dist / k * 0.5  # (dist² / k) / dist, damped: many links per node
            da, db = disp[a], disp[b]
            da[0] -= dx * f
            da[1] -= dy * f
            db[0] += dx * f
            db[1] += dy * f
        for pk in pks:
            dx, dy = disp[pk]
            # A gentle pull to the centre keeps unlinked programmes on the page.
            dx -= pos[pk][0] * 0.02
            dy -= pos[pk][1] * 0.02
            length = math.hypot(dx, dy)
            if length > 0:
                scale = min(length, temperature) / length
                pos[pk][0] += dx * scale
                pos[pk][1] += dy * scale
        temperature *= 0.92
    # 3. Fit to the drawing, with room for labels.
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad = 70.0
    min_x, min_y = min(xs), min(ys)
    span_x, span_y = max(max(xs) - min_x, 1.0), max(max(ys) - min_y, 1.0)
    width = max(480.0, min(1600.0, span_x + 2 * pad))
    scale = (width - 2 * pad) / span_x
    height = max(260.0, span_y * scale + 2 * pad)
    network.positions = {
        pk: (round(pad + (x - min_x) * scale, 1), round(pad + (y - min_y) * scale, 1))
        for pk, (x, y) in pos.items()
    }
    network.width, network.height = round(width), round(height)


# --- Drawing ------------------------------------------------------------------------------------


def degree(network: Network) -> Counter:
    counts: Counter = Counter()
    for link in network.links:
        counts[link.a] += 1
        counts[link.b] += 1
    return counts


def render_svg(network: Network, *, url_prefix: str) -> str:
    """The drawing: one ``<a class="node">`` per programme, one ``<line>`` per link."""
    pos = network.positions
    n = len(network.facts)
    degrees = degree(network)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="programme-map" '
        f'viewBox="0 0 {network.width} {network.height}" role="group" '
        f'aria-labelledby="map-title" aria-describedby="map-desc">',
        f'<title id="map-title">Map of {n} programme{"s" if n != 1 else ""} and '
        f"{len(network.links)} link{'s' if len(network.links) != 1 else ''}</title>",
        '<desc id="map-desc">Each circle is a programme, coloured by its main theme; a line '
        "joins two programmes that share a theme (solid), a funder (dashed) or a person "
        "(dotted). The table after the drawing gives the same information.</desc>",
        '<g class="links">',
    ]
    for link in network.links:
        (x1, y1), (x2, y2) = pos[link.a], pos[link.b]
        out.append(
            f'<line class="link link-{link.kind}" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
            f'stroke-width="{min(1 + link.weight * 0.5, 4)}"/>'
        )
    out.append('</g><g class="nodes">')
    show_labels = n <= LABELS_UP_TO
    for pk in sorted(network.facts, key=lambda pk: network.facts[pk].name):
        f = network.facts[pk]
        x, y = pos[pk]
        r = round(min(5 + 1.5 * math.sqrt(degrees[pk]), 15), 1)
        theme = network.main_theme[pk]
        name = escape(f.name)
        about = (
            f"{f.name}: "
            + (f"main theme {theme}" if theme else "no theme")
            + f", {degrees[pk]} link{'s' if degrees[pk] != 1 else ''}"
        )
        out.append(
            f'<a class="node" href="{escape(url_prefix + f.slug)}/" '
            f'data-programme="{escape(f.slug)}" aria-label="{escape(about)}">'
            f"<title>{escape(about)}</title>"
            f'<circle cx="{x}" cy="{y}" r="{r}" fill="{network.colour_of(pk)}"/>'
        )
        if show_labels:
            out.append(f'<text x="{x}" y="{round(y + r + 13, 1)}">{name}</text>')
        out.append("</a>")
    out.append("</g></svg>")
    return "".join(out)


def legend(network: Network) -> list[dict]:
    counts = Counter(network.main_theme.values())
    items = [
        {"label": theme, "colour": colour, "count": counts[theme]}
        for theme, colour in network.colours.items()
    ]
    others = sum(c for t, c in counts.items() if t is not None and t not in network.colours)
    if others:
        items.append({"label": "other themes", "colour": OTHER_COLOUR, "count": others})
    if counts.get(None):
        items.append({"label": "no theme yet", "colour": NO_THEME_COLOUR, "count": counts[None]})
    return items


def matrix(network: Network) -> dict:
    """Programmes × themes: which programme works on which of the most shared themes."""
    themes = [
        t
        for t, _ in sorted(network.theme_counts.items(), key=lambda kv: (-kv[1], kv[0]))[
            :MATRIX_MAX_THEMES
        ]
    ]
    head = "".join(f'<th scope="col"><span>{escape(t)}</span></th>' for t in themes)
    rows = []
    for pk in sorted(network.facts, key=lambda pk: network.facts[pk].name):
        f = network.facts[pk]
        mine = set(f.themes.values())
        cells = "".join(
            '<td class="yes">●<span class="visually-hidden"> yes</span></td>'
            if t in mine
            else '<td><span class="visually-hidden">no</span></td>'
            for t in themes
        )
        rows.append(f'<tr><th scope="row">{escape(f.name)}</th>{cells}</tr>')
    totals = "".join(f"<td>{network.theme_counts[t]}</td>" for t in themes)
    return {
        "themes": themes,
        "more": max(0, len(network.theme_counts) - len(themes)),
        "head_html": head,
        "rows_html": "".join(rows),
        "totals_html": totals,
    }


def table_rows(network: Network, *, url_prefix: str) -> str:
    """The accessible equivalent of the drawing: each programme, its theme, and its links."""
    neighbours: dict[int, list[tuple[int, Link]]] = defaultdict(list)
    for link in network.links:
        neighbours[link.a].append((link.b, link))
        neighbours[link.b].append((link.a, link))
    out = []
    facts = network.facts
    for pk in sorted(facts, key=lambda pk: facts[pk].name):
        f = facts[pk]
        theme = network.main_theme[pk]
        linked = sorted(neighbours[pk], key=lambda item: (-item[1].weight, facts[item[0]].name))
        if linked:
            items = "".join(
                f'<li><a href="{escape(url_prefix + facts[o].slug)}/">'
                f"{escape(facts[o].name)}</a> ({escape(link.describe())})</li>"
                for o, link in linked[:12]
            )
            more = len(linked) - 12
            if more > 0:
                items += f"<li>and {more} more</li>"
            links_html = f'<ul class="compact">{items}</ul>'
        else:
            links_html = '<span class="muted">none: no shared theme, funder or person</span>'
        out.append(
            f'<tr><th scope="row"><a href="{escape(url_prefix + f.slug)}/">{escape(f.name)}</a>'
            f"</th><td>{escape(theme or 'none')}</td>"
            f"<td>{escape(', '.join(sorted(f.funders.values())) or '–')}</td>"
            f"<td>{len(linked)}</td><td>{links_html}</td></tr>"
        )
    return "".join(out)


def gaps(network: Network) -> dict:
    """Where are the gaps: themes only one programme covers, programmes with no links."""
    linked = set()
    for link in network.links:
        linked.update((link.a, link.b))
    return {
        "lonely_themes": sorted(t for t, c in network.theme_counts.items() if c == 1),
        "unlinked": sorted(
            (network.facts[pk] for pk in network.facts if pk not in linked),
            key=lambda f: f.name,
        ),
    }

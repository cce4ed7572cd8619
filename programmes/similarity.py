"""How alike two programmes are, and why: shared themes, funders, regions and wording.

Score = 3 per shared theme + 2 per shared funder + 1 per shared region + 5 × text similarity
(0–1) of their summaries and descriptions. Text similarity is PostgreSQL's ``pg_trgm``
trigram similarity on ``match_text`` (served by a GIN trigram index); on other databases it is
the overlap (Jaccard index) of their sets of content words, computed in Python.

Every function here reads with a fixed number of queries, whatever the number of programmes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db import connection, transaction
from django.db.models import FloatField, Q, QuerySet
from django.db.models.functions import Cast

from programmes.models import Programme, ProgrammeRole, ProgrammeTheme

THEME_POINTS = 3.0
FUNDER_POINTS = 2.0
REGION_POINTS = 1.0
TEXT_POINTS = 5.0
# Text similarity worth naming as a reason ("their descriptions are 45% alike"), and the least
# that counts at all (below it, ordinary shared words would add noise).
TEXT_REASON_MIN = {"postgresql": 0.3, "other": 0.2}
TEXT_COUNT_MIN = {"postgresql": 0.15, "other": 0.08}

STOP_WORDS = frozenset(
    """a about after all also an and any are as at be been but by can for from has have how in
    into is it its local more most national new not of on or our out over people programme
    programmes so such that the their them they this to up use uses using was we were what when
    where which who will with work works""".split()
)


def _backend() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "other"


def text_count_min() -> float:
    return TEXT_COUNT_MIN[_backend()]


def text_reason_min() -> float:
    return TEXT_REASON_MIN[_backend()]


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"\w+", text.lower()) if w not in STOP_WORDS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class Facts:
    """What similarity and the map need to know about one programme."""

    pk: int
    name: str = ""
    slug: str = ""
    themes: dict[int, str] = field(default_factory=dict)  # tag id -> name
    funders: dict[int, str] = field(default_factory=dict)  # organisation id -> name
    regions: dict[int, str] = field(default_factory=dict)  # region id -> name
    people: set[int] = field(default_factory=set)  # member ids with a confirmed role


@dataclass
class Match:
    """Why two programmes are alike."""

    other: Facts
    themes: list[str]
    funders: list[str]
    regions: list[str]
    text: float  # 0..1

    @property
    def score(self) -> float:
        text = self.text if self.text >= text_count_min() else 0.0
        return (
            THEME_POINTS * len(self.themes)
            + FUNDER_POINTS * len(self.funders)
            + REGION_POINTS * len(self.regions)
            + TEXT_POINTS * text
        )

    @property
    def text_percent(self) -> int:
        return round(self.text * 100)

    def reason(self, *, with_name: str | None = None) -> str:
        """e.g. "Shares 3 themes (a, b, c) and a funder (DCLG) with Local 2.0"."""
        parts = []
        for items, one, many in (
            (self.themes, "a theme", "themes"),
            (self.funders, "a funder", "funders"),
            (self.regions, "a region", "regions"),
        ):
            if items:
                label = one if len(items) == 1 else f"{len(items)} {many}"
                parts.append(f"{label} ({', '.join(sorted(items))})")
        text = ""
        if self.text >= text_reason_min():
            text = f"descriptions {self.text_percent}% alike"
        if not parts:
            sentence = f"Described in similar words: {text}" if text else "Little in common"
            return sentence + (f" with {with_name}" if with_name and text else "")
        joined = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        sentence = f"Shares {joined}" + (f" with {with_name}" if with_name else "")
        return sentence + (f"; {text}" if text else "")


def load_facts(programmes: QuerySet[Programme], *, people: bool = False) -> dict[int, Facts]:
    """Facts for every programme in ``programmes``: 4 queries (5 with people)."""
    facts = {
        pk: Facts(pk=pk, name=name, slug=slug)
        for pk, name, slug in programmes.order_by("name").values_list("pk", "name", "slug")
    }
    ids = programmes.values("pk")
    for pid, tid, name in ProgrammeTheme.objects.filter(content_object__in=ids).values_list(
        "content_object_id", "tag_id", "tag__name"
    ):
        facts[pid].themes[tid] = name
    funders = Programme.funders.through.objects.filter(programme__in=ids)
    for pid, oid, name in funders.values_list(
        "programme_id", "organisation_id", "organisation__name"
    ):
        facts[pid].funders[oid] = name
    regions = Programme.regions.through.objects.filter(programme__in=ids)
    for pid, rid, name in regions.values_list("programme_id", "region_id", "region__name"):
        facts[pid].regions[rid] = name
    if people:
        for pid, mid in ProgrammeRole.objects.filter(
            programme__in=ids, confirmed_at__isnull=False
        ).values_list("programme_id", "member_id"):
            facts[pid].people.add(mid)
    return facts


def facts_of(programme: Programme) -> Facts:
    """Facts from a programme whose themes, funders and regions are prefetched (no query)."""
    return Facts(
        pk=programme.pk,
        name=programme.name,
        slug=programme.slug,
        themes={t.pk: t.name for t in programme.themes.all()},
        funders={o.pk: o.name for o in programme.funders.all()},
        regions={r.pk: r.name for r in programme.regions.all()},
    )


def match(a: Facts, b: Facts, text: float = 0.0) -> Match:
    return Match(
        other=b,
        themes=[a.themes[k] for k in a.themes.keys() & b.themes.keys()],
        funders=[a.funders[k] for k in a.funders.keys() & b.funders.keys()],
        regions=[a.regions[k] for k in a.regions.keys() & b.regions.keys()],
        text=text,
    )


# --- Text similarity -----------------------------------------------------------------------------


def text_similarity_to(programme: Programme, candidates: QuerySet[Programme]) -> dict[int, float]:
    """Text similarity of ``programme`` to each candidate worth counting: one query."""
    floor = text_count_min()
    if not programme.match_text:
        return {}
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        rows = (
            candidates.exclude(pk=programme.pk)
            .annotate(sim=Cast(TrigramSimilarity("match_text", programme.match_text), FloatField()))
            .filter(sim__gte=floor)
            .values_list("pk", "sim")
        )
        return dict(rows)
    mine = content_words(programme.match_text)
    result = {}
    for pk, text in candidates.exclude(pk=programme.pk).values_list("pk", "match_text"):
        sim = jaccard(mine, content_words(text))
        if sim >= floor:
            result[pk] = sim
    return result


def text_similarity_pairs(programmes: QuerySet[Programme]) -> dict[tuple[int, int], float]:
    """Every pair (low id first) whose text similarity counts: one query.

    PostgreSQL joins the table to itself on ``match_text % match_text`` (the trigram operator,
    answered by the GIN index) with the threshold set for this transaction only.
    """
    floor = text_count_min()
    if connection.vendor == "postgresql":
        ids = [pk for pk in programmes.values_list("pk", flat=True)]
        if len(ids) < 2:
            return {}
        table = Programme._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            # For this transaction only: the threshold the % operator (and its index) uses.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(floor)]
            )
            cursor.execute(
                f"""
                SELECT a.id, b.id, similarity(a.match_text, b.match_text)
                FROM {table} a JOIN {table} b
                  ON a.id < b.id AND a.match_text %% b.match_text
                WHERE a.id = ANY(%s) AND b.id = ANY(%s)
                """,  # noqa: S608 -- the table name is ours; values are parameters
                [ids, ids],
            )
            return {(a, b): float(sim) for a, b, sim in cursor.fetchall()}
    words = {pk: content_words(text) for pk, text in programmes.values_list("pk", "match_text")}
    pairs = {}
    for (a, wa), (b, wb) in combinations(sorted(words.items()), 2):
        sim = jaccard(wa, wb)
        if sim >= floor:
            pairs[(a, b)] = sim
    return pairs


# --- Similar programmes and the overlap report --------------------------------------------------


def similar_to(programme: Programme, listed: QuerySet[Programme], *, limit: int = 5) -> list[Match]:
    """The programmes most like ``programme``, best first, each with its reasons.

    ``programme`` should come with its themes, funders and regions prefetched (as the page's
    selector does); then this costs 5 queries: the text similarities, then the facts of the
    programmes that share anything with it.
    """
    others = listed.exclude(pk=programme.pk)
    me = facts_of(programme)
    texts = text_similarity_to(programme, others)
    # Only programmes sharing something are candidates: narrow the link queries to those.
    sharing = others.filter(
        Q(theme_links__tag_id__in=list(me.themes))
        | Q(funders__in=list(me.funders))
        | Q(regions__in=list(me.regions))
        | Q(pk__in=list(texts))
    ).values("pk")
    candidates = load_facts(listed.filter(pk__in=sharing))
    matches = [match(me, other, texts.get(pk, 0.0)) for pk, other in candidates.items()]
    matches = [m for m in matches if m.score > 0]
    matches.sort(key=lambda m: (-m.score, m.other.name))
    return matches[:limit]


@dataclass
class Overlap:
    a: Facts
    b: Facts
    match: Match

    @property
    def score(self) -> float:
        return self.match.score


def overlaps(listed: QuerySet[Programme], *, threshold: float) -> list[Overlap]:
    """Pairs of programmes whose score reaches ``threshold``, most similar first."""
    facts = load_facts(listed)
    texts = text_similarity_pairs(listed)
    pairs: set[tuple[int, int]] = set(texts)
    for attr in ("themes", "funders", "regions"):
        index: dict[int, list[int]] = defaultdict(list)
        for pk, f in facts.items():
            for key in getattr(f, attr):
                index[key].append(pk)
        for members in index.values():
            pairs.update(combinations(sorted(members), 2))
    result = []
    for a, b in pairs:
        m = match(facts[a], facts[b], texts.get((a, b), 0.0))
        if m.score >= threshold:
            result.append(Overlap(a=facts[a], b=facts[b], match=m))
    result.sort(key=lambda o: (-o.score, o.a.name, o.b.name))
    return result

"""Similar programmes and the overlap report: ranking and reasons with known data.

These run on whichever database the suite uses (SQLite by default, PostgreSQL with
DATABASE_URL); the PostgreSQL-only tests below check that pg_trgm does the text part there.
"""

import pytest
from django.db import connection

from programmes import selectors, similarity
from tests.members.factories import UserFactory
from tests.programmes.factories import make_org, make_programme

pytestmark = pytest.mark.django_db

TEXT = "Volunteers film neighbourhood stories and publish them on community channels"


@pytest.fixture
def known():
    funder, other_funder = make_org("Big Funder"), make_org("Small Funder")
    a = make_programme(
        "Alpha",
        summary=TEXT,
        funders=[funder],
        themes=["t one", "t two", "t three"],
        geography="regional",
        region_names=["North"],
    )
    b = make_programme(
        "Bravo",
        summary="Councils open spending ledgers",
        funders=[funder],
        themes=["t one", "t two", "t three", "t four"],
    )
    c = make_programme(
        "Charlie",
        summary="Gardeners swap seeds",
        funders=[other_funder],
        themes=["t one"],
        geography="local",
        region_names=["North"],
    )
    d = make_programme("Delta", summary=TEXT)  # nothing shared but the very same words
    e = make_programme("Echo", summary="Pensioners learn tablets", themes=["t five"])
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_similar_programmes_are_ranked_by_what_they_share_with_reasons(known):
    matches = similarity.similar_to(known["a"], selectors.listed_programmes())
    assert [m.other.name for m in matches] == ["Bravo", "Delta", "Charlie"]
    bravo, delta, charlie = matches
    assert bravo.score == pytest.approx(3 * 3 + 2)
    assert bravo.reason() == "Shares 3 themes (t one, t three, t two) and a funder (Big Funder)"
    assert bravo.reason(with_name="Alpha").endswith("with Alpha")
    assert delta.text == pytest.approx(1.0)
    assert delta.reason() == "Described in similar words: descriptions 100% alike"
    assert charlie.score == pytest.approx(3 + 1)
    assert charlie.reason() == "Shares a theme (t one) and a region (North)"
    # Echo shares nothing and reads differently: not similar at all.
    assert "Echo" not in [m.other.name for m in matches]


def test_a_programme_sharing_nothing_has_no_similar_programmes(known):
    assert similarity.similar_to(known["e"], selectors.listed_programmes()) == []


def test_suggestions_waiting_for_approval_are_never_similar(known):
    from programmes import services

    services.programme_suggest(
        suggested_by=UserFactory(), name="Pending Twin", summary=TEXT, themes=["t one"]
    )
    names = [m.other.name for m in similarity.similar_to(known["a"], selectors.listed_programmes())]
    assert "Pending Twin" not in names


def test_overlap_report_lists_pairs_over_the_threshold_most_similar_first(known):
    pairs = similarity.overlaps(selectors.listed_programmes(), threshold=4)
    assert [(o.a.name, o.b.name) for o in pairs] == [
        ("Alpha", "Bravo"),
        ("Alpha", "Delta"),
        ("Alpha", "Charlie"),
    ]
    top = pairs[0]
    assert top.score == pytest.approx(11)
    assert top.match.reason() == "Shares 3 themes (t one, t three, t two) and a funder (Big Funder)"
    low = similarity.overlaps(selectors.listed_programmes(), threshold=3)
    assert {(o.a.name, o.b.name) for o in low} >= {("Bravo", "Charlie")}
    assert similarity.overlaps(selectors.listed_programmes(), threshold=50) == []


def test_overlap_page_is_for_organisers_and_staff(client, known):
    from programmes import services

    member = UserFactory()
    client.force_login(member)
    response = client.get("/programmes/overlaps/")
    assert response.status_code == 403
    services.programme_role_add(programme=known["a"], member=member, role="Lead", is_organiser=True)
    response = client.get("/programmes/overlaps/?min_score=10")
    text = response.content.decode()
    assert response.status_code == 200
    assert "1 pair score 10 or more" in " ".join(text.split())
    assert "Shares 3 themes (t one, t three, t two) and a funder (Big Funder)" in text
    bad = client.get("/programmes/overlaps/?min_score=banana")
    assert bad.status_code == 200 and "Choose one of the listed scores" in bad.content.decode()
    client.logout()
    assert client.get("/programmes/overlaps/").status_code == 302


def test_word_overlap_fallback_ignores_common_words():
    same = similarity.content_words("The programme helps local people with websites")
    assert "the" not in same and "websites" in same
    assert similarity.jaccard(same, similarity.content_words("websites helps people")) == 1.0
    assert similarity.jaccard(same, frozenset()) == 0.0


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite fallback")
def test_sqlite_uses_the_word_overlap_fallback(known):
    scores = similarity.text_similarity_to(known["a"], selectors.listed_programmes())
    assert scores == {known["d"].pk: pytest.approx(1.0)}


@pytest.mark.postgres
def test_postgres_uses_trigram_similarity_from_pg_trgm(known):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'programme_match_text_trgm'"
        )
        assert "gin_trgm_ops" in cursor.fetchone()[0]
    near = make_programme(
        "Foxtrot", summary="Volunteers film neighbourhood stories and publish them online"
    )
    scores = similarity.text_similarity_to(known["a"], selectors.listed_programmes())
    # Trigrams see near-identical wording as very alike, not only identical word sets.
    assert scores[known["d"].pk] == pytest.approx(1.0)
    assert 0.6 < scores[near.pk] < 1.0
    pairs = similarity.text_similarity_pairs(selectors.listed_programmes())
    assert pairs[(known["a"].pk, known["d"].pk)] == pytest.approx(1.0)
    assert (known["a"].pk, known["e"].pk) not in pairs
    ranked = similarity.similar_to(known["a"], selectors.listed_programmes())
    assert [m.other.name for m in ranked][:2] == ["Bravo", "Delta"]
    assert "Foxtrot" in [m.other.name for m in ranked]

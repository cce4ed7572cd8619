"""The bad-input crawler (issue 8): every URL and every form, as anonymous, member and staff.

URLs come from the URLconf, resolved with real objects (the permission matrix's ``world`` and
``_cases``: groups of each kind, discussions, replies, events, programmes, subscriptions), plus
allauth's log-in, sign-up and password-reset pages and a few admin changelists. Forms come from
the pages themselves: each page is fetched as each person and parsed with ``html.parser`` for
``<form method="post">`` (action, fields, types, values).

Every form is then submitted with missing fields, wrong types, huge values, unicode edge cases
(RTL override, zero-width characters, emoji with skin tones, combining marks, lone surrogates,
NUL, CR/LF variants) and malformed ids (hidden ids and URL ids pointing at other objects, or at
nothing); every URL is fetched with malformed path ids and hostile query strings.

Two things must hold for every request: the site never answers 5xx (nor raises), and a request
it refuses (a form re-shown with errors, or a 4xx) leaves the row count of every table as it
was. Each request runs inside ``transaction.atomic()`` and is rolled back afterwards, and the
cache and the client's cookies are restored, so requests do not disturb each other.

Runs on SQLite and PostgreSQL (NUL bytes are the difference: PostgreSQL refuses them in text).
"""

import copy
import fnmatch
import logging
import os
import re
import time
import traceback
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from discussions.models import Discussion, Reply
from events import services as event_services
from events.models import Event, Rsvp
from groups.models import Group
from tests.events.factories import make_event
from tests.groups import test_permission_matrix as matrix
from tests.members.factories import PASSWORD

# The permission matrix's world (people, a group of each kind with a discussion, a reply and an
# event), registered here as a fixture under another name.
matrix_world = matrix.world

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "staff")

# Failures found by the crawler and not fixed yet (none now: it found two, a 500 on a follow
# form's "next" and an SQLite overflow on huge ids in the programme suggestion; both fixed).
# Each failure has a key
# "METHOD route field=category:case -> what" (what: the exception, the 5xx status, "rows" for
# rows left behind by a refused request, "inconsistent" for rows that disagree); these are
# fnmatch patterns over that key. Matching failures are printed but do not fail the test. The
# lead fixes them and empties this set; a pattern that matched nothing is printed as such.
KNOWN_FAILURES: set[str] = set()  # all found failures are fixed; keep it empty

# Routes that answer a successful POST with a 200 page (not a redirect), so rows may change.
WRITES_ON_200 = {
    "subscriptions:subscribe": "asking for posts by email shows a 'check your inbox' page",
    "subscriptions:subscribe_events": "the same, for new events",
    "subscriptions:confirm": "confirming shows a 'thank you' page",
    "subscriptions:unsubscribe": "a one-click or browser unsubscribe shows its result page",
}

# allauth pages that are crawled; the rest of accounts/ is allauth's own and left alone.
ACCOUNT_PAGES = ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/")
# Tables whose rows a refused request may still touch, with the reason.
VOLATILE_TABLES = {"django_session": "log-in and log-out rotate the session row"}

VERBOSE = bool(os.environ.get("CRAWLER_VERBOSE"))  # list the forms and their baselines
FORM_BODY = "application/x-www-form-urlencoded"
TEXT_KINDS = {"text", "textarea", "search", "password", "tel", ""}

HUGE_TEXT = ("hostile words " * 8000)[:100_000]
HUGE_NUMBER = "1" + "0" * 20
UNICODE = {
    "rtl-override": "\u202eexe.txt\u202c Title \u202dLTR\u202c",
    "bidi-isolates": "\u2066\u2067\u2068abc\u2069\u200e\u200f",
    "zero-width": "a\u200bb\u200cc\u200dd\u2060e\ufeff",
    "zwj-emoji": "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family",
    "skin-tones": "\U0001f44d\U0001f3fd \U0001f44b\U0001f3ff \U0001f9d1\U0001f3fb\u200d\U0001f4bb",
    "emoji-only": "\U0001f389\U0001f44d\U0001f3fd",
    "combining": "Z\u0351\u0310\u0336a\u0337l\u0335g\u0334o " + "e\u0301" * 40 + "\u0301\u0308",
    "lone-surrogate": "before \ud83d after \udfff",  # sent as invalid UTF-8 (surrogatepass)
    "surrogate-escapes": "\\ud83d\\ude00 %ED%A0%80 &#xD800; \\x00",
    "nul": "a\x00b",
    "crlf": "one\r\ntwo\rthree\n\rfour\u2028five\u2029six\x0b\x0c\x85",
    "noncharacters": "\ufffe\uffff\U0010ffff\U000e0001",
    "punctuation-only": "!!! ??? ... ;;; --- *** ___",
    "whitespace-only": " \t \u00a0 \u3000 ",
}
WRONG_TYPES = {
    "abc": "abc",
    "negative": "-1",
    "zero": "0",
    "float": "1.5",
    "exponent": "1e3",
    "fullwidth-digit": "\uff11",
    "empty": "",
    "bad-date": "2030-02-30T25:61",
    "year-zero": "0000-01-01T00:00",
    "far-date": "99999-12-31T23:59",
    "url-junk": "javascript:alert(1)//",
    "offsite": "//evil.example/",
}
ID_VALUES = {"nonexistent": "99999999", "10^20": HUGE_NUMBER, "zero": "0"}
HUGE_VALUES = {"10^20": HUGE_NUMBER, "5000-digits": "9" * 5000, "100KB": HUGE_TEXT}
# Path values, already percent-encoded, by converter.
PATH_VALUES = {
    "int": {
        "zero": "0",
        "negative": "-1",
        "10^20": "99999999999999999999",
        "nonexistent": "99999999",
        "abc": "abc",
        "nul": "%00",
    },
    "slug": {
        "nonexistent": "does-not-exist",
        "unicode": quote("ünïcödé-\u202e"),
        "nul": "%00",
        "long": "a" * 300,
        "numeric": "99999999999999999999",
    },
    "str": {
        "nul": "%00",
        "nul-inside": "a%00b",
        "invalid-utf8": "%ED%A0%80%FF",
        "rtl": quote("\u202eabc"),
        "long": "a" * 2000,
        "nonexistent": "nope",
        "dots": "..",
    },
}
PAGE_VALUES = {
    "10^20": HUGE_NUMBER,
    "negative": "-1",
    "abc": "abc",
    "zero": "0",
    "float": "1.5",
    "5000-digits": "9" * 5000,
}
QUERY_VALUES = {
    "10000-chars": "q" * 10_000,
    "punctuation-only": "!!!???...;;;---***%%%___",
    "nul": "a\x00b",
    "unicode": "".join(UNICODE[k] for k in ("rtl-override", "zwj-emoji", "combining")),
    "lone-surrogate": "\ud83d",
    "unknown": "zzz-unknown-value",
    "negative": "-1",
    "10^20": HUGE_NUMBER,
    "sql-ish": "' OR 1=1 -- \" %_ \\",
}
# Query parameters the views read (request.GET), beyond those of the GET forms found.
QUERY_PARAMS = {"page", "q", "tag", "sort", "group", "to", "quote", "next", "min_score"}


def _encode(value: str) -> str:
    """Percent-encode for a form body or query; lone surrogates become invalid UTF-8 bytes."""
    return quote_plus(value, encoding="utf-8", errors="surrogatepass")


def _body(pairs) -> str:
    return "&".join(f"{_encode(name)}={_encode(value)}" for name, value in pairs)


# --- Form discovery --------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea", "select", "select-multiple" or "submit"
    value: str = ""
    options: list = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    method: str
    action: str
    fields: list = field(default_factory=list)


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form = None
        self._textarea = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                kind = "submit"
            self._form.fields.append(Field(name, kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button" and name and a.get("type", "submit").lower() == "submit":
            self._form.fields.append(Field(name, "submit", a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(name, kind)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "", "selected" in a]
            self._select.options.append(self._option)

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            if self._select is not None:
                for option in self._select.options:
                    if option[0] is None:
                        option[0] = option[1].strip()
                chosen = [o[0] for o in self._select.options if o[2]]
                values = [o[0] for o in self._select.options if o[0]]
                self._select.value = (chosen or values or [""])[0]
                self._select.options = values
            self._select = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[1] += data


def parse_forms(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def _baseline(form: Form) -> list[tuple[str, str]]:
    """Values a person might really send: what the page filled in, or something valid."""
    pairs, seen_radio, seen_submit = [], set(), False
    hour = 10
    for f in form.fields:
        if f.kind == "submit":
            if not seen_submit:  # the first button is the one pressed
                pairs.append((f.name, f.value))
                seen_submit = True
        elif f.kind == "checkbox":  # ticked (terms accepted); "missing" cases untick them
            pairs.append((f.name, f.value or "on"))
        elif f.kind == "radio":
            if f.name not in seen_radio:
                radios = [g for g in form.fields if g.kind == "radio" and g.name == f.name]
                pairs.append((f.name, next((g.value for g in radios if g.checked), f.value)))
                seen_radio.add(f.name)
        elif f.kind in ("select", "select-multiple"):
            if f.value:
                pairs.append((f.name, f.value))
        elif f.value.strip() or f.kind == "hidden":
            pairs.append((f.name, f.value))
        elif f.name == "login":  # log in as a real member, so the rest of the form counts
            pairs.append((f.name, "member"))
        elif f.name == "password":
            pairs.append((f.name, PASSWORD))
        elif f.kind == "email":
            pairs.append((f.name, "crawler@example.org"))
        elif f.kind == "url":
            pairs.append((f.name, "https://example.org/"))
        elif f.kind == "number":
            pairs.append((f.name, "1"))
        elif f.kind == "date":
            pairs.append((f.name, "2030-01-02"))
        elif f.kind == "datetime-local":
            pairs.append((f.name, f"2030-01-02T{hour:02d}:00"))
            hour += 1
        elif f.kind == "password":
            pairs.append((f.name, "Crawler-pass-2026!"))
        elif "username" in f.name:
            pairs.append((f.name, "crawleruser"))
        else:
            pairs.append((f.name, "Crawler text"))
    return pairs


def _replace(pairs, name, value):
    if any(n == name for n, _ in pairs):
        return [(n, value if n == name else v) for n, v in pairs]
    return [*pairs, (name, value)]


def _field_names(form: Form) -> list[str]:
    return list(dict.fromkeys(f.name for f in form.fields))


def _kinds(form: Form) -> dict[str, str]:
    kinds = {}
    for f in form.fields:
        kinds.setdefault(f.name, f.kind)
    return kinds


def _is_text(kind: str) -> bool:
    return kind in TEXT_KINDS


def _is_id_like(name: str, kind: str) -> bool:
    return kind in ("hidden", "select", "radio", "number") or bool(
        re.search(r"(^|_)(id|pk|reply|reply_to|quoted|membership)s?($|_)", name)
    )


def form_cases(form: Form, elsewhere: dict[str, int], full: bool):
    """(category, field, case label, pairs). With full=False, one case per category."""
    base = _baseline(form)
    kinds = _kinds(form)
    names = [n for n in _field_names(form) if n != "csrfmiddlewaretoken"]
    text_fields = [n for n in names if _is_text(kinds[n])]
    other_fields = [n for n in names if not _is_text(kinds[n])]
    cases = [("baseline", "*", "as-shown", base)]
    buttons = [f for f in form.fields if f.kind == "submit"]
    cases += [
        ("baseline", b.name, f"button-{b.value}"[:24], _replace(base, b.name, b.value))
        for b in buttons[1:]
    ]
    cases += [
        ("missing", "*", "empty-post", []),
        ("missing", "*", "all-blank", [(n, "") for n, _ in base]),
    ]
    cases += [
        ("missing", name, "absent", [(n, v) for n, v in base if n != name])
        for name in (names if full else names[:1])
    ]
    wrong = list(WRONG_TYPES.items()) if full else list(WRONG_TYPES.items())[:1]
    for name in other_fields if full else other_fields[:1]:
        cases += [("wrong-type", name, label, _replace(base, name, v)) for label, v in wrong]
        cases.append(("wrong-type", name, "repeated", [*base, (name, "zzz"), (name, "1")]))
    for name in text_fields[:1] if not other_fields else []:
        cases += [("wrong-type", name, label, _replace(base, name, v)) for label, v in wrong[:3]]
    huge = [(n, HUGE_TEXT) for n in text_fields]
    cases.append(
        ("huge", "text-fields", "100KB", [p for p in base if p[0] not in text_fields] + huge)
    )
    for name in other_fields if full else other_fields[:1]:
        cases += [
            ("huge", name, label, _replace(base, name, v))
            for label, v in HUGE_VALUES.items()
            if full or label == "10^20"
        ]
    targets = text_fields or names
    for label, value in UNICODE.items() if full else list(UNICODE.items())[:2]:
        pairs = base
        for name in targets:
            pairs = _replace(pairs, name, value)
        cases.append(("unicode", "text-fields", label, pairs))
    for name in names if full else names[:1]:
        cases.append(("unicode", name, "nul", _replace(base, name, "\x00")))
        if not _is_text(kinds[name]):
            cases.append(("unicode", name, "lone-surrogate", _replace(base, name, "\ud800")))
    id_fields = [n for n in names if _is_id_like(n, kinds[n])]
    for name in id_fields if full else id_fields[:1]:
        values = {**{k: str(v) for k, v in elsewhere.items()}, **ID_VALUES}
        cases += [
            ("ids", name, label, _replace(base, name, v))
            for label, v in (list(values.items()) if full else list(values.items())[:1])
        ]
    return cases


# --- Consistency ---------------------------------------------------------------------------


def _invariants() -> dict[str, int]:
    """Rows that disagree with each other (a write done by halves). Each must stay at 0."""
    shown = Count("replies", filter=Q(replies__removed_at=None), distinct=True)
    going = Rsvp.objects.filter(event=OuterRef("pk"), state=Rsvp.State.GOING)
    places = going.values("event").annotate(n=Sum(F("guests") + 1)).values("n")
    active = Count("memberships", filter=Q(memberships__state="active"), distinct=True)
    organisers = Count(
        "memberships",
        filter=Q(memberships__state="active", memberships__role="organiser"),
        distinct=True,
    )
    return {
        "reply in_reply_to another discussion": Reply.objects.exclude(in_reply_to=None)
        .exclude(in_reply_to__discussion=F("discussion"))
        .count(),
        "reply quotes another discussion": Reply.objects.exclude(quoted=None)
        .exclude(quoted__discussion=F("discussion"))
        .count(),
        "discussion reply_count != replies shown": Discussion.objects.annotate(n=shown)
        .exclude(reply_count=F("n"))
        .count(),
        "discussion reply_total < replies written": Discussion.objects.annotate(n=Count("replies"))
        .filter(reply_total__lt=F("n"))
        .count(),
        "group member_count != active members": Group.objects.annotate(n=active)
        .exclude(member_count=F("n"))
        .count(),
        "group without an organiser": Group.objects.annotate(n=organisers).filter(n=0).count(),
        "event with more going than capacity": Event.objects.exclude(capacity=None)
        .annotate(n=Coalesce(Subquery(places), 0))
        .filter(n__gt=F("capacity"))
        .count(),
    }


# --- Requests --------------------------------------------------------------------------------


@dataclass
class Failure:
    key: str  # "METHOD route field=category:case -> what", matched by KNOWN_FAILURES
    role: str
    method: str
    url: str
    field: str
    value: str
    problem: str

    def known(self) -> bool:
        return any(fnmatch.fnmatchcase(self.key, pattern) for pattern in KNOWN_FAILURES)

    def describe(self) -> str:
        value = self.value if len(self.value) < 80 else self.value[:77] + "..."
        return (
            f"[{self.key}] {self.method} {self.url[:160]} as {self.role}, "
            f"{self.field}={value!r}: {self.problem}"
        )


def _route_of(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "(no route)"
    return match.view_name or match.route


def _summary(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if "/.venv/" not in f.filename and "/tests/" not in f.filename]
    where = own[-1] if own else frames[-1]
    last = frames[-1]
    text = f"{type(exc).__name__}: {str(exc)[:200]} at {where.filename.split('/work/main/')[-1]}"
    text += f":{where.lineno} ({where.name})"
    if last is not where:
        text += f" -> {last.filename.split('/site-packages/')[-1]}:{last.lineno} ({last.name})"
    return text


class Crawler:
    def __init__(self, clients):
        self.clients = clients
        self.tables = sorted(
            {
                m._meta.db_table
                for m in apps.get_models(include_auto_created=True)
                if m._meta.managed and not m._meta.proxy
            }
            - set(VOLATILE_TABLES)
        )
        qn = connection.ops.quote_name
        # Table names come from the models, quoted: nothing from a request goes in.
        self.count_sql = "SELECT " + ", ".join(  # noqa: S608
            f"(SELECT COUNT(*) FROM {qn(t)})"  # noqa: S608
            for t in self.tables
        )
        self.failures: list[Failure] = []
        self.requests = 0
        self.submissions = 0
        self.urls: set[str] = set()
        self.forms: set[tuple] = set()
        self.cases: set[tuple] = set()
        self.by_status: dict[int, int] = {}

    def _counts(self):
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql)
            return cursor.fetchone()

    def request(self, role, method, url, body="", *, route, field="-", case="-", value=""):
        """One request in its own rolled-back transaction; returns the response or None."""
        client = self.clients[role]
        cookies = copy.deepcopy(client.cookies)
        response, problem = None, None
        self.requests += 1
        with transaction.atomic():
            before = self._counts()
            try:
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data=body, content_type=FORM_BODY)
            except Exception as exc:  # noqa: BLE001 - every exception is a finding
                problem, what = f"raised {_summary(exc)}", type(exc).__name__
            else:
                try:
                    problem, what = self._check(response, method, route, before)
                except Exception as exc:  # noqa: BLE001
                    problem = f"left the transaction unusable: {_summary(exc)}"
                    what = type(exc).__name__
            transaction.set_rollback(True)
        client.cookies = cookies
        cache.clear()
        if problem:
            key = f"{method} {route} {field}={case} -> {what}"
            self.failures.append(Failure(key, role, method, url, field, value, problem))
        return response

    def _check(self, response, method, route, before) -> tuple[str | None, str]:
        status = response.status_code
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if status >= 500:
            return f"answered {status}", str(status)
        if method == "POST":
            broken = [name for name, n in _invariants().items() if n]
            if broken:
                return f"answered {status} and left rows inconsistent: {broken}", "inconsistent"
        if 300 <= status < 400 or (status == 200 and method == "POST" and route in WRITES_ON_200):
            return None, ""  # a success: rows may change
        after = self._counts()
        changed = [
            f"{table} {b}->{a}"
            for table, b, a in zip(self.tables, before, after, strict=True)
            if a != b
        ]
        if changed:
            return f"answered {status} but changed rows: {', '.join(changed)}", "rows"
        return None, ""


# --- The world -------------------------------------------------------------------------------


def _elsewhere(world) -> dict[str, int]:
    """Ids of real objects of several kinds (label -> id), to put where another id belongs."""
    applicant = {k: world["applicant"][k] for k in ("private", "closed")}
    target = {k: world["target"][k] for k in ("private", "closed")}
    candidates = [
        ("reply-private", world["replies"]["private"].pk),
        ("reply-closed", world["replies"]["closed"].pk),
        ("membership-applicant-private", applicant["private"]),
        ("membership-member-private", target["private"]),
        ("membership-applicant-closed", applicant["closed"]),
        ("membership-member-closed", target["closed"]),
        ("discussion-private", world["discussions"]["private"].pk),
        ("event-private", world["events"]["private"].pk),
    ]
    labels = {}
    for label, pk in candidates:
        if pk not in labels.values():
            labels[label] = pk
    return labels


def _pages(world, cases):
    """(route, role -> path) for every GET page, from the permission matrix and a few more."""
    pages = []
    for name, _kind, method, path, _data, _expected in cases:
        if method == "get":
            pages.append((name, path if isinstance(path, dict) else dict.fromkeys(ROLES, path)))
    for kind, discussion in world["discussions"].items():
        reply = world["replies"][kind].pk
        url = f"/discussions/{discussion.pk}/reply/?to={reply}&quote={reply}"
        pages.append(("discussions:reply_create", dict.fromkeys(ROLES, url)))
    pages += [
        (_route_of(url), dict.fromkeys(ROLES, url))
        for url in (*ACCOUNT_PAGES, "/subscribe/tag/zebra-tag/")
    ]
    return pages


def _admin_changelists():
    urls = []
    for model, model_admin in admin.site._registry.items():
        if model_admin.search_fields:
            opts = model._meta
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    return sorted(urls)


def _path_variants(path: str, world):
    """(param, label, path) with one route parameter replaced by a malformed value."""
    split = urlsplit(path)
    try:
        match = resolve(split.path)
    except Resolver404:
        return
    route = match.route
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not params:
        return
    actual = {name: quote(str(match.kwargs[name]), safe="") for _, name in params}
    other_slugs = {"private-group": world["groups"]["private"].slug}
    for converter, name in params:
        values = dict(PATH_VALUES.get(converter or "str", PATH_VALUES["str"]))
        if converter == "int":
            values |= {label: str(pk) for label, pk in _elsewhere(world).items()}
        elif converter == "slug":
            values |= other_slugs
        for label, value in values.items():
            filled = {**actual, name: value}
            new = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, f=filled: f[m.group(1)], route)
            if split.query:
                new += "?" + split.query
            yield f"<{name}>", label, new


# --- The test --------------------------------------------------------------------------------


@pytest.fixture
def crawl_world(request):
    world = request.getfixturevalue("matrix_world")
    people = world["people"]
    cases = matrix._cases(world)
    # An event with guests allowed, where the member already has a place: the RSVP form then
    # has a guests choice and the change/cancel forms show.
    event = make_event(
        organiser=people["organiser"], title="Crawler guests event", max_guests=3, capacity=20
    )
    event_services.rsvp_create(event=event, member=people["member"], guests=1, note="Ramp")
    url = event.get_absolute_url()
    cases.append(("events:detail", None, "get", url, None, None))
    return world, cases


def test_bad_input_crawler(crawl_world):
    world, cases = crawl_world
    started = time.monotonic()
    people = world["people"]
    clients = {"anonymous": Client()}
    for role in ("member", "staff"):
        clients[role] = Client()
        clients[role].force_login(people[role])
    crawler = Crawler(clients)
    assert not any(_invariants().values()), f"inconsistent before crawling: {_invariants()}"
    elsewhere = _elsewhere(world)

    # Every route in the URLconf must be reached (accounts/ and admin/ apart, as in the matrix).
    covered = {name for name, *_ in cases}
    missing = [
        f"{name} ({route})"
        for name, route in matrix._routes()
        if not any(route.startswith(p) for p in matrix.EXEMPT_PREFIXES) and name not in covered
    ]
    assert not missing, "URLs the crawler cannot build: " + ", ".join(missing)

    quiet = [logging.getLogger(n) for n in ("django.request", "django.security", "django.server")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        _crawl(crawler, world, cases, elsewhere)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)

    seconds = time.monotonic() - started
    unexpected = [f for f in crawler.failures if not f.known()]
    known = [f for f in crawler.failures if f.known()]
    summary = (
        f"crawler: {len(crawler.urls)} URLs × {len(crawler.forms)} forms × "
        f"{len(crawler.cases)} cases = {crawler.requests} requests "
        f"({crawler.submissions} form submissions), {len(unexpected)} server errors "
        f"or half-written rows (and {len(known)} known ones), in {seconds:.0f}s "
        f"on {connection.vendor}; statuses {dict(sorted(crawler.by_status.items()))}"
    )
    print("\n" + summary)
    for pattern in sorted(KNOWN_FAILURES):
        hits = [f for f in known if fnmatch.fnmatchcase(f.key, pattern)]
        if hits:
            print(f"known failure, {len(hits)} requests: {hits[0].describe()}")
        else:
            print(f"KNOWN_FAILURES entry not seen on {connection.vendor} (fixed?): {pattern}")
    distinct = {}
    for failure in unexpected:
        distinct.setdefault(failure.key, failure)
    details = "\n".join(f.describe() for f in distinct.values())
    assert not unexpected, (
        f"{summary}\n{len(distinct)} distinct failures ({len(unexpected)} requests):\n{details}"
    )


def _crawl(crawler: Crawler, world, cases, elsewhere):
    pages = _pages(world, cases)
    post_routes = {name for name, _k, method, *_ in cases if method == "post"}
    get_forms: dict[str, set[str]] = {}
    post_forms = []  # (role, route, action, form)
    seen_actions = set()

    # 1. Fetch every page as every person; collect the forms shown.
    for route, paths in pages:
        for role in ROLES:
            url = paths[role]
            crawler.urls.add(f"{route} {url}")
            crawler.cases.add(("GET", "as-linked"))
            response = crawler.request(role, "GET", url, route=route, case="as-linked")
            if response is None or response.status_code != 200:
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            for form in parse_forms(response.content.decode(errors="replace")):
                action = urljoin(url, form.action or url)
                action_path = urlsplit(action).path
                if form.method == "get":
                    get_forms.setdefault(action_path, set()).update(_field_names(form))
                    continue
                if action_path.startswith("/admin/"):
                    continue
                if action_path.startswith("/accounts/") and action_path not in ACCOUNT_PAGES:
                    continue  # allauth's log-out and the like
                hidden = [
                    (f.name, f.value)
                    for f in form.fields
                    if f.kind == "hidden" and f.name != "csrfmiddlewaretoken"
                ]
                seen = (role, action, tuple(_field_names(form)), tuple(sorted(hidden)))
                if seen in seen_actions:
                    continue
                seen_actions.add(seen)
                post_forms.append((role, _route_of(action), action, form))

    # 2. Submit every form, as each person it was shown to.
    fully_covered = set()
    for role, route, action, form in post_forms:
        signature = (role, route, tuple(_field_names(form)))
        full = signature not in fully_covered
        fully_covered.add(signature)
        crawler.forms.add((route, tuple(_field_names(form))))
        token = [(f.name, f.value) for f in form.fields if f.name == "csrfmiddlewaretoken"]
        for category, field_name, label, pairs in form_cases(form, elsewhere, full):
            crawler.cases.add((category, label))
            crawler.submissions += 1
            if category != "missing":
                pairs = [*token, *[p for p in pairs if p[0] != "csrfmiddlewaretoken"]]
            value = next((v for n, v in pairs if n == field_name), label)
            response = crawler.request(
                role,
                "POST",
                action,
                _body(pairs),
                route=route,
                field=field_name,
                case=f"{category}:{label}",
                value=value,
            )
            if VERBOSE and category == "baseline" and response is not None:
                errors = re.findall(r"<li>([^<]{0,120})", response.content.decode(errors="replace"))
                errors = [e for e in errors if "rror" in e or "must" in e or "required" in e]
                print(f"baseline: {role:9} {route:32} {action} -> {response.status_code} {errors}")
        # Malformed ids in the action's own URL, with the form as shown.
        variants = list(_path_variants(action, world))
        for param, label, path in variants if full else variants[:1]:
            crawler.cases.add(("path-ids", label))
            crawler.submissions += 1
            crawler.request(
                role,
                "POST",
                path,
                _body(_baseline(form)),
                route=route,
                field=param,
                case=f"path:{label}",
                value=path,
            )

    if VERBOSE:
        for role, route, action, form in post_forms:
            print(f"form: {role:9} {route:32} {action} {_kinds(form)}")
    missing_forms = post_routes - {route for _r, route, _a, _f in post_forms}
    assert not missing_forms, f"POST routes with no form found on any page: {missing_forms}"

    # 3. Every page again with malformed route ids and hostile query strings.
    params = set(QUERY_PARAMS)
    for names in get_forms.values():
        params |= names
    params.discard("csrfmiddlewaretoken")
    query_cases = [(f"page:{label}", _body([("page", v)])) for label, v in PAGE_VALUES.items()]
    query_cases += [
        (f"query:{label}", _body([(p, v) for p in sorted(params)]))
        for label, v in QUERY_VALUES.items()
    ]
    query_cases.append(
        ("query:repeated", _body([(p, v) for p in sorted(params) for v in ("1", "zzz", "")]))
    )
    query_cases.append(("query:nul-raw", "q=%00&page=%00"))
    query_cases.append(("query:invalid-utf8", "q=%ED%A0%80%FF&page=%C0%AF"))
    # The whole set on the first URL of each route; one case per category on the others.
    reduced = [query_cases[0], query_cases[len(PAGE_VALUES)], query_cases[-3]]
    done_routes = set()
    for route, paths in pages:
        for role in ROLES:
            url = paths[role]
            joiner = "&" if "?" in url else "?"
            for label, query in query_cases if (route, role) not in done_routes else reduced:
                crawler.cases.add(("query", label))
                crawler.request(
                    role,
                    "GET",
                    url + joiner + query,
                    route=route,
                    field="?",
                    case=label,
                    value=query[:100],
                )
            if (route, role) in done_routes:
                continue
            done_routes.add((route, role))
            for param, label, path in _path_variants(url, world):
                crawler.cases.add(("path-ids", label))
                crawler.request(
                    role, "GET", path, route=route, field=param, case=f"path:{label}", value=path
                )

    # 4. A few admin changelists, searched with hostile strings (staff only get in).
    admin_queries = [
        *(f"q={_encode(v)}" for v in QUERY_VALUES.values()),
        "q=%00",
        "o=99.abc.-7",
        "p=-1",
        "p=99999999999999999999",
        "zzz_unknown_filter=1",
        "all=&q=%25%25",
    ]
    for url in _admin_changelists():
        route = _route_of(url)
        crawler.urls.add(f"{route} {url}")
        for query in admin_queries:
            crawler.cases.add(("admin-query", query[:20]))
            crawler.request(
                "staff",
                "GET",
                f"{url}?{query}",
                route=route,
                field="?",
                case=f"admin:{query[:20]}",
                value=query[:100],
            )

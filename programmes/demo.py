"""The national programmes the community named, as full records in our own words, plus a few
more so the map shows clusters. Written through the services. Idempotent: a programme that
already has a description is left alone; an older bare record (name and summary only) is
filled in."""

from programmes import services
from programmes.models import Organisation, Programme

K = Organisation.Kind

ORGANISATIONS = [
    ("Department for Communities and Local Government", K.GOVERNMENT, "https://www.gov.uk/"),
    ("Ministry of Justice", K.GOVERNMENT, "https://www.justice.gov.uk/"),
    ("Department for Business, Innovation and Skills", K.GOVERNMENT, ""),
    ("Media Trust", K.CHARITY, "https://mediatrust.org/"),
    ("Young Foundation", K.CHARITY, "https://youngfoundation.org/"),
    ("RSA", K.CHARITY, "https://www.thersa.org/"),
    ("IDeA", K.OTHER, ""),
    ("NESTA", K.FOUNDATION, "https://www.nesta.org.uk/"),
    ("Talk About Local", K.COMPANY, ""),
    ("Stoke-on-Trent City Council", K.LOCAL_AUTHORITY, ""),
    ("Leeds City Council", K.LOCAL_AUTHORITY, ""),
]
DCLG = "Department for Communities and Local Government"

PROGRAMMES = [
    {
        "name": "Community Voices",
        "summary": "Media Trust's programme that trains local people to tell their community's "
        "stories with video and social media.",
        "description": "Volunteers learn to **film, edit and publish** short pieces about "
        "their neighbourhood, then share them on local sites and community channels.\n\n"
        "The programme pairs each group of reporters with a media professional and keeps a "
        "library of their stories so councils and charities can hear local voices.",
        "leads": ["Media Trust"],
        "funders": [DCLG],
        "themes": ["social reporting", "community media", "training"],
        "geography": "national",
        "audience": "Residents and community groups who want to report on their area",
        "people": [("grace", "Community Voices coordinator", True)],
    },
    {
        "name": "DC10plus",
        "summary": "A network of digital champions in councils sharing how they use the web "
        "to reach residents.",
        "description": "Officers from a group of pioneering councils meet, compare notes and "
        "publish what worked: online consultation, neighbourhood forums, council blogs.\n\n"
        "Its aim is for every authority to have someone who can **champion digital "
        "engagement** inside the organisation.",
        "leads": ["IDeA"],
        "funders": [DCLG],
        "themes": ["council innovation", "peer learning", "democratic engagement"],
        "geography": "national",
        "audience": "Council officers and elected members",
        "people": [("nadia", "Sponsor at the department", False)],
    },
    {
        "name": "Local 2.0",
        "summary": "The Young Foundation's work on how online tools can strengthen "
        "neighbourhoods and local democracy.",
        "description": "Action research in a handful of places on what happens when "
        "residents, councillors and services meet online: what builds trust, who gets left "
        "out, and how the offline neighbourhood changes.",
        "leads": ["Young Foundation"],
        "funders": [DCLG, "NESTA"],
        "themes": ["research", "neighbourhoods", "democratic engagement", "local websites"],
        "geography": "regional",
        "regions": ["London", "North West"],
        "audience": "Neighbourhood groups, councils and policy makers",
        "people": [("grace", "Partner from Media Trust", False)],
    },
    {
        "name": "RSA Connected Communities",
        "summary": "Research and practice from the RSA on the social networks that make "
        "places resilient.",
        "description": "Maps the relationships between people in a place, then works with "
        "residents to strengthen the weak links: isolation is treated as a network problem, "
        "not a personal one.",
        "leads": ["RSA"],
        "funders": ["NESTA"],
        "themes": ["social capital", "research", "neighbourhoods"],
        "geography": "local",
        "regions": ["West Midlands"],
        "audience": "Residents, community workers and researchers",
        "people": [],
    },
    {
        "name": "Talk About Local",
        "summary": "Support for residents who want to start and sustain hyperlocal "
        "websites, including free unconferences.",
        "description": "Hands-on help to set up a **local website or blog** in an afternoon, "
        "a network of site runners who help each other, and unconferences where the people "
        "who turn up set the agenda.",
        "leads": ["Talk About Local"],
        "funders": [DCLG],
        "themes": ["local websites", "training", "unconferences", "community media"],
        "geography": "national",
        "audience": "People running, or planning to run, local sites",
        "people": [("owen", "Programme manager", True)],
    },
    {
        "name": "Timely Information to Citizens",
        "summary": "A programme helping public services give people the information they "
        "need, when they need it, online.",
        "description": "Works with councils to publish service information where residents "
        "already look, and to open up the data behind it so others can build on it.",
        "leads": ["IDeA"],
        "funders": [DCLG],
        "themes": ["open data", "council innovation", "digital inclusion"],
        "geography": "national",
        "audience": "Councils and public services",
        "people": [("nadia", "Programme convenor", True)],
    },
    {
        "name": "IDeA / local authorities",
        "summary": "Improvement support for councils adopting social technology, with peer "
        "learning between authorities.",
        "description": "Peer reviews, communities of practice and guidance for councils "
        "taking up social media, from the first blog to a full digital engagement "
        "strategy.",
        "leads": ["IDeA"],
        "funders": [DCLG],
        "themes": ["council innovation", "peer learning", "training"],
        "geography": "national",
        "audience": "Local authority staff and councillors",
        "people": [],
    },
    # A few more, so the map shows clusters.
    {
        "name": "Building Democracy Innovation Fund",
        "summary": "The Ministry of Justice fund backing new ways to get people involved in "
        "democracy, many of them local.",
        "description": "Now in its third year, the fund supports projects that pioneer new "
        "forms of participation and puts its winners in touch with each other, which has "
        "already led to joint work.",
        "leads": ["Ministry of Justice"],
        "funders": ["Ministry of Justice"],
        "themes": ["democratic engagement", "innovation funding", "peer learning"],
        "geography": "national",
        "audience": "Charities, councils and groups with a new idea for participation",
        "people": [("felix", "Fund manager", True)],
    },
    {
        "name": "Knowledge Hub (Khub)",
        "summary": "A shared platform where local communities can build their own "
        "applications and mashups on public data.",
        "description": "Planned: once procured it will let people combine public data (the "
        "best schools, care homes) with maps and tools of their own.",
        "leads": ["IDeA"],
        "funders": [DCLG],
        "themes": ["open data", "council innovation"],
        "geography": "national",
        "status": "planned",
        "audience": "Developers, councils and community groups",
        "people": [],
    },
    {
        "name": "Social Reporters Network",
        "summary": "Volunteers who report on events and local life with blogs, photos and "
        "short videos, and train others to do it.",
        "description": "Grew out of the community's own social reporters group: reporters "
        "cover workshops and unconferences and share how they do it.",
        "leads": ["Talk About Local"],
        "funders": [],
        "themes": ["social reporting", "community media", "unconferences"],
        "geography": "regional",
        "regions": ["West Midlands", "Yorkshire and the Humber"],
        "audience": "Anyone who wants to report on their community",
        "people": [("owen", "Adviser", False), ("grace", "Trainer", False)],
    },
    {
        "name": "Digital Inclusion Champions",
        "summary": "Local champions who help people who are not online take their first "
        "steps, in libraries and community centres.",
        "description": "Trains volunteers to give friendly one-to-one help, and measures "
        "what changes for the people they help.",
        "leads": ["Leeds City Council"],
        "funders": ["Department for Business, Innovation and Skills"],
        "themes": ["digital inclusion", "training", "neighbourhoods"],
        "geography": "local",
        "regions": ["Yorkshire and the Humber"],
        "audience": "People who are not online yet, and those who help them",
        "people": [("felix", "Volunteer", False)],
    },
    {
        "name": "Neighbourhood Data Labs",
        "summary": "Small experiments that help residents use open data about their area to "
        "make a case for change.",
        "description": "Each lab brings residents, a developer and a council officer together "
        "for a day to turn local data into something useful.",
        "leads": ["NESTA"],
        "funders": ["NESTA"],
        "themes": ["open data", "neighbourhoods", "research"],
        "geography": "regional",
        "regions": ["London"],
        "status": "ended",
        "audience": "Residents and community groups",
        "people": [],
    },
    {
        "name": "Local Enterprise Connect",
        "summary": "Encourages enterprise cultures in local communities through connections "
        "and social capital, not only start-ups.",
        "description": "Connects people with ideas to neighbours who can help, using local "
        "sites and meet-ups.",
        "leads": ["Stoke-on-Trent City Council"],
        "funders": ["Department for Business, Innovation and Skills"],
        "themes": ["enterprise", "social capital", "local websites"],
        "geography": "local",
        "regions": ["West Midlands"],
        "audience": "Residents with ideas, local businesses",
        "people": [],
    },
]


def _organisations() -> dict[str, Organisation]:
    orgs = {o.name: o for o in Organisation.objects.all()}
    for name, kind, website in ORGANISATIONS:
        if name not in orgs:
            orgs[name] = services.organisation_create(name=name, kind=kind, website=website)
    return orgs


def seed(*, log) -> None:
    from members.models import User

    orgs = _organisations()
    members = {
        u.username: u for u in User.objects.filter(username__in=["nadia", "owen", "grace", "felix"])
    }
    created = filled = 0
    for spec in PROGRAMMES:
        fields = {
            "summary": spec["summary"],
            "description": spec["description"],
            "lead_organisations": [orgs[n] for n in spec["leads"]],
            "funders": [orgs[n] for n in spec["funders"]],
            "themes": spec["themes"],
            "geography": spec["geography"],
            "region_names": spec.get("regions", []),
            "audience": spec["audience"],
            "status": spec.get("status", "active"),
        }
        programme = Programme.objects.filter(name=spec["name"]).first()
        if programme is None:
            programme = services.programme_create(name=spec["name"], **fields)
            created += 1
        elif not programme.description:
            _fill(programme, fields)
            filled += 1
        for username, role, organiser in spec["people"]:
            if username in members:
                services.programme_role_add(
                    programme=programme,
                    member=members[username],
                    role=role,
                    is_organiser=organiser,
                )
    log(
        f"programmes: {created} created, {filled} filled in, "
        f"{Programme.objects.count()} in total; {len(orgs)} organisations"
    )


def _fill(programme: Programme, fields: dict) -> None:
    """Turn an older bare record into a full one."""
    for name in ("summary", "description", "geography", "audience", "status"):
        setattr(programme, name, fields[name])
    services.programme_save(programme=programme)
    programme.lead_organisations.set(fields["lead_organisations"])
    programme.funders.set(fields["funders"])
    programme.regions.set([services.region_get_or_create(name=n) for n in fields["region_names"]])
    services.programme_set_themes(programme=programme, themes=fields["themes"])

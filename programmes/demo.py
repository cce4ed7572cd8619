"""The national programmes named by the community, in a few words of our own."""

from django.utils.text import slugify

from programmes.models import Programme

PROGRAMMES = [
    (
        "Community Voices",
        "Media Trust's programme that trains local people to tell their community's stories "
        "with video and social media.",
    ),
    (
        "DC10plus",
        "A network of digital champions in councils sharing how they use the web to reach "
        "residents.",
    ),
    (
        "Local 2.0",
        "The Young Foundation's work on how online tools can strengthen neighbourhoods and "
        "local democracy.",
    ),
    (
        "RSA Connected Communities",
        "Research and practice from the RSA on the social networks that make places resilient.",
    ),
    (
        "Talk About Local",
        "Support for residents who want to start and sustain hyperlocal websites, including "
        "free unconferences.",
    ),
    (
        "Timely Information to Citizens",
        "A programme helping public services give people the information they need, when they "
        "need it, online.",
    ),
    (
        "IDeA / local authorities",
        "Improvement support for councils adopting social technology, with peer learning "
        "between authorities.",
    ),
]


def seed(*, log) -> None:
    for name, summary in PROGRAMMES:
        Programme.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "summary": summary}
        )
    log(f"programmes: {Programme.objects.count()} in total")

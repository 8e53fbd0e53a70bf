"""Recombination tests for the built-in rule packs.

The seeds pass as they are; these tests move one seed's clutter around another seed's body,
with other channel names, card orders, dates and durations, so that a rule written for one
seed's exact text would fail here. They run rules + context only (no model), and they check
that each clutter line was dropped by a *rule* (not rescued by the context step), so they
test the packs, not the classifier or the tail heuristics.
"""

from __future__ import annotations

import pytest
from conftest import read_seed, seed_names

import scrubber
from scrubber import Action
from scrubber.rules import load_ruleset


def body_of(name: str) -> list[str]:
    """The expected article of a seed, as its non-blank lines."""
    return [line for line in read_seed(name, "expected").splitlines() if line.strip()]


BODY_000 = body_of("000_41d158885b244d5d.txt")
BODY_002 = body_of("002_80f96d47c48c624b.txt")
BODY_003 = body_of("003_351f0b570e41c633.txt")
BODY_004 = body_of("004_5a32eef5980db437.txt")


class Clutter(list):
    """Lines that must be dropped, each by a rule."""


def check(*parts: list[str] | str, body: list[str] | None = None) -> None:
    """Clean the concatenation of ``parts``; the kept lines must be ``body`` (default: all
    parts that are not :class:`Clutter`), and every Clutter line must be dropped by a rule."""
    lines: list[str] = []
    clutter: list[int] = []
    want: list[str] = []
    for p in parts:
        seq = [p] if isinstance(p, str) else list(p)
        for s in seq:
            if isinstance(p, Clutter):
                clutter.append(len(lines))
            elif s.strip():
                want.append(s)
            lines.append(s)
    result = scrubber.clean_and_explain("\n".join(lines) + "\n", use_model=False)
    kept = [s for s in result.text.splitlines() if s.strip()]
    assert kept == (body if body is not None else want)
    for i in clutter:
        d = result.decisions[i]
        if lines[i].strip():
            assert d.action is Action.DROP and d.rule_id, (lines[i], d.stage.value)


# Video cards in the Rumble shape, with channels, titles and counts the seeds do not have.
CARDS = [
    [
        "LIVE",
        "Morning Dispatch",
        "2 hours agoMorning Dispatch LIVE - FRIDAY 3/7/25",
        "1.4K watching -",
    ],
    ["12:41", "Harbor Town Radio", "6 hours agoCity budget hearing, part two", "3.2K18 -"],
    ["DVR", "Quiet Hours", "1 day agoLate show recap (Ep. 212)", "88 -"],
    [
        "1:12:09",
        "The Long Table",
        '3 days ago"Why the Baltic ports matter" - full episode',
        "212K1.1K -",
    ],
    ["LIVE", "Field Notes w/ Sam Ortiz", "45 minutes agoSunday stream: Q&A", "67 watching -"],
]


@pytest.mark.parametrize("order", [(0, 1, 2, 3, 4), (3, 1, 4, 0, 2), (2, 4, 1)])
def test_video_sidebar_inside_and_after_another_body(order):
    sidebar = Clutter(["-"] + [line for i in order for line in CARDS[i]])
    check(BODY_003[:1], sidebar, BODY_003[1:], sidebar)


def test_video_sidebar_with_separate_age_lines_and_view_counts():
    # cards where the age sits on its own line and the counts read 'N views' / 'N watching'
    sidebar = Clutter(
        [
            "22:53",
            "Harbor Town Radio",
            "5 hours ago",
            "Council votes on port deal",
            "1,204 views",
            "LIVE",
            "Morning Dispatch",
            "1 hour ago",
            "Morning Dispatch live",
            "854 watching",
        ]
    )
    check(BODY_002[:2], sidebar, BODY_002[2:])


def test_premium_badge_and_repeated_headline_before_another_body():
    head = BODY_004[0]
    check(
        Clutter(["Subscribers only", ""]),
        head,
        "",
        Clutter([head.upper().replace("TROOPS", "troops") + " | Example News", ""]),
        BODY_004[1:],
    )


def test_comment_form_and_video_captions_around_another_body():
    check(
        BODY_002[:3],
        Clutter(["Leaders meet in Vilnius to discuss air defence 3:05"]),
        BODY_002[3:5],
        Clutter(["Why NATO's eastern flank matters now 12:47"]),
        BODY_002[5:],
        Clutter(
            [
                "",
                "Leave a Reply Cancel reply",
                "Your email address will not be published. Required fields are marked *",
                "Comment *",
                "Name *",
                "Email *",
                "Save my name, email, and website in this browser for the next time I comment.",
                "Post Comment",
                "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
            ]
        ),
    )


def test_german_french_spanish_comment_and_share_clutter_between_paragraphs():
    check(
        BODY_003[:1],
        Clutter(
            [
                "Teilen mit:",
                "Klicken, um auf Facebook zu teilen (Wird in neuem Fenster geöffnet)",
                "Gefällt mir Wird geladen …",
            ]
        ),
        BODY_003[1:3],
        Clutter(
            [
                "Laisser un commentaire",
                "Annuler la réponse",
                "Ce site utilise Akismet pour réduire les indésirables. En savoir plus sur "
                "la façon dont les données de vos commentaires sont traitées.",
            ]
        ),
        BODY_003[3:5],
        Clutter(["Deja una respuesta", "Compartir esta noticia", "Aceptar todas las cookies"]),
        BODY_003[5:],
    )


@pytest.mark.parametrize(
    "stamp",
    [
        " date 2021-11-05 ",
        "Published: 05.11.2021 ",
        "Posted on November 5, 2021 by Jane Doe ",
        "By Jane Doe | Updated 9:15 AM ET, Fri November 5, 2021 ",
        "Veröffentlicht am 5. November 2021 ",
    ],
)
def test_date_stamps_glued_to_another_first_paragraph(stamp):
    first, *rest = BODY_000[1:]
    text = "\n\n".join([BODY_000[0], stamp + first, *rest]) + "\n"
    result = scrubber.clean_and_explain(text, use_model=False)
    assert [s for s in result.text.splitlines() if s.strip()] == BODY_000
    assert result.decisions[2].action is Action.TRIM
    assert result.decisions[2].rule_id == "metadata.stamp"


def test_paragraph_that_starts_with_a_date_is_not_trimmed():
    line = "November 5, 2021 was the day the talks collapsed, diplomats recall."
    check(BODY_000[:1], line, BODY_000[1:])


def test_widgets_and_share_bar_after_another_body():
    check(
        BODY_004,
        Clutter(
            [
                "",
                "Share this:",
                "Click to share on X (Opens in new window)",
                "Click to share on Facebook (Opens in new window) Facebook",
                "Like this:",
                "Like Loading...",
                "Related Posts",
                "NATO moves jets to Romania",
                "Baltic air policing extended",
                "Popular Categories",
                "Defence",
                "Europe",
                "Tags: NATO, Romania, Bulgaria",
            ]
        ),
    )


NEAR_MISSES = [
    "Shareholders will vote on the merger at 10:30 on Thursday, the company said in a filing.",
    "More than 40% of readers subscribe to at least one newsletter, according to the survey.",
    "The minister declined to comment on the report, which was published on March 3, 2021.",
    "The debate aired LIVE on three networks and millions were watching across the country.",
    "By Tuesday, the talks had collapsed and both delegations had left Geneva.",
    "Follow the money, the investigators say, and you will find the network behind the scheme.",
    "The meeting begins at 10:30",
    "Share prices fell 4% after the announcement.",
    "Leave a comment on the draft by Friday, the agency asked residents.",
    "We use cookies sparingly, the company's chief executive told lawmakers.",
    "Advertisement spending rose 4% in 2023.",
    "Photographers crowded the steps of the court.",
    "Related to the case, two men were arrested in Lyon.",
]


def _sure_rule_hits(lines):
    """The lines of ``lines`` a built-in sure rule drops (with its id), and the trims."""
    rs = load_ruleset()
    hits = rs.apply(lines)
    return [(lines[i], rs.rules[d].id) for i, d in enumerate(hits.drop) if d >= 0], hits.trim


def test_body_near_misses_are_not_touched_by_sure_rules():
    dropped, trims = _sure_rule_hits(NEAR_MISSES)
    assert dropped == []
    assert trims == [None] * len(NEAR_MISSES)


@pytest.mark.parametrize("name", seed_names())
def test_no_sure_rule_touches_a_seed_body_line(name):
    rs = load_ruleset()
    lines = body_of(name)
    hits = rs.apply(lines)
    dropped = [
        (lines[i], rs.rules[d].id)
        for i, d in enumerate(hits.drop)
        if d >= 0 and rs.rules[d].scope != "document"
    ]
    assert dropped == []
    assert all(t is None for t in hits.trim)


# Shop, marketplace and consent-manager clutter (the commerce pack and the consent rules of
# the cookies pack), in the shapes the platforms print it, around a seed's article.
SHOP_CLUTTER = [
    "Members Get Free Shipping on orders over $49",
    "* Free Standard Delivery on orders $75",
    "Return within 365 days for a full refund*. Learn more",
    "Pay Later in easy monthly payments",
    "or 4 interest-free payments of $12.49 with Klarna",
    "Oops! Looks like we're having trouble connecting to our server.",
    "Refresh your browser window to try again.",
    "Refresh Browser",
    "People are checking this out. 7 have added this to their watchlist.",
    "eBay Money Back Guarantee",
    "Found a lower price? Let us know. Although we can't match every price reported, we'll use"
    " your feedback to ensure that our prices remain competitive.",
    "How customer reviews and ratings work",
    "There are no reviews yet.",
    "Featured Best selling Alphabetically, A-Z Alphabetically, Z-A Price, low to high Price,"
    " high to low Date, old to new Date, new to old",
]
CONSENT_CLUTTER = [
    "We value your privacy",
    "We use cookies and other technologies that are essential to provide you our services and"
    " site functionality, as described in our Cookie Notice. If you agree and click \"Accept"
    " all\", we will also use cookies to measure how you use the site, to show you ads that"
    " match your interests across the web and to remember your choices, as our partners do for"
    " the purposes listed in the settings; you can change your mind at any time in Cookie"
    " Preferences, withdraw your consent, or object to processing based on legitimate interest,"
    " and none of these choices affects the service you get from us or the prices you pay.",
    "If you agree, we'll also use cookies to complement your shopping experience across the"
    " Amazon stores as described in our Cookie notice.",
    "* Store and/or access information on a device",
    "Create profiles for personalised advertising Off",
    "Measure content performance 33 partners can use this purpose",
    "List of IAB Vendors | View Illustrations",
    "Accept All Cookies Reject All Cookies",
]


def test_shop_and_consent_clutter_around_another_body():
    check(Clutter(CONSENT_CLUTTER), BODY_002, Clutter(SHOP_CLUTTER))


SHOP_NEAR_MISSES = [
    "Free shipping on orders over $35 lifted the retailer's sales 4% in the quarter, they said.",
    "The set ships with free shipping and returns, which is rare for furniture this heavy.",
    "eBay said it uses a variety of signals to rank listings, a spokesman told regulators.",
    "Customers say the new model is quieter, according to the survey.",
    "We use cookies to remember your language. You can delete them in your browser at any time.",
    "Pay later schemes are drawing scrutiny from regulators in Britain and Australia.",
    "These cookies are delicious with a glass of milk.",
    "Measure advertising performance before you raise the budget, the consultants advised.",
]


def test_shop_near_misses_are_not_touched_by_sure_rules():
    assert _sure_rule_hits(SHOP_NEAR_MISSES)[0] == []


def test_a_family_the_features_do_not_name_adds_no_column():
    """features.FAMILIES is fixed (the shipped models' columns): the commerce pack's rules set
    rule_drop / rule_hint and no family column, so the feature vector the models read keeps
    its width and order."""
    from scrubber import features
    from scrubber.rules import builtin_rules

    assert "commerce" in {r.family for r in builtin_rules()}
    assert "commerce" not in features.FAMILIES
    for kind in ("text", "html", "markdown"):
        assert not any("commerce" in c for c in features.names(kind))

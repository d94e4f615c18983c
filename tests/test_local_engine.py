"""The offline engine on a realistic report: useful fields, chunk-independent results,
JSON-safe state, and no crash on degenerate input."""

from __future__ import annotations

import json
import re

import pytest

from docproc.analysis.base import ANALYSES, Analysis
from docproc.analysis.heuristics import extractive, signals
from docproc.analysis.local import LocalEngine

REPORT = """Northwind Renewables Ltd. Annual Report 2025

Executive Summary

Northwind Renewables Ltd. delivered its strongest year to date in 2025. At a press
conference in Berlin on March 3, 2026, Chief Executive Officer Dr. Maria Lopez announced
record revenue of $4.2 million, up 38% from the previous year. "Our teams turned a difficult
market into an excellent year, and I am proud of what they achieved," Dr. Lopez said. The
growth came mainly from our renewable energy installations for municipal customers in
Germany and Denmark.

Financial Performance

Revenue from solar installations rose to $2.6 million, while wind energy services
contributed $1.1 million. Operating margin improved from 6% to 11% as procurement costs fell
and our installation crews became more productive. Net profit reached €540,000, the first
full-year profit in the company's history. Cash reserves stood at €1,200,000 at year end,
which gives us room to fund the next phase of growth without new debt. Lopez noted that
investors responded positively to the results, and the board has proposed a first dividend
of EUR 300 per preference share.

Renewable Energy Projects

During the year we completed 47 renewable energy projects, including rooftop solar systems
for schools in Hamburg and a community wind farm near Aarhus. Each project was delivered on
budget. Our partnership with Baltic Grid Partners allowed us to connect new sites to the grid
in under six weeks, compared with an industry average of four months. Customers rated our
service 4.7 out of 5 in the annual satisfaction survey, and repeat orders from municipal
customers doubled.

The Helios Storage Project

Not everything went well. The Helios Storage Project, a pilot battery storage facility in
Leipzig, failed to meet its targets. Supplier delays, faulty battery modules and a serious
fire during testing caused the project to be suspended in October. The fire caused no
injuries, but the damage was severe and the losses were painful: we wrote off $850,000 and
lost a major contract with Stadtwerke Leipzig GmbH. Several staff criticised poor planning,
and an internal review found weak risk management and inadequate supplier checks. We regret
these mistakes and have replaced the project leadership.

People and Operations

Our workforce grew from 58 to 81 employees. We opened a new training centre in Berlin, and
staff turnover fell to 7%. Chief Operating Officer James Carter led a company-wide safety
programme after the Leipzig fire, and no further incidents were recorded. Employee
engagement scores improved for the third consecutive year.

Sustainability

Our installations avoided an estimated 12,400 tonnes of carbon emissions in 2025. All new
company vehicles are electric, and our Berlin office runs entirely on renewable energy from
its own rooftop solar array. We also published our first sustainability report, which
follows the European reporting standards that will apply to companies of our size from 2027.

Outlook for 2026

For 2026 we expect revenue between $5.0 million and $5.5 million. We plan to expand into
Poland and the Netherlands, to double our renewable energy installation capacity, and to
launch a maintenance service for existing solar and wind assets. Battery storage remains
part of our long-term strategy, but we will only restart it with proven suppliers and
independent safety testing. Risks include rising interest rates, grid connection backlogs
and possible changes to feed-in tariffs in Germany.

Market Context

Demand for renewable energy in Europe continues to grow. According to the European
Commission, installed solar capacity across the EU rose by more than 20% in 2025. Municipal
customers are under pressure to cut emissions and lower energy bills, which supports demand
for our services. Competition from larger utilities such as Vattenfall is increasing, but
our speed and local presence remain strong advantages.

Contact

For questions about this report, please contact investor.relations@northwind.example or
visit https://northwind.example/report for the full financial statements. The annual
general meeting will take place in Berlin on 12 May 2026.
"""

GERMAN = (
    "Die Northwind Renewables GmbH hat im vergangenen Jahr einen Rekordumsatz erzielt. "
    "Die Geschäftsführerin Anna Schmidt sagte am Montag in Hamburg, dass die Nachfrage nach "
    "Solaranlagen und Windenergie stark gestiegen sei. Das Unternehmen plant, im kommenden "
    "Jahr zwanzig neue Mitarbeiter einzustellen und weitere Projekte in Bayern zu starten."
)
FRENCH = (
    "La société Northwind Renewables a annoncé lundi à Paris un chiffre d'affaires record "
    "pour l'année 2025. Selon la directrice générale, Marie Dubois, la demande d'énergie "
    "solaire et éolienne a fortement augmenté dans toute la France. L'entreprise prévoit "
    "d'embaucher vingt nouveaux employés et de lancer de nouveaux projets dans les écoles."
)
POSITIVE = (
    "We are thrilled with the outstanding results. The team did a wonderful job and our "
    "customers love the new product. This is a great success and we are very happy."
)
NEGATIVE = (
    "The project was a disaster. Costs exploded, the equipment failed repeatedly and several "
    "workers were injured. Customers are angry and we lost our biggest contract."
)
NEUTRAL = (
    "The meeting is scheduled for Tuesday at 10:00 in room 4. The agenda contains three "
    "items. Minutes will be distributed after the meeting."
)
ALL = frozenset(ANALYSES)


@pytest.fixture(scope="module")
def engine() -> LocalEngine:
    return LocalEngine()


def analyse(engine: LocalEngine, chunks: list[str], analyses: frozenset[str] = ALL) -> dict:
    parts = [engine.analyze_chunk(chunk, analyses) for chunk in chunks]
    return engine.combine(parts, analyses).fields


@pytest.fixture(scope="module")
def report(engine: LocalEngine) -> dict:
    return analyse(engine, [REPORT])


def flat(text: str) -> str:
    return " ".join(text.split())


def three_chunks(text: str) -> list[str]:
    """Cut at the paragraph breaks nearest to a third and two thirds of the text."""
    breaks = [m.start() for m in re.finditer(r"\n\n", text)]
    cuts = [min(breaks, key=lambda b: abs(b - len(text) * k / 3)) for k in (1, 2)]
    return [text[: cuts[0]], text[cuts[0] : cuts[1]], text[cuts[1] :]]


def entity(fields: dict, text: str) -> dict:
    return next(e for e in fields["entities"] if e["text"].rstrip(".") == text.rstrip("."))


def test_identity(engine: LocalEngine) -> None:
    assert engine.name == "local"
    assert engine.model is None


def test_summary_is_a_few_sentences_of_the_text(report: dict) -> None:
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", report["summary"])
    assert 2 <= len(sentences) <= 6
    for sentence in sentences:
        assert sentence in flat(REPORT)
    assert "Financial Performance" not in report["summary"]  # headings are not picked


def test_key_points_are_short_sentences(report: dict) -> None:
    assert 3 <= len(report["key_points"]) <= 7
    assert all(len(point) <= 201 for point in report["key_points"])
    assert len(set(report["key_points"])) == len(report["key_points"])


def test_keywords(report: dict) -> None:
    keywords = [k.lower() for k in report["keywords"]]
    assert 5 <= len(keywords) <= 15
    assert "renewable energy" in keywords
    assert not any(k.isdigit() or len(k) < 2 or k in ("the", "and", "our") for k in keywords)


def test_entities(report: dict) -> None:
    expected = {
        "Northwind Renewables Ltd.": "ORG",
        "Maria Lopez": "PERSON",
        "Berlin": "LOCATION",
        "investor.relations@northwind.example": "EMAIL",
        "https://northwind.example/report": "URL",
        "March 3, 2026": "DATE",
        "$4.2 million": "MONEY",
        "EUR 300": "MONEY",
        "Stadtwerke Leipzig GmbH": "ORG",
    }
    for text, kind in expected.items():
        assert entity(report, text)["type"] == kind, text
    assert entity(report, "Maria Lopez")["count"] >= 3  # "Dr. Lopez", "Lopez noted" folded in
    counts = [e["count"] for e in report["entities"]]
    assert counts == sorted(counts, reverse=True)
    assert len(report["entities"]) <= 30
    texts = {e["text"] for e in report["entities"]}
    assert not texts & {"The", "However", "March", "Executive Summary", "Financial Performance"}


def test_topics_are_not_just_the_keywords(report: dict) -> None:
    assert 3 <= len(report["topics"]) <= 6
    assert [t.lower() for t in report["topics"][:3]] != [k.lower() for k in report["keywords"][:3]]


def test_report_sentiment_and_language(report: dict) -> None:
    assert report["language"] == "en"
    assert report["sentiment"]["label"] == "positive"
    assert -1 <= report["sentiment"]["score"] <= 1


@pytest.mark.parametrize(
    ("text", "label"), [(POSITIVE, "positive"), (NEGATIVE, "negative"), (NEUTRAL, "neutral")]
)
def test_sentiment(engine: LocalEngine, text: str, label: str) -> None:
    sentiment = analyse(engine, [text], frozenset({"sentiment"}))["sentiment"]
    assert sentiment["label"] == label
    assert sentiment["score"] == round(sentiment["score"], 3)


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (FRENCH, "fr"), (NEUTRAL, "en")])
def test_language(engine: LocalEngine, text: str, language: str) -> None:
    assert analyse(engine, [text], frozenset({"language"}))["language"] == language


def test_german_nouns_are_not_entities(engine: LocalEngine) -> None:
    fields = analyse(engine, [GERMAN])
    assert entity(fields, "Northwind Renewables GmbH")["type"] == "ORG"
    assert entity(fields, "Hamburg")["type"] == "LOCATION"
    assert not {"Jahr", "Solaranlagen", "Die"} & {e["text"] for e in fields["entities"]}
    assert fields["sentiment"]["label"] != "negative"  # VADER would read "die" as English


def test_chunked_result_matches_whole_document(engine: LocalEngine, report: dict) -> None:
    chunks = three_chunks(REPORT)
    assert all(chunk.strip() for chunk in chunks)
    chunked = analyse(engine, chunks)
    assert chunked["language"] == report["language"]
    assert chunked["sentiment"]["label"] == report["sentiment"]["label"]
    top = {(e["text"], e["type"]) for e in report["entities"][:5]}
    assert top <= {(e["text"], e["type"]) for e in chunked["entities"][:10]}
    assert "renewable energy" in [k.lower() for k in chunked["keywords"]]
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", chunked["summary"]):
        assert sentence in flat(REPORT)


def test_only_requested_fields(engine: LocalEngine) -> None:
    for wanted in (frozenset({"keywords"}), frozenset({"summary", "entities"}), ALL):
        part = engine.analyze_chunk(REPORT, wanted)
        assert set(part.fields) == wanted
        assert set(engine.combine([part], wanted).fields) == wanted


def test_state_is_json_and_round_trips(engine: LocalEngine, report: dict) -> None:
    parts = [engine.analyze_chunk(chunk, ALL) for chunk in three_chunks(REPORT)]
    wire = [Analysis.from_dict(json.loads(json.dumps(p.to_dict()))) for p in parts]
    combined = engine.combine(wire, ALL)
    assert combined.fields == engine.combine(parts, ALL).fields
    assert combined.usage.llm_calls == 0 and combined.usage.prompt_tokens == 0
    assert len(json.dumps(parts[0].state)) < 100_000
    # A combined state can itself be combined again.
    assert engine.combine([combined], ALL).fields["language"] == "en"


def test_state_stays_bounded_on_long_text(engine: LocalEngine) -> None:
    part = engine.analyze_chunk(REPORT * 30, ALL)
    assert len(json.dumps(part.state)) < 150_000


@pytest.mark.parametrize("text", ["Hello", "   ", "", "12345", "!!!", "Mr."])
def test_degenerate_text_does_not_crash(engine: LocalEngine, text: str) -> None:
    fields = analyse(engine, [text])
    assert set(fields) == ALL
    assert fields["sentiment"]["label"] in ("positive", "neutral", "negative")
    assert isinstance(fields["summary"], str)
    assert isinstance(fields["language"], str)


# --- business tone ---------------------------------------------------------------------

GOOD_RESULTS = (
    "Revenue rose 24% to $80 million and the operating margin improved for the third year "
    "running. Costs fell as the new plant opened ahead of schedule and under budget. The "
    "operating loss narrowed to $2 million. Risks remain: a supplier failure or a loss of a "
    "key customer could cost us, and interest rates may rise. We are grateful to our staff "
    "and confident about next year."
)
BAD_RESULTS = (
    "Revenue fell 30% and the operating loss widened to $12 million. The new plant is behind "
    "schedule and over budget, and costs rose sharply. A fire at the main site injured two "
    "workers and halted production for a month. We lost our largest customer and expect "
    "further losses next year."
)


def test_good_results_with_a_few_risk_words_are_positive(engine: LocalEngine) -> None:
    sentiment = analyse(engine, [GOOD_RESULTS], frozenset({"sentiment"}))["sentiment"]
    assert sentiment["label"] == "positive"
    assert sentiment["score"] > 0.2


def test_bad_results_are_negative(engine: LocalEngine) -> None:
    sentiment = analyse(engine, [BAD_RESULTS], frozenset({"sentiment"}))["sentiment"]
    assert sentiment["label"] == "negative"
    assert sentiment["score"] < -0.2


def test_long_factual_sentences_do_not_drown_the_tone(engine: LocalEngine) -> None:
    """One long incident report among short good news: each opinion counts once."""
    incident = (
        "A gearbox failure at the northern site took two turbines offline for most of the "
        "summer and cost us an estimated $4 million in lost output, repairs and penalties."
    )
    text = " ".join(
        [
            "Revenue rose 38% to $61 million.",
            "Gross margin improved from 21% to 27%.",
            incident,
            "The operating loss narrowed to $3 million.",
            "The plant opened ahead of schedule.",
        ]
        + ["The board met four times during the year."] * 6
    )
    assert analyse(engine, [text], frozenset({"sentiment"}))["sentiment"]["label"] == "positive"


@pytest.mark.parametrize(
    ("sentence", "sign"),
    [
        ("Operating loss narrowed to $3.1 million from $9.8 million.", 1),
        ("Gross margin improved, helped by lower maintenance costs.", 1),
        ("Turbine availability averaged 94.2%, up from 88.5%.", 1),
        ("The hub cuts our repair times from weeks to days.", 1),
        ("The hall opened two months ahead of schedule and under its $9 million budget.", 1),
        ("We expect prices to reduce gross margin by two points.", -1),
        ("The quote would push phase one over budget.", -1),
        ("Revenue did not rise this year.", -1),
        ("The board met in Oslo.", 0),
    ],
)
def test_figures_that_rise_and_fall_carry_tone(sentence: str, sign: int) -> None:
    value = signals.change_valence(sentence)
    assert (value > 0) - (value < 0) == sign


def test_business_words_do_not_read_as_opinions() -> None:
    for sentence in (
        "Registered office: 12 Harbour Road, Leeds, United Kingdom.",
        "Gross margin was 27% and the energy business paid interest to its lenders.",
    ):
        assert abs(signals._vader_compound(sentence)) < 0.05, sentence


# --- names, places and roles -----------------------------------------------------------


def names(fields: dict) -> dict[str, str]:
    return {e["text"].rstrip("."): e["type"] for e in fields["entities"]}


def test_job_titles_are_not_people(engine: LocalEngine) -> None:
    text = (
        "The accounts were approved by the board.\n\nTobias Lindqvist, Chief Financial Officer\n\n"
        "Priya Desmond-Achebe, Programme Director, chaired the review. The Annual General "
        "Meeting will be held in June. Our Chief Executive spoke to investors."
    )
    found = names(analyse(engine, [text]))
    assert found.get("Tobias Lindqvist") == "PERSON"
    assert found.get("Priya Desmond-Achebe") == "PERSON"
    for role in ("Financial Officer", "Chief Financial Officer", "Programme Director", "Meeting"):
        assert role not in found


def test_places_from_context(engine: LocalEngine) -> None:
    text = (
        "Westport, 3 May 2024. A technician was hurt off Kirkwall during a transfer. Science "
        "kits went to schools in Digby, Nova Scotia, and in Tobermory. Our crew moved to "
        "Lerwick last year. The meeting is at the Kirkwall Town Hall, near the Bay of Fundy "
        "office. We also serve Atlantic Canada. Registered office: 2 Quay Street, Scalloway, "
        "Shetland ZE1 0AB, United Kingdom."
    )
    found = names(analyse(engine, [text]))
    for place in (
        "Westport", "Kirkwall", "Digby", "Nova Scotia", "Tobermory", "Lerwick",
        "Kirkwall Town Hall", "Bay of Fundy", "Atlantic Canada", "Scalloway", "Shetland",
    ):  # fmt: skip
        assert found.get(place) == "LOCATION", place


def test_known_cities_and_provinces_are_places(engine: LocalEngine) -> None:
    text = "The Bergen service hub and the Halifax assembly plant serve Nova Scotia clients."
    found = names(analyse(engine, [text]))
    assert {found.get(p) for p in ("Bergen", "Halifax", "Nova Scotia")} == {"LOCATION"}


def test_many_dates_do_not_crowd_out_people_and_places(engine: LocalEngine) -> None:
    dates = " ".join(f"A payment of ${n} million was made on {n} March 2024." for n in range(1, 40))
    text = (
        f"{dates} The programme was led by Dr. Ines Carvalho in Aberdeen. A lifeboat station "
        "opened in Hoy. Signed on behalf of the board: Eilidh Rasmussen, Chair."
    )
    fields = analyse(engine, [text])
    assert len(fields["entities"]) == 30
    found = names(fields)
    assert found.get("Ines Carvalho") == "PERSON"
    assert found.get("Eilidh Rasmussen") == "PERSON"
    assert found.get("Aberdeen") == "LOCATION" and found.get("Hoy") == "LOCATION"
    counts = [e["count"] for e in fields["entities"]]
    assert counts == sorted(counts, reverse=True)


def test_names_in_table_cells(engine: LocalEngine) -> None:
    """Names the gazetteer does not know, found because their column is "Owner"."""
    text = (
        "The plant is on track.\n\n"
        "Work package | Owner | Budget (CAD) | Status\n"
        "Site preparation | Xanthe Quillfeather | 1,200,000 | On track\n"
        "Assembly hall | Orrin Vasquez-Thorne | 8,450,000 | At risk: crane quote and delays\n"
        "Quay upgrade | Bexley Marchbanks | 2,100,000 | Not started\n\n"
        "Please send comments by Friday."
    )
    found = names(analyse(engine, [text]))
    for person in ("Xanthe Quillfeather", "Orrin Vasquez-Thorne", "Bexley Marchbanks"):
        assert found.get(person) == "PERSON", person
    assert "Owner" not in found


# --- keywords, topics and summary --------------------------------------------------------

LETTERS = (
    "Letter from the Chief Executive\n\n"
    "Larkspur Tidal Systems had a strong year. Larkspur Tidal Systems installed new turbines "
    "at three tidal sites, and turbine output rose at every site. Our Chief Executive thanked "
    "the turbine crews. Tidal turbine availability improved, and tidal energy sales grew.\n\n"
    "Letter from the Chief Executive\n\n"
    "The Chief Executive expects more tidal sites next year. Larkspur Tidal Systems will "
    "build turbine sites in two more bays."
)


def test_job_titles_and_company_names_are_not_keywords_or_topics(engine: LocalEngine) -> None:
    fields = analyse(engine, [LETTERS])
    assert not any("chief" in k.lower() for k in fields["keywords"] + fields["topics"])
    assert "Larkspur Tidal Systems" not in fields["topics"]
    assert fields["topics"]


MEMO = (
    "Halifax plant: status memo\n\n"
    "The Halifax assembly plant is on track for a ground-breaking ceremony in April.\n\n"
    "Two risks need decisions this month. First, the crane contractor for the assembly plant "
    "has raised its crane quote by 12%, which would push the assembly plant over budget. "
    "Second, we still lack a crane safety manager for the assembly plant; the role has been "
    "open since November.\n\n"
    "Please send comments by 14 February."
)


def test_summary_keeps_the_lead_in_of_a_continuing_sentence(engine: LocalEngine) -> None:
    summary = analyse(engine, [MEMO])["summary"]
    assert "First, the crane contractor" in summary
    assert "Two risks need decisions this month. First, the crane" in summary


def candidate(pos: int, text: str, terms: list[str]) -> dict:
    return {"text": text, "pos": pos, "terms": terms, "words": 6, "quality": 1.0}


RISKS = [
    candidate(0, "The plant opened in May.", ["plant", "opened"]),
    candidate(1, "Two risks need decisions.", ["risk", "decision"]),
    candidate(2, "First, the crane quote rose by 12%.", ["crane", "quote"]),
    candidate(3, "Second, the crane contractor is late.", ["crane", "contractor"]),
    candidate(4, "Comments are welcome.", ["comment"]),
]
RISK_WEIGHTS = {"crane": 1.0, "quote": 0.9, "contractor": 0.9, "plant": 0.3, "risk": 0.2}


@pytest.mark.parametrize("total", [2, 5, 13])  # room for 1, 2 and 3 sentences
def test_a_continuing_sentence_is_never_picked_alone(total: int) -> None:
    chosen = extractive.summary(RISKS, RISK_WEIGHTS, total, [])
    picked = {c["pos"] for c in chosen}
    assert picked
    for pos in picked & {2, 3}:
        assert pos - 1 in picked  # "First, ..." with "Two risks ...", "Second" with "First"


def test_headings_are_not_summary_sentences_when_there_is_prose() -> None:
    pool = [
        candidate(0, "Larkspur opens Bergen service hub", ["larkspur", "bergen", "hub"]),
        candidate(1, "Larkspur today opened its hub in Bergen.", ["larkspur", "bergen", "hub"]),
        candidate(2, "Bergen, 4 November 2024.", ["bergen"]),
    ]
    pool[2]["quality"] = extractive.quality(pool[2]["text"], 4)
    weights = {"larkspur": 1.0, "bergen": 1.0, "hub": 1.0}
    assert [c["pos"] for c in extractive.summary(pool, weights, 5, [])] == [1]


def test_key_points_drop_ordinal_openers(engine: LocalEngine) -> None:
    points = analyse(engine, [MEMO])["key_points"]
    assert not any(p.startswith(("First,", "Second,")) for p in points)


def test_html_heading_stays_out_of_keywords_and_summary(engine: LocalEngine) -> None:
    from docproc.extract.html import extract
    from tests.documents import make_html

    heading = "Larkspur Tidal Systems opens Bergen service hub"
    page = make_html(
        f"<nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><article><h1>{heading}</h1>"
        "<p>Bergen, 4 November 2024. Larkspur Tidal Systems today opened its new service hub in "
        "Bergen, two months ahead of schedule and 6% under its $9 million budget.</p>"
        '<p>"The hub cuts our repair times in Norway from weeks to days," said Chief Executive '
        "Marguerite Okonkwo-Hale.</p><ul><li>22 new jobs for technicians</li></ul></article>",
        title=heading,
    )
    fields = analyse(engine, [extract(page, "page.html").text])
    phrases = [k.lower() for k in fields["keywords"] if " " in k]
    assert not any("opens" in k or "home" in k or "news" in k for k in phrases)
    assert heading not in fields["summary"]
    assert fields["summary"].startswith("Larkspur Tidal Systems today opened")
    assert fields["sentiment"]["label"] == "positive"
    assert names(fields).get("Bergen") == "LOCATION"


def test_only_capitalised_names_and_dates_make_a_weak_sentence() -> None:
    assert extractive.quality("Bergen, 4 November 2024.", 4) < 0.2
    assert extractive.quality("Larkspur opened its hub in Bergen today.", 7) == 1.0
    assert extractive.quality("Компания открыла новый центр в Бергене сегодня.", 7) == 1.0
    assert not extractive._only_names("公司今天在卑尔根开设了新的服务中心，比计划提前两个月。")

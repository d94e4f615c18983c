"""Word lists the local engine uses for keywords and topics: stopwords and theme words.

Kept as plain sets of strings so they can be read and edited; names and places live in
``gazetteer``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH_STOPWORDS = _words(
    """a about above across after again against all almost along already also although always
    am among an and another any anyone anything are around as at away be became because become
    been before being below between both but by can cannot could did do does doing done down
    during each either else enough etc even ever every few for from further get gets getting
    given go goes going got had has have having he her here hers herself him himself his how
    however i if in into is it its itself just least less let like made make makes many may me
    might more most much must my myself neither no nor not now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps please put
    quite rather really said same say says see seem seemed seems several shall she should
    since so some something still such than that the their theirs them themselves then there
    therefore these they this those though through throughout thus to together too toward
    towards under unless until up upon us very via was we well were what whatever when
    whenever where whereas wherever whether which while who whoever whole whom whose why will
    with within without would yet you your yours yourself yourselves
    i'm it's don't doesn't didn't isn't aren't wasn't weren't won't can't we're they're
    we've we'll you're that's there's let's"""
)

FRENCH_STOPWORDS = _words(
    """a à au aux avec ce ces cet cette dans de des du elle elles en est et été être eux il ils
    je la le les leur leurs lui ma mais me même mes moi mon ne nos notre nous on ont ou où par
    pas pour qu que qui sa se ses son sont sur ta te tes toi ton tu un une vos votre vous y
    c'est d'un d'une l'on n'est qu'il plus aussi comme très tout tous toutes sans entre ainsi
    avait avoir fait peut été depuis cela ceci dont lors selon chez"""
)

GERMAN_STOPWORDS = _words(
    """aber alle allem allen aller alles als also am an auch auf aus bei bin bis bist da damit
    dann das dass dem den der des dessen die dies diese diesem diesen dieser dieses doch dort
    du durch ein eine einem einen einer eines er es für gegen hat hatte hier ich ihm ihn ihr
    ihre im in ist ja jede jedem jeden jeder jedes kann kein keine mit muss nach nicht noch nun
    nur ob oder ohne sehr sein seine sich sie sind so soll um und uns unser unsere unter vom
    von vor war waren wie wir wird wo zu zum zur über wurde wurden werden haben mehr sowie"""
)

SPANISH_STOPWORDS = _words(
    """a al algo como con de del desde donde el ella ellas ellos en entre era es esa ese eso
    esta este esto fue ha han hasta hay la las le les lo los más me mi mis muy ni no nos nuestra
    nuestro o para pero por porque que quien se ser si sin sobre su sus también te tiene todo
    todos tu un una uno unos y ya está están son sido según cuando durante"""
)

STOPWORDS: dict[str, frozenset[str]] = {
    "en": ENGLISH_STOPWORDS,
    "fr": FRENCH_STOPWORDS,
    "de": GERMAN_STOPWORDS,
    "es": SPANISH_STOPWORDS,
}

# VADER knows English only; for these languages a few common opinion words give a rough
# polarity instead, so a German report is not scored on English look-alikes ("die").
POLARITY: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "de": (
        _words(
            """gut gute guten guter sehr erfolgreich erfolg erfolge rekord rekordumsatz stark
            starke gestiegen wachstum wächst freuen freut zufrieden positiv positive
            hervorragend ausgezeichnet gewinn gewinne verbessert besser beste großartig"""
        ),
        _words(
            """schlecht schlechte verlust verluste gescheitert scheitern problem probleme krise
            negativ negative rückgang gesunken schwach schwache schaden schäden brand
            enttäuschend enttäuscht kritik kritisiert fehler mangel verzögerungen"""
        ),
    ),
    "fr": (
        _words(
            """bon bonne bons bonnes excellent excellente succès record réussi réussite forte
            fort hausse croissance augmenté satisfait satisfaits positif positive heureux
            meilleur meilleure amélioré bénéfice bénéfices"""
        ),
        _words(
            """mauvais mauvaise perte pertes échec échoué problème problèmes crise négatif
            négative baisse recul faible faibles dommages incendie décevant déçu critique
            critiqué erreur retards"""
        ),
    ),
    "es": (
        _words(
            """bueno buena buenos buenas excelente éxito récord fuerte crecimiento aumentó
            satisfecho positivo positiva feliz mejor mejoró beneficio beneficios"""
        ),
        _words(
            """malo mala pérdida pérdidas fracaso fracasó problema problemas crisis negativo
            negativa caída descenso débil daños incendio decepcionante error retrasos"""
        ),
    ),
}

# Frequent in reports but never what a document is about.
KEYWORD_NOISE = _words(
    """million millions billion billions thousand thousands trillion percent cent bn mn usd eur
    gbp year years month months week weeks day days today yesterday tomorrow time times first
    second third new including include includes included according also total number part
    way lot lots thing things kind use used using based will able across include mr mrs ms
    dr prof inc ltd corp llc plc gmbh co january february march april may june july august
    september october november december monday tuesday wednesday thursday friday saturday
    sunday page pages section figure table report com www http https example two three four
    five six seven eight nine ten said say says told added noted announced around overall
    per cent q1 q2 q3 q4 fy hundred dozens ceo cfo coo cto cio vp annual previous next last
    full major several various certain likely possible main mainly key strong good better
    best large larger small smaller high higher low lower rose fell grew came went took gave
    made make makes making expect expects plan plans remain remains continue continues
    include become becomes reach reaches get able want need needs like service services
    company business team teams people group level area areas result results ahead behind"""
)

# Broad themes a reader recognises; a document gets one when several of its words recur.
THEMES: dict[str, frozenset[str]] = {
    "Finance": _words(
        """revenue revenues profit profits earnings margin margins sales investment investments
        investors investor funding budget cost costs dividend dividends shares shareholders
        financial fiscal cash debt loan loans capital valuation ebitda income expenses
        quarter quarterly forecast guidance bank banks financing"""
    ),
    "Energy": _words(
        """energy renewable renewables solar wind power electricity grid battery batteries
        storage oil gas fuel turbine turbines hydrogen megawatts gigawatts nuclear coal
        photovoltaic"""
    ),
    "Climate & Environment": _words(
        """climate emissions carbon environmental environment sustainability sustainable
        pollution biodiversity recycling waste decarbonisation decarbonization net-zero
        warming conservation"""
    ),
    "Technology": _words(
        """software technology technologies digital data cloud platform ai algorithm
        algorithms computing cyber app apps internet devices automation machine
        learning model models chip chips semiconductor code server servers database
        databases api version versions command commands shell install package packages
        library libraries linux windows python git github compiler"""
    ),
    "Health": _words(
        """health patients patient hospital hospitals medical clinical disease treatment
        vaccine doctors nurses care healthcare drug drugs therapy"""
    ),
    "Workforce": _words(
        """employees employee staff hiring jobs job workforce salaries wages union
        recruitment layoffs talent training workers hires headcount"""
    ),
    "Legal & Regulation": _words(
        """regulation regulations regulatory regulators law laws legal compliance court
        lawsuit litigation contract contracts licence license permit permits approval
        approvals fine fines"""
    ),
    "Politics & Government": _words(
        """government election elections minister parliament policy policies political
        vote votes voted president congress senate ministry public officials subsidies
        council mayor federal grants legislation"""
    ),
    "Education": _words(
        """school schools students student university teachers teacher education learning
        courses curriculum classroom"""
    ),
    "Markets & Strategy": _words(
        """market markets customers customer expansion strategy competition competitors
        partnership partnerships acquisition acquisitions merger demand pricing growth
        contracts clients"""
    ),
    "Operations & Projects": _words(
        """project projects construction delays delay supply chain logistics production
        manufacturing suppliers operations capacity maintenance installation sites site
        deployment"""
    ),
    "Risk & Setbacks": _words(
        """risk risks failure failed losses loss problems problem issues cancelled
        setback setbacks overruns shortfall disappointing writedown write-down impairment
        crisis decline"""
    ),
    "Research & Innovation": _words(
        """research innovation innovations development patent patents prototype laboratory
        scientists study studies experiment pilot trials"""
    ),
    "Transport": _words(
        """transport transportation vehicles vehicle cars car trucks rail railway airline
        aviation shipping freight mobility traffic tram trams bus buses metro subway
        train trains airport airports passengers transit commuters road roads highway"""
    ),
    "Real Estate": _words(
        """property properties housing real estate rent rents tenants mortgage mortgages
        buildings building construction homes"""
    ),
    "Security": _words(
        """security breach breaches attack attacks police crime fraud military defence
        defense cybersecurity threat threats"""
    ),
}

# VADER reads general English; in business prose these words describe rather than judge
# ("operating loss", "gross margin", "interest rates", "United Kingdom", "per share").
# Valences on VADER's -4..4 scale; direction words are neutral here because the
# ``CHANGE_*`` lists score them by what rises or falls.
BUSINESS_VALENCE: dict[str, float] = {
    "risk": -0.4,
    "risks": -0.4,
    "loss": -0.6,
    "losses": -0.8,
    "debt": -0.5,
    "charges": 0.0,
    "liability": 0.0,
    "liabilities": 0.0,
    "pressure": -0.6,
    "gross": 0.0,
    "energy": 0.0,
    "interest": 0.0,
    "interests": 0.0,
    "credit": 0.0,
    "credits": 0.0,
    "security": 0.0,
    "securities": 0.0,
    "asset": 0.0,
    "assets": 0.0,
    "demand": 0.0,
    "pay": 0.0,
    "share": 0.0,
    "shares": 0.0,
    "united": 0.0,
    "trust": 0.0,
    "grand": 0.0,
    "lower": 0.0,
    "cut": 0.0,
    "cuts": 0.0,
    "drop": 0.0,
    "increase": 0.0,
    "increased": 0.0,
    "increases": 0.0,
    # Words of business news VADER lacks.
    "recovered": 1.5,
    "recovery": 1.2,
    "milestone": 1.5,
    "breakthrough": 2.0,
    "outperformed": 1.8,
    "resilient": 1.5,
    "upgraded": 1.2,
    "downgraded": -1.2,
    "shortfall": -1.5,
    "overrun": -1.5,
    "overruns": -1.5,
    "impairment": -1.5,
    "writedown": -1.5,
    "layoffs": -1.8,
    "redundancies": -1.5,
    "outage": -1.5,
    "outages": -1.5,
    "insolvency": -2.0,
    "defaulted": -2.0,
    "underperformed": -1.5,
    "halted": -1.2,
    "setback": -1.5,
    "setbacks": -1.5,
    "canceled": -1.0,
}

# Figures that are good news when they rise and when they fall: "revenue rose", "costs
# fell", "loss narrowed" carry the tone of a report, which VADER cannot see.
CHANGE_GOOD_UP = _words(
    """revenue revenues sales profit profits earnings margin margins income cash orders
    bookings demand growth availability capacity productivity efficiency output dividend
    dividends customers jobs employment satisfaction uptime reliability ebitda"""
)
CHANGE_GOOD_DOWN = _words(
    """loss losses cost costs expenses expenditure debt delays delay downtime churn
    emissions injuries incidents accidents defects complaints time times backlog deficit"""
)
CHANGE_UP = _words(
    """rose rise rises rising grew grow grows growing increased increase increases
    increasing improved improve improves improving up higher climbed gained jumped doubled
    tripled expanded widened exceeded boosted raised"""
)
CHANGE_DOWN = _words(
    """fell fall falls falling declined decline declines dropped drop drops decreased
    decrease decreases reduced reduce reduces reducing lower lowered cut cuts cutting
    narrowed narrowing shrank halved down slashed eliminated"""
)
CHANGE_NEGATORS = _words("not no never without failed didn't won't unable")

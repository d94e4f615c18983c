"""Names the local engine's entity finder recognises: titles, first names, places, org words.

Compact on purpose: these only tip a guess one way (a first name makes a PERSON, a known
place a LOCATION); the patterns around a name do most of the work.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _items(text: str) -> frozenset[str]:
    """Comma-separated entries, so multi-word names ("New York") stay whole."""
    return frozenset(" ".join(item.split()) for item in text.split(",") if item.strip())


# Written before a person's name ("Dr. Maria Lopez", "CEO Tim Cook"); compared lowercased.
TITLES = _words(
    """mr mrs ms miss mx dr prof professor sir dame lord lady rev father sister brother
    president ceo cfo coo cto cio chair chairman chairwoman chairperson director minister
    senator governor mayor judge justice general colonel captain lieutenant sergeant
    commissioner ambassador secretary chancellor king queen prince princess pope
    founder co-founder cofounder vp chief executive officer head manager spokesperson
    spokesman spokeswoman analyst economist researcher engineer coach deputy vice"""
)

# Words after a name that mark it as a person: "Maria Lopez said", "Maria Lopez, CEO of".
PERSON_VERBS = _words(
    """said says told added explained noted stated argued wrote believes thinks warned
    recalled insisted emphasised emphasized commented confirmed admitted"""
)

FIRST_NAMES = _words(
    """james john robert michael william david richard joseph thomas charles christopher
    daniel matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george
    timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry
    justin scott brandon benjamin samuel frank gregory raymond alexander patrick jack dennis
    peter henry adam nathan tim tom sam ben max oliver harry noah liam lucas leo elon jeff
    bill steve mary patricia jennifer linda elizabeth barbara susan jessica sarah karen
    nancy lisa betty margaret sandra ashley kimberly emily donna michelle carol amanda
    melissa deborah stephanie rebecca laura sharon cynthia kathleen amy angela anna emma
    olivia sophia isabella mia charlotte amelia grace chloe julia claire kate jane rachel
    hannah natalie victoria alice helen ruth maria jose juan carlos luis miguel javier
    antonio manuel francisco pedro alejandro diego pablo sofia lucia carmen elena isabel
    ana laura marta pilar rosa hans klaus jürgen stefan andreas michael thomas markus
    wolfgang uwe frank lukas felix jonas anja katrin petra sabine ursula monika julia lena
    pierre jean jacques louis françois philippe nicolas michel marie sophie camille léa
    chloé giulia marco giuseppe luca alessandro francesca chiara matteo andrea paolo
    ahmed mohammed muhammad ali omar hassan fatima aisha layla yusuf ibrahim mustafa
    raj rahul amit priya anita sanjay vikram arjun deepak sunita ravi wei li ming hui jun
    yan xin hiroshi yuki takashi kenji akira haruto sakura min-jun ji-woo seo-yeon olga
    ivan dmitri sergei natasha tatiana vladimir igor kwame amara chidi ngozi oluwaseun
    zainab thabo lars erik sven ingrid astrid nils björn anders mikael jan piotr katarzyna
    tomasz agnieszka joão ana beatriz gabriel rafael mateo santiago valentina camila
    tobias elias jannik moritz niklas sebastian florian johannes lea marlene greta ines
    inês joana tiago rui nuno duarte marguerite amélie juliette théo hugo antoine
    anouk sanne femke lotte daan bram joost pieter jeroen maarten willem sem ruben
    fergus angus callum hamish iain ewan alasdair eilidh morag catriona fiona isla niamh
    siobhan aoife sean seán ciaran declan conor padraig mairead henrik magnus einar leif
    eirik jens sigrid solveig freya kari mette kirsten birgit linnea ebba elin maja
    priya aditya rohan neha kavya ananya fatma emre mehmet elif ayşe zeynep"""
)

# The last word of a job title, and the words that qualify it: "Chief Financial Officer",
# "Programme Director", "Head" are roles, not people, and say nothing a keyword should.
ROLE_HEADS = _words(
    """officer director manager executive chair chairman chairwoman chairperson president
    secretary treasurer head lead leader founder partner analyst engineer coordinator
    administrator editor counsel controller spokesperson spokesman spokeswoman adviser
    advisor consultant principal dean ceo cfo coo cto cio cmo vp svp evp"""
)
ROLE_QUALIFIERS = _words(
    """chief senior junior vice deputy assistant associate acting interim executive
    managing general financial finance operating operations technology technical
    information marketing sales commercial product programme program project regional
    country global group division divisional legal compliance risk safety communications
    human resources people research development strategy strategic non-executive
    independent lead principal"""
)


def is_job_title(words: list[str]) -> bool:
    """Whether capitalised words name a role ("Chief Financial Officer") rather than
    someone holding it."""
    lows = [w.lower().rstrip(".") for w in words]
    return (
        bool(lows)
        and lows[-1] in ROLE_HEADS
        and all(w in TITLES or w in ROLE_QUALIFIERS or w in ROLE_HEADS for w in lows[:-1])
    )


# Last words of events ("Annual General Meeting"), which no title before them makes a person.
EVENT_HEADS = _words(
    """meeting conference summit forum festival expo exhibition championship olympics
    awards prize election webinar workshop"""
)

# Table column headers whose cells name people ("Owner | Anouk Verhoeven").
PERSON_COLUMNS = _words(
    """owner owners contact person people author authors assignee responsible lead
    manager speaker speakers presenter attendee attendees participant participants
    reviewer approver employee staff who signatory chair head"""
)

# Legal forms and institution heads: these make a name an organisation even in a heading.
ORG_SUFFIXES = _words(
    """inc inc. corp corp. corporation ltd ltd. llc llp plc gmbh ag sa s.a. nv bv se kg co
    co. company bank university college institute foundation agency ministry council
    association commission committee authority bureau federation"""
)

# Words that usually mark a capitalised name as an organisation ("Baltic Grid Partners").
ORG_WORDS = ORG_SUFFIXES | _words(
    """companies group holdings holding school department partners partnership technologies
    technology systems labs laboratories solutions industries international enterprises
    ventures capital fund trust society union board office organisation organization
    network airlines airways motors pharmaceuticals energy renewables power media studios
    records services consulting hospital clinic museum league club party court parliament
    congress senate fc logistics shipping insurance manufacturing analytics software foods
    mining chemicals"""
)

PLACES = _items(
    """Africa, Asia, Europe, North America, South America, Latin America, Oceania,
    Antarctica, Middle East, Scandinavia, Caribbean, Balkans, Southeast Asia,
    Afghanistan, Albania, Algeria, Argentina, Armenia, Australia, Austria, Azerbaijan,
    Bangladesh, Belarus, Belgium, Bolivia, Bosnia, Brazil, Bulgaria, Cambodia, Cameroon,
    Canada, Chile, China, Colombia, Costa Rica, Croatia, Cuba, Cyprus, Czech Republic,
    Czechia, Denmark, Ecuador, Egypt, Estonia, Ethiopia, Finland, France, Georgia, Germany,
    Ghana, Greece, Guatemala, Hungary, Iceland, India, Indonesia, Iran, Iraq, Ireland,
    Israel, Italy, Jamaica, Japan, Jordan, Kazakhstan, Kenya, Kuwait, Latvia, Lebanon,
    Libya, Lithuania, Luxembourg, Malaysia, Malta, Mexico, Moldova, Mongolia, Morocco,
    Mozambique, Myanmar, Nepal, Netherlands, New Zealand, Nigeria, North Korea, Norway,
    Oman, Pakistan, Panama, Paraguay, Peru, Philippines, Poland, Portugal, Qatar, Romania,
    Russia, Rwanda, Saudi Arabia, Senegal, Serbia, Singapore, Slovakia, Slovenia,
    South Africa, South Korea, Korea, Spain, Sri Lanka, Sudan, Sweden, Switzerland, Syria,
    Taiwan, Tanzania, Thailand, Tunisia, Turkey, Türkiye, Uganda, Ukraine,
    United Arab Emirates, UAE, United Kingdom, UK, U.K., Britain, Great Britain, England,
    Scotland, Wales, Northern Ireland, United States, United States of America, USA, U.S.,
    US, America, Uruguay, Uzbekistan, Venezuela, Vietnam, Yemen, Zambia, Zimbabwe, EU,
    Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware,
    Florida, Hawaii, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine,
    Maryland, Massachusetts, Michigan, Minnesota, Mississippi, Missouri, Montana, Nebraska,
    Nevada, New Hampshire, New Jersey, New Mexico, New York, North Carolina, North Dakota,
    Ohio, Oklahoma, Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota,
    Tennessee, Texas, Utah, Vermont, Virginia, Washington, West Virginia, Wisconsin,
    Wyoming, Bavaria, Ontario, Quebec, British Columbia, Alberta, Catalonia, Siberia,
    Tokyo, Delhi, New Delhi, Shanghai, São Paulo, Sao Paulo, Mexico City, Cairo, Mumbai,
    Beijing, Dhaka, Osaka, Karachi, Chongqing, Istanbul, Buenos Aires, Kolkata, Kinshasa,
    Lagos, Manila, Tianjin, Guangzhou, Rio de Janeiro, Lahore, Bangalore, Bengaluru,
    Shenzhen, Moscow, Chennai, Bogotá, Bogota, Paris, Jakarta, Lima, Bangkok, Hyderabad,
    Seoul, Nagoya, London, Tehran, Chicago, Chengdu, Nanjing, Wuhan, Ho Chi Minh City,
    Luanda, Ahmedabad, Kuala Lumpur, Hong Kong, Hangzhou, Riyadh, Baghdad, Santiago,
    Pune, Madrid, Toronto, Miami, Dallas, Houston, Atlanta, Philadelphia, Boston, Phoenix,
    Seattle, San Francisco, Los Angeles, San Diego, San Jose, Denver, Austin, Detroit,
    Minneapolis, Las Vegas, Portland, Baltimore, Nashville, Pittsburgh, New Orleans,
    Silicon Valley, Washington D.C., Barcelona, Berlin, Hamburg, Munich, München, Cologne,
    Köln, Frankfurt, Stuttgart, Düsseldorf, Leipzig, Dresden, Vienna, Wien, Zurich, Zürich,
    Geneva, Basel, Bern, Rome, Milan, Naples, Turin, Florence, Venice, Lisbon, Porto,
    Amsterdam, Rotterdam, The Hague, Brussels, Antwerp, Copenhagen, Stockholm, Oslo,
    Helsinki, Reykjavik, Dublin, Edinburgh, Glasgow, Manchester, Birmingham, Liverpool,
    Leeds, Bristol, Cambridge, Oxford, Lyon, Marseille, Toulouse, Nice, Bordeaux, Lille,
    Warsaw, Krakow, Prague, Budapest, Bucharest, Sofia, Athens, Belgrade, Zagreb, Kyiv,
    Kiev, Minsk, Riga, Vilnius, Tallinn, St. Petersburg, Saint Petersburg, Ankara,
    Tel Aviv, Jerusalem, Dubai, Abu Dhabi, Doha, Amman, Beirut, Casablanca, Nairobi,
    Addis Ababa, Johannesburg, Cape Town, Accra, Dakar, Algiers, Tunis, Sydney, Melbourne,
    Brisbane, Perth, Auckland, Wellington, Vancouver, Montreal, Calgary, Ottawa, Havana,
    Caracas, Quito, Montevideo, Guadalajara, Monterrey, Singapore, Taipei, Hanoi, Yokohama,
    Kyoto, Busan, Karachi, Colombo, Kathmandu, Almaty, Tashkent, Baku, Tbilisi, Yerevan,
    Aberdeen, Dundee, Inverness, Belfast, Cardiff, Newcastle, Sheffield, Nottingham,
    Southampton, Plymouth, Brighton, Cork, Galway, Limerick, Bergen, Stavanger, Trondheim,
    Tromsø, Gothenburg, Göteborg, Malmö, Uppsala, Aarhus, Odense, Aalborg, Turku, Tampere,
    Gdansk, Gdańsk, Wroclaw, Wrocław, Poznan, Bratislava, Ljubljana, Seville, Sevilla,
    Valencia, Bilbao, Malaga, Málaga, Nantes, Strasbourg, Rennes, Montpellier, Genoa,
    Bologna, Palermo, Utrecht, Eindhoven, Ghent, Bruges, Liège, Halifax, Winnipeg,
    Edmonton, Quebec City, Saskatoon, St. John's, Canberra, Adelaide, Hobart,
    Christchurch, Anchorage, Honolulu, Sacramento, Indianapolis, Milwaukee, Kansas City,
    Salt Lake City, Tampa, St. Louis, Cincinnati, Oakland, Nova Scotia, New Brunswick,
    Newfoundland, Newfoundland and Labrador, Labrador, Manitoba, Saskatchewan,
    Prince Edward Island, Yukon, Nunavut, Northwest Territories, New South Wales,
    Queensland, Tasmania, Western Australia, South Australia, Northern Territory,
    Yorkshire, Cornwall, Normandy, Provence, Tuscany, Sicily, Sardinia, Andalusia,
    Flanders, Wallonia, Lapland, Greenland, Faroe Islands, Svalbard, Patagonia"""
)

# Last words of place names ("Sandy Boulevard", "Stromness Town Hall").
PLACE_HEADS = _words(
    """street avenue boulevard road lane square bridge river lake valley hall harbour harbor
    bay island islands isle coast peninsula mountains airport station quay wharf county
    province district"""
)

# "to" marks a place only after a word of movement: "moved to Oslo", not "thanks to Acme".
TRAVEL_WORDS = _words(
    """move moved moving relocate relocated travel travelled traveled trip trips flight
    flights delivery deliveries ship ships shipped shipping route routes return returned
    expand expanded expansion visit visited back"""
)

# Words that make a region of a known place: "Atlantic Canada", "Southern California".
GEO_MODIFIERS = _words(
    """north south east west northern southern eastern western central upper lower greater
    atlantic pacific arctic coastal rural inner outer mainland"""
)

# Capitalised words that are not names on their own ("However", "Monday", "Revenue").
NOT_NAMES = _words(
    """january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday today yesterday
    tomorrow however meanwhile moreover furthermore overall although despite also thanks
    dear regards sincerely hello hi yes no ok okay please note notes section chapter table
    figure page appendix summary introduction conclusion overview outlook background
    according following total new first second third next last our their its his her
    this these those that there here what when where why how which who while after before
    during since until unless if then than once both each every all some many most several
    annual quarterly report results revenue"""
)

# Acronyms that name things, not organisations ("AI", "EBITDA", "USD").
NOT_ORG_ACRONYMS = _words(
    """ai ml it hr pr r&d ceo cfo coo cto cio cmo vp svp evp esg kpi kpis gdp ipo ebitda
    ebit roi api apis pdf faq usd eur gbp jpy chf cad aud cny inr fy yoy qoq q1 q2 q3 q4 h1
    h2 tv ok nb ps am pm eta gw mw kw kwh mwh gwh twh co2 ghg llc plc gmbh ag sa nv se ltd
    inc corp id ip iot saas b2b b2c ui ux pc usb gps sms dna hiv covid ev evs pv"""
)

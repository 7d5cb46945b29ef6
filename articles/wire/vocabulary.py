"""The word lists several rules share: honorifics, roles, speech verbs, names.

Known countries and organizations are here too. A list that only one rule
reads lives beside that rule instead.
"""

import re

HONORIFICS = (
    "Maj. Gen.|Lt. Gen.|Brig. Gen.|Maj.|Gen.|Lt. Col.|Col.|Lt.|Adm.|Vice Adm.|Rear Adm.|"
    "Sgt.|Capt.|Cmdr.|Cpl.|Pvt.|Dr.|Mr.|Mrs.|Ms.|Sen.|Rep.|Gov.|Lt. Gov.|Prof.|Rev.|"
    "Sir|Dame|Rabbi|Imam|Father|Sister"
).split("|")
_HONORIFIC_ALTERNATIVES = "|".join(
    re.escape(h) for h in sorted(HONORIFICS, key=len, reverse=True)
)
_HONORIFIC_BEFORE = re.compile(
    rf"(?:^|(?<=[\s(“\"]))((?:(?:{_HONORIFIC_ALTERNATIVES})\s+)+)$"
)

ROLE_NOUNS = set(
    """president vice-president chancellor minister secretary spokesperson spokesman
    spokeswoman director governor mayor senator representative ambassador general
    commander chief leader premier king queen prince princess pope judge justice
    professor chairman chairwoman chair ceo executive official officials analyst
    researcher economist editor founder coach captain adviser advisor envoy
    prosecutor attorney lawyer officer sheriff commissioner manager head deputy
    diplomat negotiator photographer reporter correspondent scientist doctor nurse
    teacher student resident owner worker activist author lawmaker legislator
    councilman councilwoman councillor superintendent dean bishop archbishop
    cardinal priest colonel lieutenant sergeant admiral marshal spokesperson
    president-elect candidate strategist historian expert taoiseach emir sultan
    alderman councilor fellow member chairperson actress actor republican democrat
    independent forward midfielder defender goalkeeper striker winger quarterback
    pitcher catcher coach manager referee captain guard center""".split()
)
ORGANIZATION_WORDS = set(
    """ministry department office forces federation sea press agency union council
    party army navy kremlin house court bank university committee commission
    organization organisation association service news times post group company
    inc. corp. corporation institute fund district province region city county state
    states republic kingdom island islands mountains river lake street square airport
    station hospital center centre church school college guard police parliament
    assembly senate congress cabinet embassy government administration alliance
    command fleet ground front bureau reserve exchange ltd. plc""".split()
)
ORGANIZATION_NOUNS = set(
    """ministry government company agency department office army military kremlin
    police administration embassy council committee commission alliance campaign
    party court pentagon group union association institute foundation authority
    project bank network operator utility airline firm""".split()
)
# Last words of company names, and what a later mention calls the company.
COMPANY_SUFFIXES = {
    suffix: "company"
    for suffix in """lines systems inc. corp. corporation holdings group airlines motors
    energy technologies labs partners co. ltd. plc transit logistics industries
    shipping""".split()
}
NOT_NAME_WORDS = set(
    """a an the in on at after before during according ahead however but and or so
    if when while as of to for from with by about over under this that these those
    it its he she they we i you his her their our my monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september
    october november december jan. feb. mar. apr. aug. sept. oct. nov. dec. mr mrs ms
    dr new last next early late earlier later meanwhile still also then there here
    separate almost all some many most several both each every other others""".split()
)
SPEECH_VERBS = (
    "said|says|added|adds|told|tells|stated|declared|announced|explained|noted|wrote|"
    "writes|argued|argues|insisted|insists|warned|warns|asked|asks|replied|continued|"
    "claimed|claims|acknowledged|admitted|urged|predicted|stressed|emphasized|recalled|"
    "characterized|characterizes|described|describes|called|calls|vowed|promised|"
    "suggested|remarked|conceded|posted|tweeted|joked|cautioned|confirmed"
)


COUNTRIES = {
    # name: words that mean it
    "Russia": ["Russia", "Russian", "Russians", "Russia’s", "Russia's"],
    "Ukraine": ["Ukraine", "Ukrainian", "Ukrainians", "Ukraine’s", "Ukraine's"],
    "Belarus": ["Belarus", "Belarusian"],
    "United States": ["U.S.", "United States", "American", "Americans"],
    "Germany": ["Germany", "German", "Germans"],
    "France": ["France", "French"],
    "United Kingdom": ["U.K.", "United Kingdom", "Britain", "British"],
    "China": ["China", "Chinese"],
    "Japan": ["Japan", "Japanese"],
    "India": ["India", "Indian"],
    "Canada": ["Canada", "Canadian"],
    "Mexico": ["Mexico", "Mexican"],
    "Brazil": ["Brazil", "Brazilian"],
    "Italy": ["Italy", "Italian"],
    "Spain": ["Spain", "Spanish"],
    "Poland": ["Poland", "Polish"],
    "Turkey": ["Turkey", "Turkish"],
    "Iran": ["Iran", "Iranian"],
    "Israel": ["Israel", "Israeli", "Israelis"],
    "Egypt": ["Egypt", "Egyptian"],
    "South Africa": ["South Africa", "South African"],
    "Nigeria": ["Nigeria", "Nigerian"],
    "Kenya": ["Kenya", "Kenyan"],
    "Australia": ["Australia", "Australian"],
    "New Zealand": ["New Zealand"],
    "Norway": ["Norway", "Norwegian"],
    "Sweden": ["Sweden", "Swedish"],
    "Finland": ["Finland", "Finnish"],
    "Netherlands": ["Netherlands", "Dutch"],
    "Greece": ["Greece", "Greek"],
    "Portugal": ["Portugal", "Portuguese"],
    "Ireland": ["Ireland", "Irish"],
    "Chile": ["Chile", "Chilean"],
    "Peru": ["Peru", "Peruvian"],
    "Argentina": ["Argentina", "Argentine"],
    "Colombia": ["Colombia", "Colombian"],
    "Indonesia": ["Indonesia", "Indonesian"],
    "Vietnam": ["Vietnam", "Vietnamese"],
    "South Korea": ["South Korea", "South Korean"],
    "North Korea": ["North Korea", "North Korean"],
    "Pakistan": ["Pakistan", "Pakistani"],
    "Saudi Arabia": ["Saudi Arabia", "Saudi"],
    "Syria": ["Syria", "Syrian"],
    "Iceland": ["Iceland", "Icelandic"],
    "Georgia": ["Georgia"],
    "Moldova": ["Moldova", "Moldovan"],
    "Lithuania": ["Lithuania", "Lithuanian"],
    "Latvia": ["Latvia", "Latvian"],
    "Estonia": ["Estonia", "Estonian"],
}
ORGANIZATIONS = {
    "NATO": ["NATO"],
    "European Union": ["European Union", "EU", "E.U."],
    "United Nations": ["United Nations", "U.N.", "UN"],
    "World Health Organization": ["World Health Organization", "WHO"],
    "International Monetary Fund": ["International Monetary Fund", "IMF"],
    "World Bank": ["World Bank"],
    "OPEC": ["OPEC"],
    "Red Cross": ["Red Cross"],
    "Federal Reserve": ["Federal Reserve"],
}
ABBREVIATIONS = {
    h.rstrip(".").split()[-1] for h in HONORIFICS if h.endswith(".")
} | set(
    "U.S U.K U.N E.U Jan Feb Mar Apr Aug Sept Oct Nov Dec St Mt No Inc Corp Ltd Jr Sr vs".split()
)
_HEADLINE_CANNOT_END = NOT_NAME_WORDS | set(
    """says say said will would could should to near into across than is are was were be
    against through toward towards despite amid among between without within along
    around behind beyond past since until via per""".split()
)

"""Word lists the rules are built from.

Kept apart from the rules so that widening coverage (a new cue verb, a new title) never
means touching the grammar. Lists are lower-case unless they are matched case-sensitively.
"""
import re

# Verbs that report speech and can frame a direct quote as well as reported speech.
SPEECH_VERBS = """
say tell note stress emphasize emphasise add explain recall specify conclude announce write
state declare claim argue insist warn suggest acknowledge admit ask reply respond continue
tweet comment report confirm deny assert maintain predict promise vow pledge urge complain
observe remark mention joke quip concede charge contend allege testify recount describe
underline reiterate repeat agree answer retort counter caution predict estimate
clarify summarize summarise lament boast brag scoff muse shout yell cry whisper chant
proclaim affirm assure recommend propose demand threaten tell blast slam criticize criticise
accuse praise thank apologize apologise question wonder inform advise indicate signal hint
disclose reveal admit announce elaborate continue begin tweet post text email rule
find show
""".split()

# Verbs of belief and stance: they frame reported content ("X believes that ..."), rarely a quote.
STANCE_VERBS = """
believe think feel hope expect fear doubt know consider guess suppose reckon worry
""".split()

IRREGULAR = {
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "writing", "written"),
    "think": ("thinks", "thought", "thinking"),
    "feel": ("feels", "felt", "feeling"),
    "know": ("knows", "knew", "knowing", "known"),
    "begin": ("begins", "began", "beginning", "begun"),
    "cry": ("cries", "cried", "crying"),
    "sum": ("sums", "summed", "summing"),
    "admit": ("admits", "admitted", "admitting"),
    "quip": ("quips", "quipped", "quipping"),
    "slam": ("slams", "slammed", "slamming"),
    "text": ("texts", "texted", "texting"),
    "post": ("posts", "posted", "posting"),
    "speak": ("speaks", "spoke", "speaking", "spoken"),
    "find": ("finds", "found", "finding"),
    "show": ("shows", "showed", "showing", "shown"),
    "point": ("points", "pointed", "pointing"),
}


def inflect(verb: str) -> list[str]:
    """Base form plus -s, past and -ing forms; good enough for the regular verbs listed above."""
    if verb in IRREGULAR:
        forms = list(IRREGULAR[verb])
        return [verb, *forms]
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return [verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"]
    if verb.endswith("e"):
        return [verb, verb + "s", verb + "d", verb[:-1] + "ing"]
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return [verb, verb + "es", verb + "ed", verb + "ing"]
    return [verb, verb + "s", verb + "ed", verb + "ing"]


# Multi-word cues written as one predicate ("is sure" after the speaker).
PHRASE_CUES = [f"{be} {adj}" for be in ("is", "are", "was", "were", "been")
               for adj in ("sure", "convinced", "confident", "certain", "afraid", "concerned",
                           "worried", "hopeful", "optimistic", "skeptical", "adamant")] + [
    "went on", "goes on", "points out", "pointed out", "pointing out", "made clear",
    "makes clear", "sums up", "summed up"]

# Adverbs and auxiliaries that may sit between the speaker and the cue ("also said", "has
# noted", "continues to insist"); any "-ly" adverb counts too, except these nouns.
AUX_WORDS = set("""also later then once previously recently further again has have had would
will could may might did does do still even repeatedly often earlier first finally now just
already not long never always""".split())
AUX_BEFORE_TO = set("""continues continued tried tries seemed seems appeared appears wanted wants
refused declined began begins""".split())
NOT_ADVERBS = set("""family ally rally assembly supply reply daily july italy bully monopoly
anomaly fly only""".split())

SPEECH_FORMS = sorted({f for v in SPEECH_VERBS for f in inflect(v)} | set(PHRASE_CUES),
                      key=len, reverse=True)
STANCE_FORMS = sorted({f for v in STANCE_VERBS for f in inflect(v)}, key=len, reverse=True)

# Forms that are far more often nouns than verbs ("the head of state noted", "in a tweet"):
# they never act as a cue.
NOUN_FORMS = {"state", "states", "post", "posts", "text", "texts", "comment", "comments",
              "question", "questions", "answer", "answers", "signal", "signals", "hint",
              "hints", "thanks", "thank", "cry", "cries", "demand", "demands", "report",
              "charge", "charges", "counter", "tweet", "estimate", "estimates", "fear",
              "fears", "hope", "hopes", "doubt", "doubts", "worry", "praise", "guess",
              "begin", "began", "begun", "beginning", "begins", "continue", "point", "sum",
              "know", "known", "knowing", "written", "writing", "telling", "feeling",
              "thinking", "add", "note", "claim", "claims", "promise", "promises", "vow",
              "vows", "pledge", "pledges", "question", "blast", "joke", "jokes",
              "remark", "remarks", "quip", "quips", "threat", "reply", "replies",
              "response", "respond", "concern", "email", "emails", "proposal", "propose",
              "repeat", "testify", "consider", "predict", "expect", "plan", "plans", "support",
              "favor", "favour", "dispute", "disputes", "attack", "attacks", "cite", "defend",
              "want", "reference", "references", "question", "mention", "mentions", "demand",
              "outline", "outlines", "challenge", "challenges", "label", "labels", "credit",
              "fault", "embrace", "welcome", "praise", "blame", "call", "calls", "back", "rule",
              "rules", "ruling", "finding", "showing"}

# Verbs that take a bare clause as object ("Cruz said he would not ..."): only these frame
# reported speech without "that", which keeps narrative verbs ("added a clause") out.
BARE_CLAUSE = {f for v in """say tell think believe claim argue insist warn add note suggest predict
admit acknowledge feel hope know write assert contend maintain complain explain recall stress
emphasize emphasise announce declare state concede allege reply respond fear doubt guess
suppose reckon worry confirm report tweet remark observe conclude reiterate agree estimate
indicate find show""".split() for f in inflect(v)} - {"tell", "tells", "telling", "know", "knowing",
                                         "known", "feel", "feeling", "writing", "written", "find", "finding",
                                         "show", "showing",
                                         # rules-1.9: 'maintained its lead', 'declared victory':
                                         # these take 'that' before reported speech.
                                         "maintain", "maintains", "maintained", "maintaining",
                                         "declare", "declares", "declared", "declaring"}

PRONOUNS = {"he": "m", "she": "f", "they": "p", "i": "s", "we": "p", "it": "n", "him": "m",
            "her": "f", "them": "p", "me": "s", "us": "p"}

# Words that open a descriptor of a person rather than a name.
DETERMINERS = {"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its",
               "our", "one", "another", "some", "several", "many", "two", "three", "both"}

# Capitalised words that open sentences rather than names ('Still Vogel insisted', 'Following Sanders'): never
# a given name before a surname.
SENTENCE_OPENERS = {"today", "tonight", "yesterday", "later", "earlier", "now", "asked", "like", "unlike", "only",
                    "said", "says", "told", "dear", "thank", "thanks", "former", "new", "then", "instead", "indeed",
                    "already", "again", "though", "although", "neither", "either", "following", "joining", "still",
                    "even", "also", "both"}

# Titles and role heads. Order does not matter; matching is on lower-case tokens.
OFFICIAL_WORDS = """
president minister secretary spokesman spokeswoman spokesperson governor senator sen. rep.
representative congressman congresswoman mayor ambassador chancellor premier chairman
chairwoman chair general gen. lt. col. colonel admiral commander official officials
prosecutor attorney judge justice speaker leader deputy vice head chief director
press ombudsman envoy diplomat king queen prince minister-counselor lawmaker legislator
councilman councilwoman commissioner sheriff gov. governor-general mp mep delegate
nominee candidate sergeant sgt. captain capt. major maj. officer aide adviser advisor
lieutenant marshal mr. mrs. ms. dr. prime attorney-general treasurer administrator
inspector superintendent staffer strategist manager campaign pm councillor councilor
del. delegate
""".split()

# Titles of people that make them neither officials nor experts ("the Rev. Peter Wherry").
TITLE_WORDS = """rev. reverend pastor rabbi imam bishop father fr. msgr. cardinal""".split()

EXPERT_WORDS = """
expert analyst analysts experts professor prof. researcher scientist economist historian
scholar fellow lecturer academic sociologist strategist pollster dean rector observer
commentator researchers specialist consultant psychologist meteorologist
""".split()

# Organisation words that make the head of an organisation an expert rather than an official.
EXPERT_ORGS = re.compile(
    r"\b(?:center|centre|institute|university|universit|academy|department\s+of\s+\w+\s+at|"
    r"school|college|faculty|foundation|think\s+tank|council\s+on|laboratory|lab\b|"
    r"RANEPA|MGIMO|HSE|Brookings|Carnegie|Heritage|Cato|RAND)", re.I)

# Organisations of the state: their heads are officials.
STATE_ORGS = re.compile(
    r"\b(?:ministry|government|agency|service|administration|kremlin|white\s+house|"
    r"department|committee|commission|parliament|duma|senate|congress|house|council|"
    r"police|army|military|forces|office|cabinet|state|federal|republic|CSTO|NATO|UN\b)", re.I)

# Sources without names: kept with their descriptor as the speaker.
ANONYMOUS = re.compile(
    r"\b(?:sources?|insiders?|officials?|people\s+familiar|person\s+familiar|aides?|"
    r"a\s+(?:senior\s+)?(?:spokes(?:man|woman|person)|representative))\b", re.I)

# Role aliases that name the same office in other words.
ROLE_ALIASES = {"head of state": "president", "head of government": "prime minister",
                "the kremlin spokesman": "press secretary", "premier": "prime minister"}

# Modifiers that change who is meant: a deputy minister is not the minister.
RANK_MODIFIERS = {"deputy", "vice", "former", "ex", "acting", "assistant", "first", "late",
                  "vice-president", "ex-president", "interim", "associate"}

# Tokens that end with a period without ending a sentence.
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "lt", "gen", "col", "sgt",
                 "capt", "maj", "adm", "st", "jr", "sr", "inc", "co", "corp", "ltd", "no",
                 "vs", "u.s", "u.n", "u.k", "e.u", "d.c", "jan", "feb", "mar", "apr", "aug",
                 "sept", "sep", "oct", "nov", "dec", "mt", "ft", "gov", "rev", "pres", "messrs",
                 "a.m", "p.m", "e.g", "i.e", "etc", "approx", "dept", "univ", "ave", "blvd",
                 "del", "atty", "sens", "reps", "supt", "cmdr", "fr", "msgr"}

# Capitalised words that never belong to a person's name.
NOT_NAME = {"the", "a", "an", "and", "but", "or", "in", "on", "at", "of", "for", "to", "by",
            "with", "from", "as", "this", "that", "these", "those", "it", "he", "she", "they",
            "we", "i", "you", "his", "her", "their", "our", "my", "your", "there", "here",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december", "yes", "no", "when", "while",
            "after", "before", "if", "so", "then", "also", "however", "meanwhile", "what",
            "who", "why", "how", "where", "according", "all", "some", "many", "most",
            "both", "each", "every", "one", "two", "three", "last", "next", "thanks", "half",
            "several", "few", "none", "even", "still", "yet", "maybe", "perhaps"}

PREPOSITIONS = {"in", "on", "at", "during", "after", "before", "with", "from", "for", "to",
                "by", "about", "over", "under", "since", "until", "through", "via", "amid",
                "among", "against", "outside", "inside", "into", "near", "per", "like"}

# Nouns for people that head a descriptor ("the ad's narrator", "a senior aide").
PERSON_NOUNS = set(OFFICIAL_WORDS) | set(EXPERT_WORDS) | set("""
source sources member members resident residents voter voters supporter supporters narrator
author writer founder owner executive ceo editor correspondent reporter organizer activist
student worker woman man people person spokesperson aides advisers insider insiders
host anchor father mother son daughter wife husband friend candidate nominee group
newspaper paper poll survey report study statement campaign agency ministry magazine
channel network website company firm court committee organization organisation
police authorities prosecutors investigators lawmakers democrats republicans critics
government administration office team department spokesmen parents relatives family
""".split())
PERSON_NOUNS |= {w + "s" for w in PERSON_NOUNS} | {w + "es" for w in PERSON_NOUNS}

# Things that speak for their authors: "one study found ...", "Polls show ...". They may head
# the subject of a cue when the sentence's own subject is something else.
SOURCE_NOUNS = set("""study studies poll polls survey surveys analysis analyses report reports
data research review audit memo memos document documents records figures numbers video videos
footage email emails letter letters statement statements filing complaint lawsuit ruling
forecast forecasts estimates model models index average averages ad ads article articles
book books website site blog post tweet tweets release investigation probe findings
testimony court judge panel jury study's""".split())

# rules-1.15: words that head the name of an organisation ('Center for American Progress',
# 'Bank of America', 'Islamic Society of Boston'): a 'for' or 'of' after them belongs to the name.
ORG_HEADS = set("""center centre institute institution university college school academy society
party union congress council committee association foundation alliance coalition league
federation bank fund project network group partnership hall board bureau commission agency
department ministry office court church club corporation company trust forum caucus conference
initiative movement museum library service services administration authority citizens americans
democracy""".split())

# rules-1.15: adjectives that describe a document rather than name its author ('New polls',
# 'Early analysis', 'Opinion polls', 'Canadian records').
DOCUMENT_ADJECTIVES = set("""new early earlier recent latest instant opinion exit national internal
public private online previous initial preliminary final official separate independent
several other canadian american british russian chinese german french mexican""".split())

# Adjectives that may open a descriptor in lower case ("former president ...").
ROLE_ADJECTIVES = {"former", "senior", "retired", "top", "chief", "deputy", "acting", "current",
                   "longtime", "veteran", "leading", "prominent", "well-known", "independent",
                   "political", "military", "russian", "american", "local", "federal", "state",
                   "republican", "democratic", "press", "campaign", "white", "new", "vice"}

# Words that show a phrase is a clause, not a speaker ("the organization is stabilizing").
CLAUSE_WORDS = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can",
                "could", "should", "must", "do", "does", "did", "not", "be", "been", "being",
                "that", "which", "if", "because", "when", "while", "than", "there", "it's",
                "we", "you", "i", "my", "me", "us", "they're", "we're", "i'm", "isn't",
                "wasn't", "don't", "doesn't", "didn't", "won't", "can't", "may", "might",
                "so", "just", "too", "also", "here", "now", "then", "what",
                "how", "why", "this", "these", "those", "whether", "after", "before", "since",
                "until", "unless", "though", "although", "where", "whereas", "turned"}

# Verbs of stance toward a thing rather than a proposition ("Trump has called for the repeal
# of ...", "Clinton criticized the plan"): their object is the attributed content. Only used
# when the subject right before them reads as a speaker.
OBJECT_VERBS = """
criticize criticise attack condemn describe blast label dub liken compare accuse blame
oppose propose reject dismiss praise cite reference highlight reveal demand seek defend
challenge dispute welcome applaud endorse encourage mention want plan tout hail laud credit
fault mock deride ridicule lambaste denounce decry advocate champion embrace unveil outline
recommend question slam insist acknowledge concede call reject
""".split()
OBJECT_PARTICLES = {"call": ("for", "on"), "comment": ("on",), "talk": ("about",),
                    "speak": ("about", "of", "out against"), "focus": ("on",), "apologize": ("for",),
                    "complain": ("about",), "push": ("for",), "warn": ("of", "about", "against"),
                    "argue": ("for", "against"), "advocate": ("for",), "worry": ("about",),
                    "refer": ("to",), "point": ("to",), "lash": ("out at",), "rail": ("against",),
                    "rule": ("against", "on"), "take": ("aim at",)}
# Stance adjectives after a copula: "Graham has been critical of Trump".
STANCE_ADJECTIVES = [f"{be} {adj}" for be in ("is", "are", "was", "were", "been")
                     for adj in ("critical of", "supportive of", "skeptical of", "opposed to",
                                 "dismissive of", "wary of", "proud of")]
# Verbs whose content may be an infinitive: "vowed to punish ...", "urged voters to ...".
INFINITIVE_VERBS = {f for v in """vow pledge promise urge ask tell agree refuse decline threaten
want plan hope expect intend seek try aim encourage call""".split() for f in inflect(v)}

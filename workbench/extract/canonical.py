"""Canonical speakers: one person per article under the fullest name the article gives.

A speaker phrase as the rules cut it may carry more than the name: a title ("Mr. Burman",
"Professor Katrin Vogel"), an affiliation ("... of the University of Lisbon"), a time or place
("Victor Almeida at a briefing on Sunday morning"), the next sentence ("John Smith. Maria
Lopez") or the verb that followed ("Trump took to Twitter overnight to"). clean_phrase() cuts
a phrase down to its speaker before the registry resolves it; canonicalize() then gives every
statement of one person the fullest name and the role of the fullest mention, and
speaker_key() names the person across articles.
"""
import re
import unicodedata
from functools import lru_cache

from .lexicon import (ABBREVIATIONS, CLAUSE_WORDS, DETERMINERS, DOCUMENT_ADJECTIVES, EXPERT_WORDS, NOT_ADVERBS,
                      NOT_NAME, OFFICIAL_WORDS, ORG_HEADS, PERSON_NOUNS, PREPOSITIONS, ROLE_ADJECTIVES, SENTENCE_OPENERS,
                      SOURCE_NOUNS, SPEECH_FORMS, TITLE_WORDS)
from .headline import TITLE_CUE
from .speaker_type import classify
from .surname_scan import name_words_before

# Forms of address that say nothing about the role: dropped from the name, not kept.
_ADDRESS = {"mr", "mrs", "ms", "messrs", "mx", "miss", "mme", "m"}
# Titles that are stripped even when only a surname follows ("Professor Vogel"): words that
# never open the name of an organisation or a place, unlike "General" (Motors) or "Justice"
# (Department).
_PERSON_TITLES = {"professor", "prof", "dr", "doctor", "sen", "senator", "rep", "representative",
                  "gov", "governor", "rev", "reverend", "councillor", "councilor", "councilman",
                  "councilwoman", "del", "delegate", "mayor", "president", "secretary", "minister",
                  "chancellor", "ambassador", "congressman", "congresswoman", "judge", "speaker",
                  "premier", "pastor", "rabbi", "imam", "bishop", "father", "sheriff", "lt", "gen",
                  "col", "sgt", "capt", "maj", "adm", "atty", "supt", "cmdr", "fr", "msgr"}
_TITLES = _PERSON_TITLES | {w.strip(".") for w in OFFICIAL_WORDS + EXPERT_WORDS} | set(TITLE_WORDS)
# Lower-case words that may stand inside a name ("Ludwig van Beethoven", "Osama bin Laden").
_PARTICLES = {"de", "van", "von", "der", "den", "bin", "al", "da", "di", "du", "la", "le", "ter",
              "ten", "del", "dos", "das", "y"}
_TOKEN = re.compile(r"\S+")
_NAME_TOKEN = re.compile(r"(?:[^\W\d_][\w’'-]*\.?|[^\W\d_]\.(?:[^\W\d_]\.)*)$")
_TIME_TAIL = re.compile(
    r"\s+(?:(?:on|late|early)\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"(?:\s+(?:morning|afternoon|evening|night))?$|\s+(?:yesterday|today|tonight|overnight|"
    r"(?:last|this)\s+(?:week|month|year|morning|night|evening)|earlier|later)$")
_SOURCES = "|".join(sorted(SOURCE_NOUNS | {"speech", "interview", "remarks", "statement", "email",
                                           "note", "tweet", "op-ed", "letter", "column"},
                           key=len, reverse=True))
_NAME_RUN = r"(?:[A-Z][\w.’'&-]*\s+){0,5}[A-Z][\w.’'&-]*"
# "Donald Trump’s tweet", "the IMF report", "a speech Mrs. Clinton delivered at ...": the
# document stands for its author.
_OWNED_SOURCE = re.compile(rf"(?:the\s+)?({_NAME_RUN})[’']s\s+(?:[a-z][\w-]*\s+){{0,2}}(?:{_SOURCES})")
_OWNED_WORDS = re.compile(rf"({_NAME_RUN})[’']s((?:\s+[a-z][\w-]*){{1,3}})")
_NAMED_SOURCE = re.compile(rf"(?:the\s+)?({_NAME_RUN})\s+(?:{_SOURCES})")
_SOURCE_BY = re.compile(rf"(?:an?|the|his|her|their|its)\s+(?:[\w-]+\s+)?(?:{_SOURCES})\s+"
                        rf"({_NAME_RUN})\s+[a-z]")
# 'his speech', 'her statement': the document of the person the pronoun stands for.
_PRONOUN_SOURCE = re.compile(rf"(his|her)\s+(?:[\w-]+\s+){{0,2}}(?:{_SOURCES})", re.I)
_SENTENCE_BREAK = re.compile(r"(?<=[a-z])\.\s+(?=[A-Z])")


def _bare(tok: str) -> str:
    return tok.lower().strip(".,’'")


def _is_name_token(tok: str, nxt: str | None) -> bool:
    if tok[:1].isupper() and _NAME_TOKEN.match(tok):
        return True
    # A particle counts only inside a name, before a capitalised word.
    return tok in _PARTICLES and nxt is not None and nxt[:1].isupper()


def _sentence_break(phrase: str) -> int | None:
    """Where 'John Smith. Maria Lopez' ends its first sentence (a title's period ends nothing)."""
    for m in _SENTENCE_BREAK.finditer(phrase):
        word = phrase[:m.start()].split()[-1].lower()
        if word not in ABBREVIATIONS:
            return m.start()
    return None


# Party and state labels after a politician's name: "Rep. Stephen Lynch (D-Mass.)", "Mitch McConnell, R-Ky.,".
PARTY = re.compile(r"\s*\((?:[DRI]|[A-Z][\w.]*)(?:-[\w. ]{1,12})?\)|,\s*[DRI]-[A-Z][\w.]{1,10}(?=,|\s*$)")


@lru_cache(maxsize=8192)     # pure on a string; speakers repeat within and across articles
def clean_phrase(phrase: str) -> tuple[str, str | None]:
    """The speaker in a phrase, and an affiliation cut from its end ('of the University of
    Lisbon'), if any. Only the part before the first comma is cut; an apposition after it is
    the registry's to read."""
    phrase = phrase.strip()
    if any(ch in phrase for ch in "\"“”"):
        return phrase, None                 # quoted words: no name to cut out
    phrase = PARTY.sub("", phrase).strip(" ,")  # rules-1.16: the label is no part of the name
    cut = _sentence_break(phrase)
    if cut is not None:
        phrase = phrase[:cut]
    head, comma, rest = phrase.partition(",")
    head = head.strip()
    if comma and rest.strip() and (fronted_adverb(head) or _participle_phrase(head)):
        # rules-1.14: 'Reluctantly, Brafman', 'Subsequently, Attorney General Loretta Lynch',
        # 'Railing Against Trump, Sanders': a sentence adverb or participle phrase before the
        # comma is no part of the speaker.
        return clean_phrase(rest)
    owner = _PRONOUN_SOURCE.fullmatch(head)
    if owner:
        return ("he" if owner.group(1).lower() == "his" else "she"), None
    for pattern in (_OWNED_SOURCE, _SOURCE_BY, _NAMED_SOURCE):
        m = pattern.fullmatch(head) if pattern is not _SOURCE_BY else pattern.match(head)
        # rules-1.15: 'New polls', 'Early analysis': an adjective of the document is no author.
        if m and m.group(1).split()[0].lower() not in DETERMINERS \
                and any(_bare(t) not in NOT_NAME and _bare(t) not in DOCUMENT_ADJECTIVES for t in m.group(1).split()):
            head = m.group(1)
            break
    owned = _OWNED_WORDS.fullmatch(head)
    if owned and not any(_bare(w) in PERSON_NOUNS or w in ROLE_ADJECTIVES for w in owned.group(2).split()) \
            and _bare(owned.group(1).split()[0]) not in NOT_NAME:
        head = owned.group(1)               # rules-1.14: "Trump's recent evidence-free (assertion)"
    head = _TIME_TAIL.sub("", head)
    head, affiliation = _cut_after_name(head)
    if affiliation is None:
        head = _cut_clause(head)
    if head.endswith(".") and _bare(head.split()[-1]) not in ABBREVIATIONS \
            and "." not in head.split()[-1][:-1] and not re.search(r"(?:^|\s)[A-Z]\.$", head):
        head = head[:-1]
    if affiliation is None and comma:
        return head + "," + rest, None
    return head, affiliation


def _cut_after_name(head: str) -> tuple[str, str | None]:
    """'Trump took to Twitter overnight to' -> 'Trump'; 'Katrin Vogel of the University of
    Lisbon' -> ('Katrin Vogel', 'of the University of Lisbon'); a descriptor stays whole
    ('Democratic presidential candidate Hillary Clinton', 'Secretary of State Jason Kander')."""
    toks = _TOKEN.findall(head)
    i = 0
    while i < len(toks) and _is_name_token(toks[i], toks[i + 1] if i + 1 < len(toks) else None):
        i += 1
    if i == 0 or i == len(toks) or toks[0].lower() in DETERMINERS or _bare(toks[0]) in NOT_NAME \
            or _bare(toks[i - 1]) in _TITLES or _bare(toks[i - 1]) in PERSON_NOUNS:
        return head, None
    word = toks[i].lower()
    if word in PERSON_NOUNS or word in ROLE_ADJECTIVES or word.endswith(("’s", "'s")):
        return head, None                   # 'Democratic leaders', 'Several former RT journalists'
    name = " ".join(toks[:i])
    after = toks[i + 1:]
    if word in ("of", "for", "from", "at") and after and (
            after[0][:1].isupper() or after[0] == "the" and len(after) > 1 and after[1][:1].isupper()):
        if word in ("of", "for") and (_bare(toks[i - 1]) in ORG_HEADS or word == "for" and i == 1):
            # rules-1.15: 'Citizens for Tax Justice', 'Bank of America', 'Center for American
            # Progress': the preposition belongs to an organisation's name. A person's affiliation
            # follows a full name ('Senator Marco Rubio of Florida', 'Cameron Easley for Morning Consult').
            return head, None
        return name, _TIME_TAIL.sub("", " ".join(toks[i:]))
    if word in PREPOSITIONS and (not after or not after[0][:1].isupper()):
        return name, None                   # 'at a briefing', 'on Sunday'
    if word in ("in", "near", "outside", "inside", "during") and after:
        return name, None                   # rules-1.9: 'in Lisbon on Monday': a place, no affiliation
    for tok in toks[i:]:
        if tok[:1].isupper():
            break
        if _verbish(tok):
            return name, None               # 'took to Twitter', 'plans to', 'didn’t'
    return head, None


# rules-1.14: adverbs that may close a speaker phrase ('Rubio only', 'Clinton herself', 'the
# Democrats also') or open a sentence before its subject; no part of the speaker.
_TAIL_ADVERBS = {"also", "only", "however", "himself", "herself", "themselves", "itself", "all",
                 "both", "too", "soon", "though", "instead", "again", "alone", "first", "then",
                 "now", "still", "together", "earlier", "later", "recently", "previously",
                 "eventually", "originally", "quickly", "repeatedly"}
# Irregular verb forms that show a speaker phrase ran on into its clause ('Mrs. Clinton struck
# many of the same', 'Trump laid out his').
_MORE_PAST_FORMS = {"struck", "laid", "shot", "drew", "threw", "spent", "cast", "sought", "fought",
                    "taught", "caught", "bought", "meant", "dealt", "fled", "knew", "grew", "rose",
                    "fell", "broke", "chose", "drove", "swore", "stuck", "hit", "let", "built"}


def _adverb(tok: str) -> bool:
    """A lower-case adverb: 'also', 'recently', 'quickly' (not 'family', 'ally', 'only' a noun)."""
    word = tok.strip(".,;:")
    return word in _TAIL_ADVERBS or word.islower() and len(word) > 4 and word.endswith("ly") \
        and word not in NOT_ADVERBS


def fronted_adverb(word: str) -> bool:
    """A capitalised sentence adverb that opens a sentence ('Recently', 'Subsequently',
    'Hastily'), not a name that ends in -ly ('Kelly', 'Donnelly', 'Beverly')."""
    low = word.lower()
    return word[:1].isupper() and " " not in word.strip() and (low in _TAIL_ADVERBS or (
        len(low) > 5 and low.endswith("ly") and low.isalpha() and low not in NOT_ADVERBS
        and not low.endswith(("elly", "olly", "illy", "erly", "ully"))))


def fronted_participle(word: str) -> bool:
    """A capitalised -ing word long enough to open a participle phrase ('Railing', 'Speaking'), not a
    name or a short word ('King', 'Sing')."""
    return len(word) > 5 and word[:1].isupper() and word[1:].isalpha() and word[1:].islower() \
        and word.endswith("ing")


def _participle_phrase(head: str) -> bool:
    """'Railing Against Trump': a participle and the words it holds."""
    words = head.split(maxsplit=1)
    return len(words) == 2 and fronted_participle(words[0])


def _headline_break(tok: str) -> bool:
    """rules-1.14: a title-case cue, verb or preposition inside a headline's capitalised words
    ('Carly Fiorina Endorses Ted Cruz', 'Hollande Says Donald Trump', 'CNN President On Trump'):
    the name ends before it. Names write their prepositions in lower case ('Center for ...')."""
    word = tok.strip(".,;:")
    low = word.lower()
    return word[:1].isupper() and (TITLE_CUE.fullmatch(word) is not None or low in _HEADLINE_WORDS)


def _cut_clause(head: str) -> str:
    """rules-1.14: the speaker before a verb or an adverb that shows the phrase ran on into its
    clause: 'Former Secretary of State Madeleine Albright recently urged women to ...' ->
    'Former Secretary of State Madeleine Albright', 'Trump earlier Tuesday backed away from a'
    -> 'Trump', 'ACLU executive Director Anthony Romero in a statement' -> '... Anthony Romero',
    'the Democrats also' -> 'the Democrats'. The words kept must end in a capitalised one."""
    toks = _TOKEN.findall(head)
    if len(toks) < 2 or not (toks[0][:1].isupper() or _bare(toks[0]) in DETERMINERS):
        return head
    cut = None
    for k in range(1, len(toks)):
        tok, nxt = toks[k], toks[k + 1] if k + 1 < len(toks) else None
        word = tok.lower().strip(".,;:")
        if _headline_break(tok) and nxt is not None:     # 'Al From': a surname
            cut = k
            break
        if tok[:1].isupper() or word in _PARTICLES or word == "to" and (nxt is None or nxt[:1].isupper()):
            continue                        # 'Aides to Clinton', 'Ambassador to France'
        if _verbish(tok) or word in _MORE_PAST_FORMS or _adverb(tok) \
                or word in ("in", "on") and nxt is not None and nxt.lower() in ("a", "an"):
            cut = k
            break
    if cut is None:
        return head
    keep = toks[:cut]
    while len(keep) > 1 and (_TIME_TAIL.search(" " + keep[-1]) or _adverb(keep[-1])):
        keep.pop()                          # 'Trump earlier Tuesday'
    if not keep[-1][:1].isupper() or _bare(keep[-1]) in NOT_NAME \
            or len(keep) == 1 and fronted_adverb(keep[0]):
        return head                         # 'Immediately After Obama’s Terror Speech
    return " ".join(keep)


_PAST_FORMS = {"took", "went", "made", "gave", "got", "came", "said", "told", "wrote", "spoke",
               "began", "sent", "put", "set", "held", "led", "left", "ran", "saw", "won", "lost",
               "became", "brought", "thought", "felt", "kept", "stood", "sat", "met", "paid"}


_HEADLINE_WORDS = (PREPOSITIONS - {"like"}) | _PAST_FORMS | _MORE_PAST_FORMS | {
    "is", "are", "was", "were", "does", "did", "not", "has", "have"}


def _verbish(tok: str) -> bool:
    """A lower-case word that reads as a verb or clause word: the speaker phrase ran on."""
    word = tok.lower().strip(".,;:")
    return word in CLAUSE_WORDS or word in _PAST_FORMS or word == "to" \
        or word.endswith(("ed", "ing", "n’t", "n't")) and len(word) > 4


@lru_cache(maxsize=8192)
def strip_titles(name: str) -> tuple[str, str | None]:
    """'Mr. Burman' -> ('Burman', None); 'Professor Katrin Vogel' -> ('Katrin Vogel',
    'Professor'); 'General Motors' stays whole. Forms of address are dropped, titles kept."""
    toks = name.split()
    titles: list[str] = []
    while len(toks) > 1:
        word = _bare(toks[0])
        abbreviated = toks[0].endswith(".")
        if word in _ADDRESS:
            toks = toks[1:]
        elif word in _PERSON_TITLES or word in _TITLES and (abbreviated or len(toks) > 2):
            titles.append(toks.pop(0))
        else:
            break
    return " ".join(toks), " ".join(titles) or None


@lru_cache(maxsize=8192)
def is_name(speaker: str | None) -> bool:
    """A speaker written as a proper name ('Katrin Vogel', 'The New York Times'), not a
    descriptor ('a senior official') or a pronoun."""
    if not speaker:
        return False
    toks = speaker.split()
    if toks[0].lower() == "the":
        toks = toks[1:]
    return bool(toks) and _bare(toks[0]) not in NOT_NAME and all(
        _is_name_token(t, toks[k + 1] if k + 1 < len(toks) else None)
        or t in ("of", "for", "and", "&", "the") and 0 < k < len(toks) - 1
        for k, t in enumerate(toks))


@lru_cache(maxsize=8192)
def speaker_key(speaker: str | None) -> str | None:
    """A stable id of a named speaker, the same in every article: the canonical name folded
    to lower-case ASCII words joined by '-' ('Katrin Vogel' -> 'katrin-vogel'). None for
    descriptors and pronouns, which name nobody in particular across articles."""
    if not is_name(speaker):
        return None
    folded = unicodedata.normalize("NFKD", speaker).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", folded)
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return "-".join(words) or None


def _compatible(short: str, full: str) -> bool:
    """Every word of short is in full, and they end with the same surname."""
    s, f = short.lower().split(), full.lower().split()
    return s[-1] == f[-1] and set(s) <= set(f)


_SPEECH_WORDS = frozenset(SPEECH_FORMS)


def _full_names_in(text: str, surnames: set[str]) -> set[str]:
    """Names written in full in the text that end in one of surnames: 'Donald J. Trump' for
    'Trump'. Only name words count: a title or a sentence opener ends the name."""
    out = set()
    for hit, firsts in name_words_before(text, surnames):
        for k in range(len(firsts) - 1, -1, -1):
            if _headline_break(firsts[k]):
                firsts = firsts[k + 1:]     # 'Hollande Says Donald Trump' -> 'Donald Trump'
                break
        while firsts and (_bare(firsts[0]) in NOT_NAME or _bare(firsts[0]) in _TITLES
                          or _bare(firsts[0]) in SENTENCE_OPENERS or _bare(firsts[0]) in PERSON_NOUNS
                          or _bare(firsts[0]) in _SPEECH_WORDS):   # rules-1.16: 'Stated Stone:'
            firsts = firsts[1:]
        if firsts and not any(_bare(f) in _TITLES or _bare(f) in NOT_NAME for f in firsts):
            out.add(" ".join(firsts + [hit.group()]))
    return out


def canonicalize(text: str, resolved: list, entity_names: list[str]) -> None:
    """Give every named speaker of one article its fullest name and the role of its fullest
    mention. resolved: the Resolved of each statement (shared ones are handled once);
    entity_names: the full names the article's registry holds."""
    people: dict[int, object] = {id(r): r for r in resolved if is_name(r.speaker)}
    if not people:
        return
    base: dict[int, tuple[str, str | None]] = {k: strip_titles(r.speaker) for k, r in people.items()}
    names = {n for n, _ in base.values()} | {strip_titles(n)[0] for n in entity_names if is_name(n)}
    names |= _full_names_in(text, {n.split()[-1].lower() for n, _ in base.values()})
    by_surname: dict[str, list[str]] = {}
    for n in names:
        by_surname.setdefault(n.split()[-1].lower(), []).append(n)
    fullest: dict[str, str] = {}
    for n in names:
        fits = [f for f in by_surname[n.split()[-1].lower()] if _compatible(n, f)]
        longest = max(fits, key=lambda f: (len(f.split()), len(f), f))
        # Two fuller names that do not fit each other ('Bill Clinton', 'Hillary Clinton') leave
        # a bare 'Clinton' as written.
        fullest[n] = longest if all(_compatible(f, longest) for f in fits) else n
    # The role of the fullest mention: the one written with the most name words, then the
    # longest role ("Professor of the University of Lisbon" over "Professor").
    roles: dict[str, tuple[int, int, str]] = {}
    for k, r in people.items():
        name, title = base[k]
        role = r.role or title
        if role:
            rank = (len(name.split()), len(role), role)
            canon = fullest[name]
            if canon not in roles or rank > roles[canon]:
                roles[canon] = rank
    for k, r in people.items():
        canon = fullest[base[k][0]]
        role = roles[canon][2] if canon in roles else None
        r.speaker = _without_role_tail(canon, role)
        r.role = role
        r.type = classify(r.role)


def _without_role_tail(name: str, role: str | None) -> str:
    """'Kazakhstan Mukhamedzhan Talasov' under the role 'Deputy Minister of Defense of Kazakhstan': the
    fuller name took the role's last word ('... of Kazakhstan Mukhamedzhan Talasov'); the name is the rest."""
    words = name.split()
    if role and len(words) >= 3 and words[0] == role.split()[-1]:
        return " ".join(words[1:])
    return name

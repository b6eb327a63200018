"""Who is who in one article: names with their roles, and resolution of later references.

A speaker phrase is split into a name and a role; a registry built from the article's own
mentions ("Defense Minister Sergei Shoigu", "Dmitry Abzalov, president of ...", "the head of
Roscosmos, Dmitry Rogozin,") turns surnames, pronouns and role descriptors into full names.
"""
import re
from dataclasses import dataclass, field

from .lexicon import (ANONYMOUS, CLAUSE_WORDS, DETERMINERS, EXPERT_WORDS, NOT_NAME, OFFICIAL_WORDS, PERSON_NOUNS,
                      PRONOUNS, RANK_MODIFIERS, ROLE_ADJECTIVES, ROLE_ALIASES, SENTENCE_OPENERS, TITLE_WORDS)
from .canonical import clean_phrase
from .sorted_blocks import SortedBlocks
from .speaker_type import classify

_TITLES = set(OFFICIAL_WORDS) | set(EXPERT_WORDS) | set(TITLE_WORDS) | {"mr.", "mrs.", "ms.", "dr.", "prof."}
_HONORIFICS = {"mr.", "mrs.", "ms.", "dr.", "prof.", "sen.", "rep.", "gov.", "gen.", "lt.",
               "col.", "sgt.", "capt.", "maj.", "adm.", "rev.", "president", "minister",
               "senator", "governor", "mayor", "chancellor", "premier", "secretary", "judge",
               "general", "ambassador", "speaker", "director", "professor", "chairman"}
_CONNECTORS = {"of", "for", "the", "and", "at", "on", "in"}
_INITIAL = re.compile(r"^[A-Z]\.$")
_TOKEN = re.compile(r"[^\s,;:()]+")
_GENERIC_EXPERT = re.compile(r"\b(?:expert|analyst|political scientist|scientist|economist|"
                             r"professor|specialist|researcher|historian|observer)\b", re.I)


def _is_name_token(tok: str) -> bool:
    if _INITIAL.match(tok):
        return True
    word = tok.strip("’'.").lower()
    if not tok[:1].isupper() or word in NOT_NAME or tok.lower() in _TITLES or word in _TITLES:
        return False
    # Acronyms (CSTO, NATO) name organisations, not people.
    return not (len(tok) > 1 and tok.isupper())


def split_name(phrase: str) -> tuple[str | None, str | None]:
    """("Defense Minister Sergei Shoigu") -> ("Sergei Shoigu", "Defense Minister")."""
    toks = _TOKEN.findall(phrase.replace("’s ", " ’s ").replace("'s ", " 's "))
    if not toks:
        return None, None
    end = len(toks)
    while end and toks[end - 1] in ("’s", "'s"):
        end -= 1
    i = end
    while i > 0 and _is_name_token(toks[i - 1]) and end - i < 4:
        # A capitalised word right after "of"/"for" belongs to the role ("of Kazakhstan").
        if i - 2 >= 0 and toks[i - 2].lower() in _CONNECTORS and i - 1 < end - 1:
            break
        i -= 1
    if i == end:
        return None, None
    name_toks = toks[i:end]
    role_toks = toks[:i]
    while role_toks and role_toks[0].lower() in DETERMINERS:
        role_toks = role_toks[1:]
    if len(name_toks) == 1 and not role_toks and len(toks) > 1:
        return None, None
    if len(name_toks) == 1 and role_toks and role_toks[-1].lower() not in _HONORIFICS \
            and role_toks[-1].lower() not in _TITLES:
        return None, None
    if role_toks and role_toks[-1].lower() in {"mr.", "mrs.", "ms.", "dr."}:
        name_toks = [role_toks.pop(), *name_toks]
    role = " ".join(role_toks) or None
    if role and not any(t.lower().strip(".") in _TITLES or t.lower() in _TITLES for t in role_toks):
        return None, None
    return " ".join(name_toks), role


def is_role(phrase: str) -> bool:
    """A descriptor headed by a person noun: 'president of the Center ...', 'the head of X'."""
    if _PARTY_OF.match(phrase):
        return True                         # 'Senator Joni Ernst, Republican of Iowa, said'
    words = phrase.split()
    if words and _POSSESSIVE.search(words[0]) and len(words) > 1:
        words = words[1:]                   # "Clinton's campaign chairman"
        phrase = " ".join(words)
    toks = [_POSSESSIVE.sub("", t).strip(",.") for t in phrase.lower().split()]
    while toks and (toks[0] in DETERMINERS or toks[0] in ROLE_ADJECTIVES):
        toks = toks[1:]
    if not toks or any(t in CLAUSE_WORDS for t in toks):
        return False
    if toks[0] in PERSON_NOUNS or len(toks) > 1 and toks[1] in PERSON_NOUNS \
            and phrase.split()[0][:1].islower():
        return True
    # 'a meteorologist at ...': an agent noun after an article in apposition.
    return phrase.lower().startswith(("a ", "an ")) and toks[0].endswith(_AGENT_SUFFIXES)


_POSSESSIVE = re.compile(r"[’']s$")
_PARTY_OF = re.compile(r"(?:an?\s+|the\s+)?(?:Republican|Democrat|Democratic|Independent|Libertarian)"
                       r"\s+(?:of|from)\s+[A-Z]")
_AGENT_SUFFIXES = ("ist", "ian", "er", "or", "ant", "ent", "ee", "ive")


def _surname(name: str) -> str:
    return name.split()[-1].lower().strip("’'.")


_GIVEN_WORD = re.compile(r"[A-Z][a-z’'-]+|[A-Z]\.")


def _given_names(name: str) -> set[str]:
    """The words before the surname that look like a person's given names or initials: no titles or
    honorifics ('Mr.', 'Sen.'), no run-in words ('Committee. Sanders', 'Following Sanders')."""
    out = set()
    for word in name.split()[:-1]:
        low = word.lower()
        if not _GIVEN_WORD.fullmatch(word) or low in _TITLES or low in _HONORIFICS or low in NOT_NAME \
                or low in DETERMINERS or low in SENTENCE_OPENERS or low.endswith("ing") and len(low) > 5:
            continue
        out.add(low.strip("."))
    return out


def _same_person(a: str, b: str) -> bool:
    """Two names of one surname can be one person when one's given names hold the other's: 'Donald J.
    Trump' / 'Donald Trump' / 'Mr. Trump' / 'Trump', not 'Bill Clinton' / 'Hillary Clinton'. Initials
    match the names they start ('J.' / 'John')."""
    x, y = _given_names(a), _given_names(b)
    small, big = (x, y) if len(x) <= len(y) else (y, x)
    return all(w in big or len(w) == 1 and any(v.startswith(w) for v in big) for w in small)


@dataclass
class Entity:
    name: str
    role: str | None = None
    # Registration order: of two entities last mentioned at the same offset, the first wins.
    order: int = 0
    # Offsets of narrative mentions, sorted; duplicates are harmless.
    mentions: SortedBlocks = field(default_factory=SortedBlocks)

    @property
    def surname(self) -> str:
        return _surname(self.name)

    def last_seen_before(self, pos: int) -> int:
        """Offset of the last mention before pos, -1 when there is none."""
        hit = self.mentions.last_below(pos)
        return hit[0] if hit is not None else -1


@dataclass
class Resolved:
    speaker: str | None
    role: str | None
    type: str


def _norm_tokens(role: str) -> set[str]:
    role = role.lower()
    for alias, canon in ROLE_ALIASES.items():
        role = role.replace(alias, canon)
    return {t[:5] for t in re.findall(r"[a-z][a-z-]+", role)
            if t not in ("of", "the", "for", "and", "in", "at", "a", "an")}


def role_matches(descriptor: str, role: str) -> bool:
    want, have = _norm_tokens(descriptor), _norm_tokens(role)
    rank = {m[:5] for m in RANK_MODIFIERS}
    if (want & rank) != (have & rank):
        return False
    return bool(want) and want <= have


class Registry:
    """Entities of one article with the offsets where the narrative mentions them.

    Lookups use indexes rather than scans of every entity and mention: a long document holds
    thousands of people and a mention of one at nearly every speaker, and resolving each
    speaker by a scan made extraction quadratic in the document's length.
    """

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        # Entities by surname. Two people may share one ('Bernie Sanders', 'Jane Sanders'): a name
        # with given names joins the entity whose given names fit (_same_person), a bare surname the
        # one of them mentioned last.
        self._by_surname: dict[str, list[Entity]] = {}
        self._mentions = SortedBlocks()      # (offset, entity order) -> entity, every mention
        # Entities that have a role, in the order they got it, and the same by each word of
        # the role (_norm_tokens). A role is set once and never changed, so which of them fit
        # a descriptor is worked out once per descriptor and then only for newcomers; and as a
        # fitting role holds every word of the descriptor, one word's list holds all candidates.
        self._with_role: list[Entity] = []
        self._by_role_word: dict[str, list[Entity]] = {}
        self._pools: dict[tuple, list[Entity]] = {}      # test -> the list its candidates come from
        self._fitting: dict[tuple, list[Entity]] = {}    # test -> the candidates that fit
        self._checked: dict[tuple, int] = {}              # test -> how many candidates were tried

    def add(self, name: str, role: str | None, pos: int, mentioned: bool = True) -> Entity:
        """Register name (or find it), give it role if it has none; a mention at pos counts
        for later resolution only if mentioned (it lies in the narrative)."""
        ent = self.find(name, pos)
        if ent is None:
            ent = Entity(name, role, order=len(self.entities))
            self.entities[name] = ent
            self._by_surname.setdefault(ent.surname, []).append(ent)
            if role:
                self._got_role(ent)
        else:
            given, known = _given_names(name), _given_names(ent.name)
            if (given > known or given == known and len(name.split()) > len(ent.name.split())) \
                    and not name.startswith(("Mr", "Ms", "Dr")):
                ent.name = name             # same surname and fitting given names: _by_surname still holds
            if role and not ent.role:
                ent.role = role
                self._got_role(ent)
        if mentioned:
            self.seen(ent, pos)
        return ent

    def seen(self, ent: Entity, pos: int) -> None:
        ent.mentions.add(pos)
        self._mentions.add((pos, ent.order), ent)

    def find(self, name: str, pos: int | None = None) -> Entity | None:
        """The entity name refers to: the one of its surname whose given names fit (rules-1.16: 'Jane
        Sanders' is not 'Bernie Sanders'); for a bare surname or 'Mr. Sanders', the one of them mentioned
        last before pos (the last registered when none was)."""
        if name in self.entities:
            return self.entities[name]
        fitting = [e for e in self._by_surname.get(_surname(name), ()) if _same_person(name, e.name)]
        if len(fitting) < 2:
            return fitting[0] if fitting else None
        if pos is None:
            return fitting[-1]
        return max(fitting, key=lambda e: (e.last_seen_before(pos), -e.order))

    def _latest(self, pos: int) -> Entity | None:
        """The entity mentioned last before pos (the first registered, when several are)."""
        hit = self._mentions.last_below((pos, -1))
        if hit is None:
            return None
        at = hit[0][0]
        return next(self._mentions.irange((at, -1), (at + 1, -1)))[1]

    def _got_role(self, ent: Entity) -> None:
        self._with_role.append(ent)
        for word in _norm_tokens(ent.role):
            self._by_role_word.setdefault(word, []).append(ent)

    def _latest_expert(self, pos: int) -> Entity | None:
        """Like _latest(), among entities whose role makes them experts."""
        return self._latest_fitting(pos, ("expert",), self._with_role,
                                    lambda role: classify(role) == "expert")

    def _latest_in_role(self, pos: int, descriptor: str) -> Entity | None:
        """Like _latest(), among entities whose role fits descriptor (role_matches)."""
        key = ("descriptor", descriptor)
        if key not in self._pools:
            words = sorted(_norm_tokens(descriptor))
            # No words, no fit (role_matches); else the shortest list of one of the words.
            self._pools[key] = min((self._by_role_word.setdefault(w, []) for w in words),
                                   key=len, default=[])
        return self._latest_fitting(pos, key, self._pools[key],
                                    lambda role: role_matches(descriptor, role))

    def _latest_fitting(self, pos: int, key: tuple, pool: list[Entity], fits) -> Entity | None:
        """Like _latest(), among the entities of pool whose role fits(role). pool only grows
        and holds every entity that can fit; key names the test, to remember its results."""
        fitting = self._fitting.setdefault(key, [])
        fitting.extend(e for e in pool[self._checked.get(key, 0):] if fits(e.role))
        self._checked[key] = len(pool)
        best, best_at = None, -1
        for ent in fitting:
            at = ent.last_seen_before(pos)
            if at > best_at or at == best_at and best is not None and ent.order < best.order:
                best, best_at = ent, at
        return best

    def resolve(self, phrase: str, pos: int) -> Resolved:
        """Full name, role and type for a speaker phrase found at offset pos."""
        phrase, affiliation = clean_phrase(phrase.strip(" ,"))
        low = phrase.lower()
        if low in PRONOUNS:
            if low in ("he", "she", "him", "her"):
                ent = self._latest(pos)
                if ent:
                    self.seen(ent, pos)
                    return Resolved(ent.name, ent.role, classify(ent.role))
            return Resolved(None, None, "other")
        parts = [p.strip() for p in re.split(r",\s*", phrase) if p.strip()]
        name = role = None
        for part in parts:
            n, r = split_name(part)
            if n and name is None:
                name, role = n, r or role
            elif part and is_role(part) and role is None:
                role = re.sub(r"^(?:the|a|an)\s+", "", part, flags=re.I)
        if name:
            if affiliation:                 # 'Professor Katrin Vogel of the University of Lisbon'
                role = f"{role} {affiliation}" if role else affiliation
            ent = self.add(name, role, pos)
            return Resolved(ent.name, ent.role or role, classify(ent.role or role))
        words = low.split()
        if len(words) == 1 and phrase[:1].isupper():
            ent = self.find(phrase, pos)
            if ent:
                self.seen(ent, pos)
                return Resolved(ent.name, ent.role, classify(ent.role))
            ent = self.add(phrase, None, pos)
            return Resolved(phrase, None, "other")
        desc = re.sub(r"^(?:the|this|that)\s+", "", phrase, flags=re.I)
        if ANONYMOUS.search(phrase) and not low.startswith("the "):
            return Resolved(phrase, None, "other")
        if _GENERIC_EXPERT.fullmatch(desc.lower()):
            ent = self._latest_expert(pos)
        elif all(w[:1].isupper() for w in desc.split()) and not is_role(desc) \
                and not any(w.lower() in _TITLES for w in desc.split()):
            ent = None                      # rules-1.10: 'The Tax Policy Center' is no person in it
        else:
            ent = self._latest_in_role(pos, desc)
        if ent:
            self.seen(ent, pos)
            return Resolved(ent.name, ent.role, classify(ent.role))
        return Resolved(phrase, desc if is_role(phrase) else None, classify(desc))


# (the lookahead only lets the scan skip, faster, the positions no run can start at)
_CAP_RUN = re.compile(
    r"(?=[A-Zoft])(?:(?:[A-Z][\w’'.-]*|of|for|the)\s+){0,8}[A-Z][\w’'-]*[a-z][\w’'-]*")
_APPOS_AFTER = re.compile(r",\s+((?:the\s+)?[a-z][^,.;:“”\"]{3,120}?)(?=[,.;]|\s+(?:said|says|told))")
_APPOS_BEFORE = re.compile(r"\b[Tt]he\s+([^,.;“”\"]{3,80}),\s+$")


def build_registry(text: str, narrative) -> Registry:
    """Collect people named with a title or an apposition; narrative(pos) says a spot is
    outside quotes, where mentions count for later pronoun and role resolution."""
    reg = Registry()
    for m in _CAP_RUN.finditer(text):
        phrase = m.group()
        # Cheap filter first: a person is registered only with a title or an apposition.
        if " " not in phrase and not text.startswith(", ", m.end()) or not (
                text.startswith(", ", m.end()) or text[max(0, m.start() - 2):m.start()] == ", "
                or any(t.lower() in _TITLES for t in phrase.split())):
            continue
        name, role = split_name(phrase)
        if not name and (" of " in phrase or " for " in phrase):
            # 'Professor Katrin Vogel of the University of Lisbon': the name before the affiliation.
            head, affiliation = clean_phrase(phrase)
            name, role = split_name(head) if affiliation else (None, None)
            if name and role:
                role = f"{role} {affiliation}"
        if not name:
            continue
        start = m.start() + phrase.rfind(name.split()[0]) if name.split()[0] in phrase else m.start()
        after = _APPOS_AFTER.match(text, m.end())
        if after and is_role(after.group(1)) and not role:
            role = re.sub(r"^the\s+", "", after.group(1))
        before = _APPOS_BEFORE.search(text, max(0, m.start() - 90), m.start()) \
            if text[max(0, m.start() - 2):m.start()] == ", " else None
        if before and is_role("the " + before.group(1)) and not role:
            role = before.group(1)
        if role:
            reg.add(name, role, start, mentioned=narrative(start))
    _index_surnames(text, reg, narrative)
    return reg


_CAPITALISED = re.compile(r"(?<![\w’'-])[A-Z][\w-]+")


def _index_surnames(text: str, reg: Registry, narrative) -> None:
    if not reg.entities:
        return
    by_surname: dict[str, list[Entity]] = {}
    for e in reg.entities.values():
        if len(e.surname) > 2:
            by_surname.setdefault(e.surname, []).append(e)
    if not by_surname:
        return
    for m in _CAPITALISED.finditer(text):
        ents = by_surname.get(m.group().lower())
        if not ents or not narrative(m.start()):
            continue
        before = text[max(0, m.start() - 40):m.start()].split()
        first = before[-1] if before and text[m.start() - 1:m.start()] == " " else ""
        if len(before) < 2 or before[-2][-1:] in ".!?”\"":
            first = ""                      # 'Still Sanders said': a sentence opener, not a given name
        given = _given_names(f"{first} {m.group()}") if first else set()
        if given:
            # 'Jane Sanders' is a mention of Jane, not of the Bernie Sanders registered before her
            ents = [e for e in ents if given <= _given_names(e.name)]
        if ents:                            # a bare surname two people share: the one the article named first
            reg.seen(min(ents, key=lambda e: e.order), m.start())

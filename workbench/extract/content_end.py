"""Where reported content ends: the writer's afterthoughts and asides after what was said.

Shared by the sentence rules (reported.py) and the stance-object rules (stance_rules.py).
"""
import re

from .candidate import words as _words


def open_quote(text: str, s: int, pos: int) -> bool:
    """pos lies inside a quotation opened after s (its commas belong to the quote)."""
    seg = text[s:pos]
    return seg.count("“") > seg.count("”") or seg.count('"') % 2 == 1


# Where reported content gives way to the writer's own words ('... said the plan works,
# meaning ...'). Only these few: relative clauses, contrasts and dash asides were tried too,
# but gold content runs on over them more often than not.
_AFTERTHOUGHT = re.compile(r",\s+(?:meaning|including|implicitly)\b")


def cut_afterthought(text: str, s: int, e: int) -> int:
    """End of reported content at its first afterthought, when at least 3 words come before."""
    for m in _AFTERTHOUGHT.finditer(text, s, e):
        if _words(text, s, m.start()) >= 3 and not open_quote(text, s, m.start()):
            return m.start()
    return e


_OBJECT_END = re.compile(r"\s[-–—]\s|;\s")


def cut_object(text: str, s: int, e: int) -> int:
    """End of a stance verb's object: reported content's afterthoughts, and also the writer's
    asides that follow an object ('likened the rules to X - a charge that ...')."""
    e = cut_afterthought(text, s, e)
    for m in _OBJECT_END.finditer(text, s, e):
        if _words(text, s, m.start()) >= 5 and not open_quote(text, s, m.start()):
            return m.start()
    return e


# rules-1.11: where a stance verb's object gives way to the writer's words: a clause of time or
# cause ('criticized the law during a campaign stop'), a relative or appositive set off by a
# comma (', who took heat for ...', ', the nation's largest coal company'), a new clause (', but
# his battles ...', ', it's safe to say'). PolNeAR ends the object before them.
_OBJECT_ADJUNCT = re.compile(r",\s+(?:but|so|yet|who|which|a|an|the)\s|"
                             r",\s+(?:it|this|he|she|they|we|I|there)(?:’s|'s)?\s|"
                             r"\s(?:during|since|because|after|before|when|while|following)\s")


def cut_adjunct(text: str, s: int, e: int) -> int:
    """End of a stance verb's object before the writer's adjuncts (_OBJECT_ADJUNCT); not inside
    a quotation, and not where a quotation follows: that is the speech."""
    for m in _OBJECT_ADJUNCT.finditer(text, s, e):
        if open_quote(text, s, m.start()):
            continue
        if re.search(r"[“\"«]", text[m.start():e]):
            return e
        if m.group().startswith(",") and re.search(r",\s+(?:of|as|for|to|with)\s", text[m.end():e]):
            continue                        # 'accused Rafael Cruz, who was born in Cuba, of ...'
        return m.start()
    return e



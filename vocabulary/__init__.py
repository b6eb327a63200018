"""The workbench's words: annotation tasks, their labels, and the decision log's actions, reasons and verdicts.

One definition imported by db/ (what a row may hold), models/ (what a classifier outputs, in
id2label order) and workbench/ (what the screens, imports and exports accept). Plain tuples and
nothing imported: every layer can depend on this package without depending on another layer
(tests/test_vocabulary.py holds the database and the shipped models to it).
"""
from __future__ import annotations

# The annotation tasks, in the order the workbench lists them (exports, reports, `models list`).
STANCE = "stance"
SENTIMENT = "sentiment"
TASKS = (STANCE, SENTIMENT)

# Each task's labels in the models' id2label order (id 0 first): a classifier's logits are read in this order.
STANCE_LABELS = ("favor", "against", "neutral")
SENTIMENT_LABELS = ("positive", "negative", "neutral")
LABELS_BY_TASK = {STANCE: STANCE_LABELS, SENTIMENT: SENTIMENT_LABELS}
# Sentiment as an ordinal scale (low to high): the order ordinal agreement measures distances on.
SENTIMENT_SCALE = ("negative", "neutral", "positive")

# Not an annotation task: the gate's score that a (statement, target) pair is about the target at all.
# Stored as prediction rows (model name and version, never overwritten) with `score` = what the queue
# thresholds; never asked of an annotator. Its training examples come from the annotators' verdicts
# (a stance label = related, a not_about verdict = unrelated).
RELATEDNESS_TASK = "relatedness"
RELATED = "related"
UNRELATED = "unrelated"
RELATEDNESS_LABELS = (RELATED, UNRELATED)
PREDICTION_LABELS = {**LABELS_BY_TASK, RELATEDNESS_TASK: RELATEDNESS_LABELS}

# What an annotator's event in the decision log does. not_about: the annotator's verdict that the
# statement is not about the target at all (no stance asked); undo withdraws the event it supersedes.
NOT_ABOUT = "not_about"
# Corrections of the extraction (db/corrections.py), events of the same log: not_statement (the span is no
# statement at all), fix_span and fix_speaker (the corrected_* fields hold the new value), add_statement
# (the annotator added a statement the extractor missed; the statement row is theirs).
CORRECTION_ACTIONS = ("not_statement", "fix_span", "fix_speaker", "add_statement")
DECISION_ACTIONS = ("label", "skip", "flag", "undo", NOT_ABOUT) + CORRECTION_ACTIONS

# The flag reason (and the adjudicator's verdict) that says a span is not a statement at all: its labels
# are no example of anything, so gold exports and training leave the statement out.
NOT_A_STATEMENT = "not_a_statement"
# Why an annotator flagged or hesitated (the reasons dialog offers them in this order, keys 1-6).
REASON_CODES = ("sarcasm", "hedge", "reported_speech", "needs_context", "wrong_speaker", NOT_A_STATEMENT)

# An adjudicator's gold verdicts besides a label, per task: the item is excluded rather than labelled
# (not about the target: stance only; not a statement: both tasks).
GOLD_VERDICTS = {STANCE: (NOT_ABOUT, NOT_A_STATEMENT), SENTIMENT: (NOT_A_STATEMENT,)}

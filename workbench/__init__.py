"""Stance & Sentiment Workbench: extract quoted statements, pre-label, annotate, export."""

__version__ = "0.1.0"

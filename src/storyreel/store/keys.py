"""Cache keys: sha256 of a canonical JSON encoding of a stage's inputs.

A key covers the stage's name, its inputs, the backend's identity and version, and the keys of
everything upstream, so a change anywhere above a stage changes its key and nothing else does.
The encoding is canonical (sorted keys, no whitespace, exact types for fractions, paths and
arrays) so the same inputs give the same key on every machine and every run.

A hosted job's key (`job_key`) is the one exception to that encoding: it keeps the JSON its
ledger rows were first keyed by, so a project's paid-for jobs are found again, never paid twice.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

FORMAT = 1  # bump when the encoding or a stage's meaning changes: every key changes with it


_AS_IS = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> Any:
    """A JSON-encodable value that stands for `value` exactly."""
    kind = type(value)  # the common plain types first, by exact type (no ABC checks)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, BaseModel):
        return _plain(value.model_dump(mode="python"))
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return {"float": str(value)}
        return value
    if isinstance(value, Fraction):
        return {"fraction": f"{value.numerator}/{value.denominator}"}
    if isinstance(value, Path):
        return {"path": value.as_posix()}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, np.ndarray):
        return {"array": [list(value.shape), str(value.dtype), digest(np.ascontiguousarray(value))]}
    if isinstance(value, bytes):
        return {"bytes": digest(value)}
    raise TypeError(f"cannot key a {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """The canonical JSON bytes of `value`."""
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


def digest(data: bytes | memoryview | np.ndarray) -> str:
    """sha256 hex of raw bytes."""
    return hashlib.sha256(
        memoryview(data).cast("B") if isinstance(data, np.ndarray) else data
    ).hexdigest()


def stage_key(
    stage: str,
    *,
    backend: tuple[str, str] | None = None,
    upstream: list[str] | None = None,
    **inputs: Any,
) -> str:
    """The cache key of one stage run: its name, backend (name, version), upstream keys and inputs."""
    return digest(
        canonical(
            {
                "format": FORMAT,
                "stage": stage,
                "backend": list(backend) if backend else None,
                "upstream": list(upstream or []),
                "inputs": inputs,
            }
        )
    )


def job_key(vendor: str, model: str, kind: str, **inputs: Any) -> str:
    """The key of a hosted job in the project's ledger: a digest of everything that decides what
    comes back (vendor, model, kind of job, the request's inputs)."""
    return digest(
        json.dumps(
            {"vendor": vendor, "model": model, "kind": kind, **inputs}, sort_keys=True, default=str
        ).encode()
    )

"""How a delivery worker is tuned: its claim batch, lease, retry delays, concurrency and idle wait,
from the settings unless a caller (a test, the benchmark) says otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Settings


@dataclass(frozen=True)
class Tuning:
    batch: int = 500  # claimed jobs waiting behind the senders
    lease: int = 60  # seconds a claim stays this worker's
    retry_delays: tuple[float, ...] = (5.0, 300.0)
    concurrency: int = 256
    idle: float = 1.0  # longest wait between looks when nothing is due

    @classmethod
    def from_settings(cls, s: Settings, **kw) -> "Tuning":
        values = {"batch": s.worker_batch, "lease": s.lease_seconds, "retry_delays": tuple(s.retry_delays)}
        return cls(**{**values, **{k: v for k, v in kw.items() if v is not None}})

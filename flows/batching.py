"""Windows of different meetings transcribed together: one batcher per flow process.

A meeting's logic (``flows.transcription.MeetingLogic``) submits a window and gets a
:class:`Ticket`; it looks at the ticket again when the batcher says the result should be there
(:meth:`WindowBatcher.due_in`), so no meeting waits on another's window and the worker thread
never blocks on the model. The batch adapts to load:

- a window that finds the model idle starts at once, with whatever was submitted with it;
- a window that arrives while a batch runs waits for it to end, then for at most
  ``max_wait_s`` more for batch-mates; the next batch takes up to ``max_batch`` windows, oldest
  first.

``max_batch`` 1 means no batcher: each window is transcribed inline, as the flow always did
(:class:`InlineBatcher`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber, WindowRequest, choose_device
from domain.transcript import RecognizedSpan

log = logging.getLogger("vori.batching")

Result = tuple[list[RecognizedSpan], str | None] | Exception


class ModelUnavailable(Exception):
    """The model could not be loaded: no window's fault, so the flow stops (never dead-letters)."""


class Ticket:
    """One submitted window; ``result`` is set once, by the batcher, then never changes."""

    __slots__ = ("batch_size", "found_idle", "request", "result", "started", "submitted")

    def __init__(self, request: WindowRequest, submitted: float, found_idle: bool):
        self.request = request
        self.submitted = submitted
        self.found_idle = found_idle
        self.started: float | None = None
        self.result: Result | None = None
        self.batch_size = 0

    @property
    def done(self) -> bool:
        return self.result is not None


class Batcher(Protocol):
    def submit(self, request: WindowRequest) -> Ticket: ...

    def wait(self, ticket: Ticket) -> None:
        """Block until ``ticket`` is done (a bounded run's end of input drains this way)."""

    def due_in(self, ticket: Ticket) -> float:
        """Seconds until it is worth looking at ``ticket`` again (0: it is done)."""


class InlineBatcher:
    """Transcribes each window as it is submitted, in the caller's thread (``max_batch`` 1)."""

    def __init__(self, model: Callable[[], WhisperTranscriber]):
        self._model = model

    def submit(self, request: WindowRequest) -> Ticket:
        ticket = Ticket(request, time.monotonic(), True)
        model = self._model()
        hints = {"hotwords": request.hotwords} if request.hotwords else {}
        try:
            ticket.result = model.transcribe(request.audio, prompt=request.prompt, **hints)
        except Exception as exc:
            ticket.result = exc
        ticket.batch_size = 1
        return ticket

    def wait(self, ticket: Ticket) -> None:
        return None

    def due_in(self, ticket: Ticket) -> float:
        return 0.0


# How often a meeting looks at a ticket once its batch is due to end: small against a window's
# latency, large enough that hundreds of meetings looking do not keep the worker thread busy.
_POLL_MIN_S = 0.002
_POLL_FRACTION = 0.05


class WindowBatcher:
    """One thread that runs the model on batches of windows submitted from any worker thread."""

    def __init__(
        self,
        model: Callable[[], WhisperTranscriber],
        max_batch: int = 8,
        max_wait_s: float = 0.01,
        *,
        idle_exit_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self._model = model
        self.max_batch = max_batch
        self._max_wait_s = max(0.0, max_wait_s)
        self._idle_exit_s = idle_exit_s
        self._clock = clock
        self._cond = threading.Condition()
        self._queue: deque[Ticket] = deque()
        self._running: list[Ticket] = []
        self._thread: threading.Thread | None = None
        # Recent batch durations (an average): when a running batch should end.
        self._batch_s = 0.0
        # What ran, for benchmarks and tests: how many batches of each size.
        self.batch_sizes: dict[int, int] = {}

    # -- the meetings' side ----------------------------------------------------------------

    def submit(self, request: WindowRequest) -> Ticket:
        with self._cond:
            ticket = Ticket(request, self._clock(), found_idle=not self._running)
            self._queue.append(ticket)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="whisper-batcher", daemon=True)
                self._thread.start()
            self._cond.notify_all()
        return ticket

    def wait(self, ticket: Ticket) -> None:
        with self._cond:
            while not ticket.done:
                self._cond.wait(1.0)

    def due_in(self, ticket: Ticket) -> float:
        if ticket.done:
            return 0.0
        with self._cond:
            expect = self._batch_s
            now = self._clock()
            poll = max(_POLL_MIN_S, _POLL_FRACTION * expect)
            if ticket.started is not None:
                # Wake a little before the average end, then poll: waking late adds latency,
                # waking early only costs a look.
                return max(poll, ticket.started + 0.8 * expect - now)
            running_left = 0.0
            if self._running and self._running[0].started is not None:
                running_left = max(0.0, self._running[0].started + expect - now)
            try:
                place = self._queue.index(ticket)
            except ValueError:
                place = 0
            return max(poll, running_left + 0.8 * expect * (place // self.max_batch))

    # -- the model's side ------------------------------------------------------------------

    def _take(self) -> list[Ticket]:
        """The next batch, once one should start; [] when idle long enough to let the thread go."""
        with self._cond:
            idle_since = self._clock()
            while True:
                if self._queue:
                    oldest = self._queue[0]
                    now = self._clock()
                    wait_left = oldest.submitted + self._max_wait_s - now
                    if len(self._queue) >= self.max_batch or oldest.found_idle or wait_left <= 0:
                        n = min(self.max_batch, len(self._queue))
                        batch = [self._queue.popleft() for _ in range(n)]
                        for t in batch:
                            t.started = now
                            t.batch_size = n
                        self._running = batch
                        return batch
                    self._cond.wait(wait_left)
                    continue
                left = idle_since + self._idle_exit_s - self._clock()
                if left <= 0:
                    self._thread = None  # submit starts a new one
                    return []
                self._cond.wait(left)

    def _serve(self) -> None:
        while True:
            batch = self._take()
            if not batch:
                return
            started = self._clock()
            try:
                results = self._run([t.request for t in batch])
            except BaseException as exc:  # never leave a meeting waiting on its ticket
                self._finish(batch, [RuntimeError(f"the batcher stopped: {exc!r}")] * len(batch), started)
                raise
            self._finish(batch, results, started)

    def _finish(self, batch: list[Ticket], results: Sequence[Result], started: float) -> None:
        elapsed = self._clock() - started
        with self._cond:
            for t, r in zip(batch, results, strict=True):
                t.result = r
            self._running = []
            self._batch_s = elapsed if self._batch_s == 0 else 0.7 * self._batch_s + 0.3 * elapsed
            self.batch_sizes[len(batch)] = self.batch_sizes.get(len(batch), 0) + 1
            self._cond.notify_all()

    def _run(self, requests: Sequence[WindowRequest]) -> list[Result]:
        try:
            model = self._model()
        except Exception as exc:
            failed = ModelUnavailable(f"cannot load the whisper model: {exc}")
            failed.__cause__ = exc
            return [failed] * len(requests)
        try:
            results = model.transcribe_batch(requests)
            if len(results) != len(requests):
                raise RuntimeError(f"transcribe_batch returned {len(results)} results for {len(requests)}")
            return list(results)
        except Exception as exc:
            if len(requests) == 1:
                return [exc]
            # The batch as a whole failed: read each window alone, so that one window the
            # recogniser cannot read is the only one dead-lettered.
            log.warning("a batch of %d windows failed (%r); reading them one by one", len(requests), exc)
            return [self._run([r])[0] for r in requests]


_SHARED: dict[tuple[object, ...], WindowBatcher] = {}
_SHARED_LOCK = threading.Lock()


# What ``VORI_WHISPER_MAX_BATCH=0`` (auto) means on a GPU. On this project's 2-core CPU a batch
# cost as much per window as reading it alone and held every result back until the batch ended:
# p95 1.91 s against 1.37 s inline with 6 live meetings (bench/serving.py), so auto is 1 there.
# With the encoder on a short context (VORI_WHISPER_CONTEXT_S=auto) beam search is most of a
# window's cost and batching still lost: p95 1.84 s against 0.97 s inline with 6 (under load).
GPU_MAX_BATCH = 8


def effective_max_batch(settings: Settings) -> int:
    """``whisper_max_batch``, with 0 (auto) resolved by the device the model runs on."""
    if settings.whisper_max_batch > 0:
        return settings.whisper_max_batch
    device, _ = choose_device(settings.whisper_device, settings.whisper_compute_type)
    return GPU_MAX_BATCH if device == "cuda" else 1


def shared_batcher(settings: Settings, model: Callable[[], WhisperTranscriber]) -> WindowBatcher | None:
    """The process's batcher for this model and these limits (None: a max batch of 1, inline).

    One per process, so the process's workers (threads) fill the same batches.
    """
    max_batch = effective_max_batch(settings)
    if max_batch <= 1:
        return None
    key = (
        settings.whisper_model, settings.whisper_device, settings.whisper_compute_type,
        settings.whisper_beam_size, settings.whisper_cpu_threads, settings.language,
        str(settings.model_cache_dir), max_batch, settings.whisper_max_wait_ms,
    )
    with _SHARED_LOCK:
        batcher = _SHARED.get(key)
        if batcher is None:
            batcher = _SHARED[key] = WindowBatcher(
                model, max_batch, settings.whisper_max_wait_ms / 1000
            )
        return batcher

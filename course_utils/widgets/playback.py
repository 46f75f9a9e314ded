"""Play / Pause / Step / Reset, shared by every panel that trains over time.

Play uses a hidden ``ipywidgets.Play`` as a timer in the browser: each tick trains
``epochs_per_frame`` more epochs and redraws, and between ticks the kernel is free to
handle other messages (a Pause click among them). Ticks already on their way when Pause
was pressed are ignored.

The browser sends the next tick only once the kernel has reported idle after the last one
(ipywidgets keeps one message in flight per widget), so Play's rate is one frame per round
trip. With ``defer_frames`` (the Playground, which ticks fast) the tick's handler only
schedules the frame on the kernel's event loop and returns: the kernel reports idle at once,
and the next tick travels while this frame is drawn. At most one frame waits at a time (a
tick arriving meanwhile is dropped), so Pause and slider changes never queue behind frames.
Without a running event loop (tests calling ``tick``) a frame is drawn at once.
"""
from __future__ import annotations

import asyncio
import contextlib

import ipywidgets as W

from .. import experiments as ex
from .base import FAILED

__all__ = ["PlaybackMixin"]


def _running_loop():
    """The kernel's asyncio event loop while it handles a message, else None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None

_DIVERGED = "Training diverged: press Reset or change a control before playing."
_STALE = ("The controls above describe settings that could not be used (see the message before "
          "this one); change them before playing. The picture shows the last good run.")


class PlaybackMixin:
    """Transport controls for a panel.

    The panel provides ``run`` (an ``experiments.Run`` or None), ``epochs_per_frame``,
    ``retrain()``, ``_draw()``, ``_guard(fn)`` and ``_set_status(level, text)`` (see
    ``PanelBase``), and calls :meth:`_make_playback` once in its constructor.
    """

    _stale = False  # True while the controls show settings that failed to build a run
    _frame_pending = False  # a deferred frame waits on the event loop
    dropped_ticks = 0  # ticks dropped because a frame was still waiting (for benchmarks)

    def _retrain_guarded(self) -> None:
        """Retrain from the controls; on failure, stop playing and refuse to train the old run."""
        failed = self._guard(self.retrain) is FAILED
        self._stale = failed
        if failed:
            self.pause()

    @contextlib.contextmanager
    def hold(self):
        """Change several controls, retrain once at the end (the panel's ``_quiet`` flag
        silences the per-control callbacks meanwhile)."""
        self._quiet = True
        try:
            yield self
        finally:
            self._quiet = False
        self._retrain_guarded()

    def _make_playback(self, interval: int, defer_frames: bool = False) -> None:
        n = self.epochs_per_frame
        self.play_button = W.ToggleButton(value=False, description="Play", icon="play",
                                          tooltip=f"Train {n} epochs per frame until paused")
        self.step_button = W.Button(description="Step", icon="step-forward", tooltip=f"Train {n} more epochs")
        self.reset_button = W.Button(description="Reset", icon="undo",
                                     tooltip="Back to epoch 0 with the same initial weights")
        # The browser-side clock; hidden, but rendered so that it runs.
        self.timer = W.Play(value=0, min=0, max=10**9, step=1, interval=int(interval), show_repeat=False,
                            layout=W.Layout(display="none"))
        self._defer_frames = bool(defer_frames)
        self.play_button.observe(self._on_play_button, names="value")
        self.step_button.on_click(lambda _: self._guard(self.step))
        self.reset_button.on_click(lambda _: self._guard(self.reset))
        self.timer.observe(self._on_tick, names="value")

    @property
    def playing(self) -> bool:
        return bool(self.play_button.value)

    def _diverged(self) -> bool:
        return self.run is not None and self.run.history.diverged

    def play(self) -> None:
        """Start the timer: every tick trains ``epochs_per_frame`` epochs and redraws."""
        self.play_button.value = True

    def pause(self) -> None:
        """Stop the timer; the network keeps its current weights."""
        self.play_button.value = False

    def _on_play_button(self, change) -> None:
        playing = bool(change["new"])
        if playing and (self._diverged() or self._stale):
            self.play_button.value = False
            self._set_status("warning", _STALE if self._stale else _DIVERGED)
            return
        self.play_button.description = "Pause" if playing else "Play"
        self.play_button.icon = "pause" if playing else "play"
        self.timer.playing = playing
        if not playing:
            self._guard(self._catch_up)

    def _on_tick(self, change) -> None:
        # Ticks already on their way when Pause was pressed are ignored (``tick`` checks).
        loop = _running_loop() if self._defer_frames else None
        if loop is None:
            self.tick()
        elif self._frame_pending:
            self.dropped_ticks += 1
        else:
            self._frame_pending = True
            loop.call_soon(self._deferred_tick)

    def _deferred_tick(self) -> None:
        self._frame_pending = False
        self.tick()

    def tick(self) -> None:
        """What one timer tick does: one frame while playing, nothing after Pause (public so
        tests and benchmarks can drive Play). An error pauses, so it is not repeated on every tick."""
        if self.playing and self._guard(self._advance, True) is FAILED:
            self.pause()

    def step(self) -> None:
        """Pause, then train ``epochs_per_frame`` more epochs and redraw."""
        self.pause()
        self._advance()

    def _advance(self, frame: bool = False) -> None:
        """Train ``epochs_per_frame`` epochs, then draw: everything, or with ``frame`` (a Play
        tick) what the panel's :meth:`_draw_frame` redraws on every frame."""
        if self._stale:
            self.pause()
            self._set_status("warning", _STALE)
            return
        if self.run is None or self._diverged():
            self.pause()
            return
        ex.advance(self.run, self.epochs_per_frame)
        if frame:
            self._draw_frame()
        else:
            self._draw()
        if self._diverged():
            self.pause()

    def _draw_frame(self) -> None:
        """One Play frame's drawing; a panel may redraw less than :meth:`_draw` here."""
        self._draw()

    def _catch_up(self) -> None:
        """Called when Play stops: bring up to date what frames left out (nothing here)."""

    def reset(self) -> None:
        """Pause and return to epoch 0 with the same initial weights (and the same data)."""
        self.pause()
        if self.run is None or self._stale:
            self.retrain()
            self._stale = False
            return
        ex.reset(self.run)
        self._draw()

"""Global configuration: ``funcnet.config.update(name, value)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Config:
    """Process-wide settings, read by the core on every dtype decision.

    Settings:
        enable_x64: keep 64-bit dtypes (default False: float64 → float32, int64 → int32).
        debug_nans: raise FloatingPointError at the first primitive that produces a NaN,
            naming it and the user's source line (eager ops run without their fast paths;
            a jitted function whose output has a NaN is re-run op by op to find it).

    Example:
        >>> import funcnet
        >>> funcnet.config.update("enable_x64", False)
        >>> funcnet.config.enable_x64
        False
    """

    _names = ("enable_x64", "debug_nans")

    def __init__(self) -> None:
        self.enable_x64 = False
        self.debug_nans = False
        self._listeners: list[Callable[[str, Any], None]] = []

    def update(self, name: str, value: Any) -> None:
        """Set one option by name.

        Args:
            name: one of ``"enable_x64"``, ``"debug_nans"`` (``"jax_"`` prefixes accepted).
            value: the new value.

        Raises:
            ValueError: for an unknown option name.
        """
        key = name[4:] if name.startswith("jax_") else name
        if key not in self._names:
            raise ValueError(
                f"funcnet.config.update: unknown option {name!r}; valid options: "
                f"{', '.join(self._names)}"
            )
        setattr(self, key, bool(value))
        if key == "debug_nans":
            from .core.primitive import debug_nans_flag
            debug_nans_flag[0] = bool(value)
        for fn in self._listeners:
            fn(key, value)

    def _on_change(self, fn: Callable[[str, Any], None]) -> None:
        self._listeners.append(fn)


config = Config()

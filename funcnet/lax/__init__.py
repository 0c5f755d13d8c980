"""funcnet.lax: lower-level operations (control flow lands here in a later release)."""

from ._ops import stop_gradient as stop_gradient

__all__ = ["stop_gradient"]

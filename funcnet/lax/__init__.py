"""funcnet.lax: lower-level operations: convolution, window reductions, stop_gradient
(structured control flow lands here next)."""

from ._conv import conv_general_dilated as conv_general_dilated
from ._conv import padtype_to_pads as padtype_to_pads
from ._conv import reduce_window as reduce_window
from ._ops import stop_gradient as stop_gradient

__all__ = ["conv_general_dilated", "padtype_to_pads", "reduce_window", "stop_gradient"]

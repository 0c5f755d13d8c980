"""funcnet.lax: structured control flow (cond, switch, while_loop, fori_loop, scan, map),
convolution, window reductions and stop_gradient."""

from ._control_flow import cond as cond
from ._control_flow import map as map  # noqa: A004
from ._control_flow import scan as scan
from ._control_flow import switch as switch
from ._conv import conv_general_dilated as conv_general_dilated
from ._conv import padtype_to_pads as padtype_to_pads
from ._conv import reduce_window as reduce_window
from ._loops import fori_loop as fori_loop
from ._loops import while_loop as while_loop
from ._ops import stop_gradient as stop_gradient

__all__ = sorted(n for n in dir() if not n.startswith("_") and n != "annotations")

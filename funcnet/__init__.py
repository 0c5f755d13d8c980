"""funcnet: a functional, pure-transform array library (grad, vmap, jit) on NumPy and CuPy.

Example:
    >>> import funcnet, funcnet.numpy as fnp
    >>> f = lambda x: fnp.sum(fnp.tanh(x) ** 2)
    >>> funcnet.jit(funcnet.grad(f))(fnp.zeros(3)).tolist()
    [0.0, 0.0, 0.0]
"""

from . import core as _core  # noqa: F401
from . import debug as debug
from . import lax as lax
from . import numpy as numpy
from . import random as random
from . import tree as tree
from ._config import config as config
from .core import prims as _prims  # noqa: F401  (registers every primitive)
from .core.array import Array as Array
from .core.devices import default_device as default_device
from .core.devices import device_put as device_put
from .core.devices import devices as devices
from .core.graph import Graph as Graph
from .lax import stop_gradient as stop_gradient
from .transforms.batching import vmap as vmap
from .transforms.custom import custom_jvp as custom_jvp
from .transforms.custom import custom_vjp as custom_vjp
from .transforms.grad import grad as grad
from .transforms.grad import hessian as hessian
from .transforms.grad import jacfwd as jacfwd
from .transforms.grad import jacrev as jacrev
from .transforms.grad import jvp as jvp
from .transforms.grad import value_and_grad as value_and_grad
from .transforms.grad import vjp as vjp
from .transforms.jit import disable_jit as disable_jit
from .transforms.jit import jit as jit
from .transforms.jit import make_graph as make_graph
from .transforms.remat import checkpoint as checkpoint
from .transforms.remat import remat as remat

__version__ = "0.1.0"

_LAZY = ("nn", "optim", "data", "io")


def __getattr__(name):
    # the model / training modules load on first use, keeping `import funcnet` fast
    if name in _LAZY:
        import importlib
        return importlib.import_module(f"funcnet.{name}")
    raise AttributeError(f"module 'funcnet' has no attribute {name!r}")

__all__ = ["Array", "Graph", "checkpoint", "config", "custom_jvp", "custom_vjp", "debug",
           "default_device", "device_put", "devices", "disable_jit", "grad", "hessian", "jacfwd",
           "jacrev", "jit", "jvp", "lax", "make_graph", "numpy", "random", "remat",
           "stop_gradient", "tree", "value_and_grad", "vjp", "vmap"]

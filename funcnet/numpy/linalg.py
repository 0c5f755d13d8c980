"""funcnet.numpy.linalg: linear algebra on funcnet arrays (``fnp.linalg``)."""

from ._linalg import cholesky as cholesky
from ._linalg import det as det
from ._linalg import inv as inv
from ._linalg import matmul as matmul
from ._linalg import matrix_norm as matrix_norm
from ._linalg import norm as norm
from ._linalg import outer as outer
from ._linalg import slogdet as slogdet
from ._linalg import solve as solve
from ._linalg import tensordot as tensordot
from ._linalg import trace as trace
from ._linalg import vecdot as vecdot
from ._linalg import vector_norm as vector_norm
from ._shape import matrix_transpose as matrix_transpose

__all__ = ["cholesky", "det", "inv", "matmul", "matrix_norm", "matrix_transpose", "norm",
           "outer", "slogdet", "solve", "tensordot", "trace", "vecdot", "vector_norm"]

"""funcnet.numpy.linalg: linear algebra on funcnet arrays (``fnp.linalg``)."""

from ._array_api import EighResult as EighResult
from ._array_api import QRResult as QRResult
from ._array_api import SVDResult as SVDResult
from ._array_api import eigh as eigh
from ._array_api import eigvalsh as eigvalsh
from ._array_api import linalg_cross as cross
from ._array_api import linalg_diagonal as diagonal
from ._array_api import matrix_norm as matrix_norm
from ._array_api import matrix_power as matrix_power
from ._array_api import matrix_rank as matrix_rank
from ._array_api import pinv as pinv
from ._array_api import qr as qr
from ._array_api import svd as svd
from ._array_api import svdvals as svdvals
from ._linalg import SlogdetResult as SlogdetResult
from ._linalg import cholesky as cholesky
from ._linalg import det as det
from ._linalg import inv as inv
from ._linalg import linalg_trace as trace
from ._linalg import matmul as matmul
from ._linalg import norm as norm
from ._linalg import outer as outer
from ._linalg import slogdet as slogdet
from ._linalg import solve as solve
from ._linalg import tensordot as tensordot
from ._linalg import vecdot as vecdot
from ._linalg import vector_norm as vector_norm
from ._shape import matrix_transpose as matrix_transpose

__all__ = ["cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "matmul",
           "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "norm", "outer",
           "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
           "vector_norm"]

"""funcnet.numpy.fft: the Array API FFT extension (eager NumPy / CuPy FFTs; fftshift and
ifftshift are composed, so they work under every transform)."""

from ._fft import fft_fft as fft
from ._fft import fft_fftfreq as fftfreq
from ._fft import fft_fftn as fftn
from ._fft import fft_fftshift as fftshift
from ._fft import fft_hfft as hfft
from ._fft import fft_ifft as ifft
from ._fft import fft_ifftn as ifftn
from ._fft import fft_ifftshift as ifftshift
from ._fft import fft_ihfft as ihfft
from ._fft import fft_irfft as irfft
from ._fft import fft_irfftn as irfftn
from ._fft import fft_rfft as rfft
from ._fft import fft_rfftfreq as rfftfreq
from ._fft import fft_rfftn as rfftn

__all__ = [
    "fft",
    "fftfreq",
    "fftn",
    "fftshift",
    "hfft",
    "ifft",
    "ifftn",
    "ifftshift",
    "ihfft",
    "irfft",
    "irfftn",
    "rfft",
    "rfftfreq",
    "rfftn",
]

"""torch.fft: re-exports of the discrete Fourier transforms."""
from ._ops.fft import (fft, fft2, fftn, fftshift, hfft, hfft2, hfftn, ifft, ifft2, ifftn, ifftshift,  # noqa: F401
                       ihfft, ihfft2, ihfftn, irfft, irfft2, irfftn, rfft, rfft2, rfftn)

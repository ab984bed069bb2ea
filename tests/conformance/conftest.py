"""The hosted tests' local vendor server and the diffusion tests' tiny models, for the suite."""

from tests.diffusion.conftest import models, sd_turbo, wan22  # noqa: F401
from tests.hosted.conftest import ledger, server  # noqa: F401
from tests.hosted.test_hosted import env, media  # noqa: F401

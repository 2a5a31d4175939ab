"""Moved to :mod:`schemawright.project.sources` (the project layer's loader); kept for older imports."""

from schemawright.project.sources import *  # noqa: F403
from schemawright.project.sources import __all__  # noqa: F401

from .cycle_b import SESSION  # noqa: F401 - a re-export cycle: no module defines it

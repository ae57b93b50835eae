"""Pure-Python core of jupyter_mfns: no Jupyter, tornado or IPython imports here."""

from .catalog import DEFAULT, Catalog
from .errors import MfnsError

__all__ = ["Catalog", "DEFAULT", "MfnsError"]

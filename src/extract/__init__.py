"""extract: MOFA contribution evaluation sheets to typed tables."""
from .api import extract_many, extract_pdf, extract_tables
from .rules import RulesError, load_rules

__all__ = ["extract_pdf", "extract_many", "extract_tables", "load_rules", "RulesError"]
__version__ = "0.1.0"

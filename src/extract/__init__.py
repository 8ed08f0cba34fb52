"""extract: MOFA contribution evaluation sheets to typed tables."""
__all__ = ["extract_pdf", "extract_many", "extract_tables", "load_rules", "RulesError"]
__version__ = "0.1.0"

# The API is loaded on first use (PEP 562): the batch's main process, which only hashes,
# caches and writes, does not import the readers (pdfplumber, pdfium, numpy) at all.
_LAZY = {"extract_pdf": "api", "extract_many": "api", "extract_tables": "api",
         "load_rules": "rules", "RulesError": "rules"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

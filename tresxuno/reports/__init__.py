"""Report builders and renderers (PDF, CSV, XLSX, journals); never imports PySide6."""

"""The catalogue of data problems: severities and their Vietnamese labels."""

from __future__ import annotations

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo"}

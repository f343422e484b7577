"""Core of the BCĐ 502 dashboard: configuration, sources, cleaning, indicators, report (no Streamlit)."""

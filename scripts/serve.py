"""Start the dashboard: ``streamlit run app.py`` with one correction made first.

app.py declares its pages with st.navigation, but Streamlit still treats a top-level ``pages/``
folder as an old-style multipage app until the first st.navigation call after a server start: the
first visitor who opens a shared link to a page (e.g. /theo-xa?ky=2024) would get Streamlit's English
"Page not found" notice over the right page. Telling Streamlit up front that pages/ is not such a
folder removes that. Arguments are passed on to ``streamlit run``.
"""

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())

"""Running the templates: jobs, workers and kernels, pages, PDF and the browser audit.

Imports ``reports`` and below; used by ``cli``. See docs/architecture.md for the path of a
run from ``luoshi run`` to the pages in the outputs folder.
"""

"""One module per chapter notebook, named like it: ``ch03_quality.py`` backs ``notebooks/ch03_quality.ipynb``.
Each function displays one paragraph or table, or returns one figure, from one year's data."""

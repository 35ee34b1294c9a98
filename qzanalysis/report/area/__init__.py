"""The area report (区域汇总): one module per notebook in notebooks/area/, named like it."""

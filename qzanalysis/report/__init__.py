"""Layer 3, the report pieces: number and table formatting, narrative text, the house style and charts,
and one chapter module per notebook (``report/chapters/chNN_<name>.py`` backs ``notebooks/chNN_<name>.ipynb``).
Imports only the data core and the indicators layer."""

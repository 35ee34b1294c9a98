"""Layer 4, the tools: the ``qz`` command line (``cli``), rendering notebooks to HTML (``render``), the
annual rerun (``yearly``), the audit command and the generated docs. May import every layer below."""

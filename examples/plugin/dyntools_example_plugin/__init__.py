"""An example dyntools plug-in: the ``pca`` baseline and the ``max-readout`` network.

Installed (``pip install examples/plugin``), both appear in ``dyntools baseline --help`` and
``dyntools simulate --network``, because ``pyproject.toml`` names them in the entry-point groups
``dyntools.baselines`` and ``dyntools.networks``.
"""

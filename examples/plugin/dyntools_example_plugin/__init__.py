"""An example dyntools plug-in: the ``signed-power`` marginal family, the ``pca`` baseline and
the ``max-readout`` network.

Installed (``pip install examples/plugin``), they appear in ``dyntools simulate --family``,
``dyntools baseline --help`` and ``dyntools simulate --network``, because ``pyproject.toml``
names them in the entry-point groups ``dyntools.families``, ``dyntools.baselines`` and
``dyntools.networks``.
"""

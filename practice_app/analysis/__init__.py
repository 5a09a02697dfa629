"""practice_app.analysis: the numbers (science.md sections 1-5), numpy and scipy only.

Modules (each documents its public API in its docstring):

- ``instruments``: instrument definitions (InstrumentDef) from TOML data files.
- ``scores``: ScoreMatrix, episodes x measurements (and by session number).
- ``categories``: recovered / improved / unchanged / deteriorated / harmed.
- ``trajectories``: reference pool and fitted success/fail trajectories.
- ``signals``: starter-rule and fitted not-on-track signals, alliance signal.
- ``sudden``: sudden gains and losses (Tang & DeRubeis 1999).
- ``effectiveness``: effect size, SAES, shares, bootstrap CIs over a set of episodes.
- ``windows``: effectiveness by month, quarter or year, and rolling 12 months.
- ``summary``: everything per episode on one instrument.
- ``patterns``: learning from clients (section 7): flag x feature tests, risk ratios,
  Fisher's p, Benjamini-Hochberg q, recurring, the SRS-item finding, the bunt list.
- ``pattern_features``: the candidate features those tests compare.
"""

"""Printed reports: Jinja2 templates to HTML, A4 PDF through Qt, chart images by pyqtgraph.

``render`` ties the steps together; ``environment`` holds the autoescaping template
environment, ``pdf`` the page layout, ``charts`` the chart images. Uses QtGui (and
pyqtgraph's items for the charts) but never the app's GUI package.
"""

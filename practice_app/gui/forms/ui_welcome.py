# Generated from ui/welcome.ui by `python -m practice_app.gui.forms_build`: do not edit.
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'welcome.ui'
##
## Created by: Qt User Interface Compiler version 6.12.0
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel,
    QProgressBar, QPushButton, QSizePolicy, QSpacerItem,
    QVBoxLayout, QWidget)

class Ui_WelcomeWidget(object):
    def setupUi(self, WelcomeWidget):
        if not WelcomeWidget.objectName():
            WelcomeWidget.setObjectName(u"WelcomeWidget")
        WelcomeWidget.resize(900, 640)
        self.outerLayout = QVBoxLayout(WelcomeWidget)
        self.outerLayout.setObjectName(u"outerLayout")
        self.topSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.outerLayout.addItem(self.topSpacer)

        self.centerLayout = QHBoxLayout()
        self.centerLayout.setObjectName(u"centerLayout")
        self.leftSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.centerLayout.addItem(self.leftSpacer)

        self.card = QFrame(WelcomeWidget)
        self.card.setObjectName(u"card")
        self.card.setMinimumSize(QSize(460, 0))
        self.card.setMaximumSize(QSize(640, 16777215))
        self.cardLayout = QVBoxLayout(self.card)
        self.cardLayout.setSpacing(14)
        self.cardLayout.setObjectName(u"cardLayout")
        self.cardLayout.setContentsMargins(32, 28, 32, 28)
        self.titleLabel = QLabel(self.card)
        self.titleLabel.setObjectName(u"titleLabel")

        self.cardLayout.addWidget(self.titleLabel)

        self.introLabel = QLabel(self.card)
        self.introLabel.setObjectName(u"introLabel")
        self.introLabel.setWordWrap(True)

        self.cardLayout.addWidget(self.introLabel)

        self.actionsLayout = QVBoxLayout()
        self.actionsLayout.setSpacing(10)
        self.actionsLayout.setObjectName(u"actionsLayout")
        self.loadDemoButton = QPushButton(self.card)
        self.loadDemoButton.setObjectName(u"loadDemoButton")

        self.actionsLayout.addWidget(self.loadDemoButton)

        self.loadDemoHint = QLabel(self.card)
        self.loadDemoHint.setObjectName(u"loadDemoHint")
        self.loadDemoHint.setWordWrap(True)

        self.actionsLayout.addWidget(self.loadDemoHint)

        self.startFreshButton = QPushButton(self.card)
        self.startFreshButton.setObjectName(u"startFreshButton")

        self.actionsLayout.addWidget(self.startFreshButton)

        self.startFreshHint = QLabel(self.card)
        self.startFreshHint.setObjectName(u"startFreshHint")
        self.startFreshHint.setWordWrap(True)

        self.actionsLayout.addWidget(self.startFreshHint)


        self.cardLayout.addLayout(self.actionsLayout)

        self.dropHint = QLabel(self.card)
        self.dropHint.setObjectName(u"dropHint")
        self.dropHint.setWordWrap(True)

        self.cardLayout.addWidget(self.dropHint)

        self.progressLayout = QHBoxLayout()
        self.progressLayout.setObjectName(u"progressLayout")
        self.progressBar = QProgressBar(self.card)
        self.progressBar.setObjectName(u"progressBar")
        self.progressBar.setVisible(False)
        self.progressBar.setTextVisible(True)

        self.progressLayout.addWidget(self.progressBar)

        self.cancelButton = QPushButton(self.card)
        self.cancelButton.setObjectName(u"cancelButton")
        self.cancelButton.setVisible(False)

        self.progressLayout.addWidget(self.cancelButton)


        self.cardLayout.addLayout(self.progressLayout)

        self.statusLabel = QLabel(self.card)
        self.statusLabel.setObjectName(u"statusLabel")
        self.statusLabel.setWordWrap(True)

        self.cardLayout.addWidget(self.statusLabel)


        self.centerLayout.addWidget(self.card)

        self.rightSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.centerLayout.addItem(self.rightSpacer)


        self.outerLayout.addLayout(self.centerLayout)

        self.bottomSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

        self.outerLayout.addItem(self.bottomSpacer)


        self.retranslateUi(WelcomeWidget)

        QMetaObject.connectSlotsByName(WelcomeWidget)
    # setupUi

    def retranslateUi(self, WelcomeWidget):
        self.titleLabel.setText(QCoreApplication.translate("WelcomeWidget", u"Welcome to practice-app", None))
        self.introLabel.setText(QCoreApplication.translate("WelcomeWidget", u"This database is empty. Choose how to begin; you can change your mind later.", None))
        self.loadDemoButton.setText(QCoreApplication.translate("WelcomeWidget", u"Load demo data", None))
#if QT_CONFIG(tooltip)
        self.loadDemoButton.setToolTip(QCoreApplication.translate("WelcomeWidget", u"Fill this database with three years of realistic, invented clients, scores and practice, to explore every screen", None))
#endif // QT_CONFIG(tooltip)
        self.loadDemoHint.setText(QCoreApplication.translate("WelcomeWidget", u"Explore the app with three years of invented clients, scores and practice. No real person is in it.", None))
        self.startFreshButton.setText(QCoreApplication.translate("WelcomeWidget", u"Start fresh", None))
#if QT_CONFIG(tooltip)
        self.startFreshButton.setToolTip(QCoreApplication.translate("WelcomeWidget", u"Keep this database empty and go to the overview", None))
#endif // QT_CONFIG(tooltip)
        self.startFreshHint.setText(QCoreApplication.translate("WelcomeWidget", u"Begin with an empty database and add your own clients and practice.", None))
        self.dropHint.setText(QCoreApplication.translate("WelcomeWidget", u"Tip: you can also drop a CSV or XLSX file, or an export folder, anywhere on this page to import it.", None))
        self.cancelButton.setText(QCoreApplication.translate("WelcomeWidget", u"Cancel", None))
        self.statusLabel.setText("")
        pass
    # retranslateUi


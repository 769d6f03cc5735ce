#pragma once

#include <QLoggingCategory>

// One category per module, so operators can turn each up or down with
// QT_LOGGING_RULES (e.g. "kioskgate.gate.debug=true"). No log line ever
// carries a token, a ticket or a key: only ids, reasons and addresses.
Q_DECLARE_LOGGING_CATEGORY(lcGate)
Q_DECLARE_LOGGING_CATEGORY(lcAuth)
Q_DECLARE_LOGGING_CATEGORY(lcSession)
Q_DECLARE_LOGGING_CATEGORY(lcTokens)
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)
Q_DECLARE_LOGGING_CATEGORY(lcControl)
Q_DECLARE_LOGGING_CATEGORY(lcServer)
Q_DECLARE_LOGGING_CATEGORY(lcCommands)

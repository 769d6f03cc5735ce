#include "Logging.h"

Q_LOGGING_CATEGORY(lcGate, "kioskgate.gate", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAuth, "kioskgate.auth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "kioskgate.session", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTokens, "kioskgate.tokens", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSecrets, "kioskgate.secrets", QtInfoMsg)
Q_LOGGING_CATEGORY(lcControl, "kioskgate.control", QtInfoMsg)
Q_LOGGING_CATEGORY(lcServer, "kioskgate.server", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCommands, "kioskgate.commands", QtInfoMsg)

#include "CliOutput.h"

#include "CliCommands.h"
#include "DataDirectory.h"

#include <QCommandLineParser>
#include <QJsonDocument>

#include <cstdio>

namespace KioskGate::Cli {

void out(const QString &text)
{
    std::fputs(qPrintable(text + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    std::fputs(qPrintable(QStringLiteral("kioskgate: ") + text + QLatin1Char('\n')), stderr);
}

namespace {

// An answer as printed: the control channel's "ok" is the exit status's business.
QJsonDocument withoutOk(QJsonObject object)
{
    object.remove(QStringLiteral("ok"));
    return QJsonDocument(object);
}

} // namespace

void printJson(const QJsonObject &object)
{
    std::fputs(withoutOk(object).toJson(QJsonDocument::Indented).constData(), stdout);
}

void printJsonLine(const QJsonObject &object)
{
    out(QString::fromUtf8(withoutOk(object).toJson(QJsonDocument::Compact)));
}

QString dataDirOf(const QCommandLineParser &parser, const CliContext &context)
{
    return parser.isSet(context.dataDir) ? parser.value(context.dataDir) : DataDirectory::defaultPath();
}

} // namespace KioskGate::Cli

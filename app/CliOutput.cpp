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

void printJson(const QJsonObject &object)
{
    QJsonObject copy = object;
    copy.remove(QStringLiteral("ok"));
    std::fputs(QJsonDocument(copy).toJson(QJsonDocument::Indented).constData(), stdout);
}

void printJsonLine(const QJsonObject &object)
{
    QJsonObject copy = object;
    copy.remove(QStringLiteral("ok"));
    out(QString::fromUtf8(QJsonDocument(copy).toJson(QJsonDocument::Compact)));
}

QString dataDirOf(const QCommandLineParser &parser, const CliContext &context)
{
    return parser.isSet(context.dataDir) ? parser.value(context.dataDir) : DataDirectory::defaultPath();
}

} // namespace KioskGate::Cli

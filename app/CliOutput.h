#pragma once

#include <QJsonObject>
#include <QString>

class QCommandLineParser;

namespace KioskGate {

struct CliContext;

/// What every command-line command prints, and how: one place for stdout,
/// stderr and JSON so the commands read and behave alike.
namespace Cli {

/// One line on stdout, flushed at once (progress lines of a waiting command
/// reach a pipe as they happen).
void out(const QString &text);
/// "kioskgate: TEXT" on stderr.
void err(const QString &text);
/// `object` as indented JSON on stdout, without the control channel's "ok".
void printJson(const QJsonObject &object);
/// The same on one line, flushed (JSON Lines: one object per line).
void printJsonLine(const QJsonObject &object);
/// The data directory the command acts on: --data-dir, or the default.
QString dataDirOf(const QCommandLineParser &parser, const CliContext &context);

} // namespace Cli
} // namespace KioskGate

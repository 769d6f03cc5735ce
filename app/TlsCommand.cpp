#include "TlsCommand.h"

#include "CliOutput.h"
#include "CommandLine.h"
#include "ControlPlane.h"
#include "ControlServer.h"
#include "DataDirectory.h"
#include "KioskServer.h"
#include "ServerSettings.h"
#include "SettingsStore.h"
#include "TlsAdmin.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>


namespace KioskGate {

using namespace Cli;

namespace {

void printFacts(const QJsonObject &facts, const QString &certificatePath)
{
    out(QStringLiteral("Certificate:      %1").arg(facts.value(QStringLiteral("subject")).toString()));
    if (!facts.value(QStringLiteral("selfSigned")).toBool())
        out(QStringLiteral("Issuer:           %1").arg(facts.value(QStringLiteral("issuer")).toString()));
    out(QStringLiteral("Key:              %1").arg(facts.value(QStringLiteral("keyType")).toString()));
    out(QStringLiteral("Valid:            %1 to %2")
            .arg(facts.value(QStringLiteral("notBefore")).toString(), facts.value(QStringLiteral("notAfter")).toString()));
    QStringList names;
    for (const QJsonValue &name : facts.value(QStringLiteral("subjectAltNames")).toArray())
        names.append(name.toString());
    out(QStringLiteral("Names (SAN):      %1").arg(names.join(QStringLiteral(", "))));
    out(QStringLiteral("SHA-256:          %1").arg(facts.value(QStringLiteral("sha256Fingerprint")).toString()));
    out(QStringLiteral("SPKI SHA-256:     %1").arg(facts.value(QStringLiteral("spkiSha256")).toString()));
    if (!certificatePath.isEmpty())
        out(QStringLiteral("Certificate file: %1").arg(certificatePath));
    out(QString());
    out(QStringLiteral("Chromium kiosk (trusts this certificate without a CA):"));
    out(QStringLiteral("  ") + facts.value(QStringLiteral("chromiumCommandLine")).toString());
    out(QStringLiteral("Node ws (copy the certificate file to the kiosk as kioskgate-cert.pem):"));
    out(QStringLiteral("  ") + facts.value(QStringLiteral("nodeWsExample")).toString());
}

// Facts of the stored identity, for commands run without a live instance.
QJsonObject storedFacts(ControlPlane &plane, const ServerSettings &settings, QString *error)
{
    TlsIdentity identity;
    TlsFacts facts;
    if (!plane.tlsStore().load(&identity, &facts, error))
        return {};
    const QString url = QStringLiteral("wss://%1:%2/v1/kiosk")
                            .arg(settings.listenAddress.isLoopback() ? QStringLiteral("127.0.0.1")
                                                                     : QStringLiteral("CONSOLE-ADDRESS"))
                            .arg(settings.port);
    return facts.toJson(kioskPageUrl(settings), url);
}

bool importIdentity(const QCommandLineParser &parser, const QString &file, const QCommandLineOption &keyOption,
                    const QCommandLineOption &passwordOption, TlsIdentity *identity, QString *error)
{
    QByteArray password;
    if (!parser.isSet(keyOption) && parser.isSet(passwordOption)) {
        QFile passwordFile(parser.value(passwordOption));
        if (!passwordFile.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(passwordFile.fileName(), passwordFile.errorString());
            return false;
        }
        password = passwordFile.readLine(4096);
        while (password.endsWith('\n') || password.endsWith('\r'))
            password.chop(1);
    }
    return TlsAdmin::readIdentityFiles(file, parser.isSet(keyOption) ? parser.value(keyOption) : QString(), password,
                                       identity, error);
}

} // namespace

QString kioskPageUrl(const ServerSettings &settings)
{
    return TlsAdmin::kioskPageUrl(settings);
}

QJsonObject handleTlsRequest(const QJsonObject &request, ControlPlane &plane, KioskServer &server)
{
    return TlsAdmin(&plane.tlsStore(), &server).handle(request);
}

int runTlsCommand(const QStringList &arguments, const CliContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The console's TLS certificate (wss:// and https://).\n\n"
        "  kioskgate tls show [--json]          fingerprints, names, validity and the kiosk pinning lines\n"
        "  kioskgate tls regenerate             make a new self-signed certificate and key\n"
        "  kioskgate tls import FILE [--key KEYFILE] [--password-file F]\n"
        "                                       use a PEM pair or a PKCS#12 (.p12/.pfx) file\n\n"
        "With a running instance, a new certificate is served to new connections at once."));
    parser.addHelpOption();
    parser.addOptions({context.dataDir, context.fileSecrets});
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption key(QStringLiteral("key"), QStringLiteral("PEM private key for a PEM certificate FILE."),
                                 QStringLiteral("KEYFILE"));
    const QCommandLineOption password(QStringLiteral("password-file"),
                                      QStringLiteral("File holding the PKCS#12 password (first line)."),
                                      QStringLiteral("F"));
    parser.addOptions({json, key, password});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("show|regenerate|import"),
                                 QStringLiteral("tls show|regenerate|import"));
    parser.process(arguments);
    const QStringList positional = parser.positionalArguments();
    const QString sub = positional.value(1);
    const bool import = sub == QLatin1String("import");
    if ((sub != QLatin1String("show") && sub != QLatin1String("regenerate") && !import)
        || positional.size() != (import ? 3 : 2)) {
        err(QStringLiteral("usage: kioskgate tls show [--json] | tls regenerate | "
                           "tls import FILE [--key KEYFILE] [--password-file F]"));
        return ExitUsage;
    }

    DataDirectory dataDir(dataDirOf(parser, context));
    const bool running = dataDir.isLockedByOther();
    QString error;
    QJsonObject answer;
    if (sub == QLatin1String("show") && running) {
        if (!ControlClient::request(dataDir.controlSocketName(), {{QStringLiteral("command"), QStringLiteral("tls.show")}},
                                    &answer, &error)) {
            err(error);
            return ExitFailure;
        }
    } else {
        ServerSettings settings;
        ControlPlane plane({dataDir.path(), parser.isSet(context.fileSecrets)});
        if (!SettingsStore(dataDir.path()).load(&settings, &error) || !plane.open(&error)) {
            err(error);
            return ExitFailure;
        }
        if (sub == QLatin1String("regenerate") || import) {
            TlsIdentity identity;
            TlsFacts facts;
            const bool stored = import ? importIdentity(parser, positional.at(2), key, password, &identity, &error)
                                             && plane.tlsStore().store(identity, &facts, &error)
                                       : plane.tlsStore().regenerate(&identity, &facts, &error);
            if (!stored) {
                err(error);
                return ExitFailure;
            }
        }
        if (running) {
            if (!ControlClient::request(dataDir.controlSocketName(),
                                        {{QStringLiteral("command"), QStringLiteral("tls.reload")}}, &answer, &error)) {
                err(error);
                return ExitFailure;
            }
        } else {
            answer = storedFacts(plane, settings, &error);
            if (answer.isEmpty()) {
                err(error);
                return ExitFailure;
            }
            answer.insert(QStringLiteral("ok"), true);
            answer.insert(QStringLiteral("certificatePath"), plane.tlsStore().certificatePath());
        }
    }
    if (!answer.value(QStringLiteral("ok")).toBool()) {
        err(answer.value(QStringLiteral("error")).toString());
        return ExitFailure;
    }
    answer.remove(QStringLiteral("ok"));
    if (parser.isSet(json)) {
        printJson(answer);
        return ExitOk;
    }
    if (answer.contains(QStringLiteral("tls")) && !answer.value(QStringLiteral("tls")).toBool()) {
        out(QStringLiteral("The running instance serves plain ws:// (--no-tls): %1")
                .arg(answer.value(QStringLiteral("url")).toString()));
        return ExitOk;
    }
    if (sub != QLatin1String("show"))
        out(running ? QStringLiteral("New certificate stored and served to new connections by the running "
                                     "instance. Kiosks pinned to the old SPKI need the new pin below.\n")
                    : QStringLiteral("New certificate stored; it is served from the next start. Kiosks pinned "
                                     "to the old SPKI need the new pin below.\n"));
    printFacts(answer, answer.value(QStringLiteral("certificatePath")).toString());
    return ExitOk;
}

} // namespace KioskGate

#include "KioskServer.h"

#include "Clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QThread>

namespace KioskGate {

namespace {
constexpr int ShutdownGraceMs = 2000;
}

KioskServer::KioskServer(ServerCore::Config config, const SigningKeyRing *keys, const Clock *clock,
                         QObject *parent)
    : QObject(parent), m_thread(new QThread(this)), m_tls(config.settings.tls)
{
    if (m_tls)
        TlsCertificates::validate(config.tls, clock->nowSecs(), &m_tlsFacts, nullptr);
    m_core = new ServerCore(std::move(config), keys, clock);
    m_thread->setObjectName(QStringLiteral("kioskgate-network"));
    m_core->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_core, &QObject::deleteLater);
    connect(m_core, &ServerCore::sessionOpened, this, &KioskServer::sessionOpened);
    connect(m_core, &ServerCore::sessionClosed, this, &KioskServer::sessionClosed);
    connect(m_core, &ServerCore::handshakeRefused, this, &KioskServer::handshakeRefused);
    connect(m_core, &ServerCore::commandUpdated, this, &KioskServer::commandUpdated);
}

KioskServer::~KioskServer()
{
    stop();
    if (!m_thread->isRunning())
        delete m_core; // the thread never ran, so deleteLater never will
}

bool KioskServer::start(QString *error)
{
    m_thread->start();
    bool ok = false;
    QString reason;
    QMetaObject::invokeMethod(
        m_core,
        [this, &ok, &reason] {
            ok = m_core->start(&reason);
            m_port = m_core->port();
            m_address = m_core->address();
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        m_thread->quit();
        m_thread->wait();
        m_core = nullptr; // deleted by the thread's finished signal
        if (error)
            *error = reason;
        return false;
    }
    m_running = true;
    return true;
}

void KioskServer::stop()
{
    if (!m_running)
        return;
    m_running = false;
    QMetaObject::invokeMethod(m_core, [this] { m_core->stop(); }, Qt::BlockingQueuedConnection);
    // Give kiosks a moment to answer the close frames, so they see 1001
    // rather than a dropped connection.
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ShutdownGraceMs) {
        int remaining = 0;
        QMetaObject::invokeMethod(m_core, [this, &remaining] { remaining = m_core->sessionCount(); },
                                  Qt::BlockingQueuedConnection);
        if (remaining == 0)
            break;
        QThread::msleep(20);
    }
    m_thread->quit();
    m_thread->wait();
    m_core = nullptr;
}

QList<SessionInfo> KioskServer::sessions() const
{
    QList<SessionInfo> result;
    if (m_running) {
        QMetaObject::invokeMethod(m_core, [this, &result] { result = m_core->sessions(); },
                                  Qt::BlockingQueuedConnection);
    }
    return result;
}

int KioskServer::revokeTokens(const QStringList &jtis, const QString &reason)
{
    int closed = 0;
    if (m_running) {
        QMetaObject::invokeMethod(
            m_core, [this, &closed, &jtis, &reason] { closed = m_core->revokeTokens(jtis, reason); },
            Qt::BlockingQueuedConnection);
    }
    return closed;
}

QString KioskServer::kioskUrl() const
{
    QString host = m_address.toString();
    if (m_address.protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("%1://%2:%3%4")
        .arg(m_tls ? QStringLiteral("wss") : QStringLiteral("ws"), host)
        .arg(m_port)
        .arg(QLatin1String(Protocol::KioskPath));
}

bool KioskServer::reloadTls(const TlsIdentity &identity, QString *error)
{
    TlsFacts facts;
    if (!TlsCertificates::validate(identity, QDateTime::currentSecsSinceEpoch(), &facts, error))
        return false;
    if (!m_running) {
        if (error)
            *error = QStringLiteral("the server is not running");
        return false;
    }
    bool ok = false;
    QString reason;
    QMetaObject::invokeMethod(
        m_core, [this, &ok, &reason, &identity] { ok = m_core->setTlsIdentity(identity, &reason); },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        if (error)
            *error = reason;
        return false;
    }
    m_tlsFacts = facts;
    return true;
}

CommandRecord KioskServer::issueCommand(const QString &name, const QStringList &kiosks, const QString &issuer,
                                        QString *error)
{
    CommandRecord record;
    QString reason = QStringLiteral("the server is not running");
    if (m_running) {
        QMetaObject::invokeMethod(
            m_core, [&] { record = m_core->issueCommand(name, kiosks, issuer, &reason); },
            Qt::BlockingQueuedConnection);
    }
    if (!record.isValid() && error)
        *error = reason;
    return record;
}

std::optional<CommandRecord> KioskServer::command(const QString &id) const
{
    std::optional<CommandRecord> record;
    if (m_running)
        QMetaObject::invokeMethod(m_core, [&] { record = m_core->command(id); }, Qt::BlockingQueuedConnection);
    return record;
}

QList<CommandRecord> KioskServer::recentCommands(int limit) const
{
    QList<CommandRecord> records;
    if (m_running) {
        QMetaObject::invokeMethod(m_core, [&] { records = m_core->recentCommands(limit); },
                                  Qt::BlockingQueuedConnection);
    }
    return records;
}

} // namespace KioskGate

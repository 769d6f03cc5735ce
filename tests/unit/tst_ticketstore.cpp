// TicketStore on its own, with a clock the test moves: values, single use,
// lifetime (capped by the token's exp), origin binding, caps, sweeping and
// revocation, and that only digests are kept.

#include "Clock.h"
#include "TicketStore.h"

#include <QtTest>

using KioskGate::TicketStore;

namespace {

KioskGate::TokenClaims claimsFor(const QString &jti, qint64 expiresAt = 0)
{
    KioskGate::TokenClaims claims;
    claims.jti = jti;
    claims.subject = QStringLiteral("kiosk-") + jti;
    claims.expiresAt = expiresAt;
    return claims;
}

} // namespace

class TestTicketStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void issueAndRedeemOnce();
    void lifetime();
    void originBinding();
    void caps();
    void sweepAndRevocation();

private:
    QByteArray issue(TicketStore &store, const QString &jti, const QByteArray &origin = "https://a.example",
                     qint64 expiresAt = 0, int *expiresIn = nullptr)
    {
        QByteArray ticket;
        int in = 0;
        int retry = 0;
        if (store.issue(claimsFor(jti, expiresAt), origin, &ticket, &in, &retry) != TicketStore::IssueResult::Issued)
            return {};
        if (expiresIn)
            *expiresIn = in;
        return ticket;
    }
    bool redeem(TicketStore &store, const QByteArray &ticket, const QByteArray &origin = "https://a.example",
                QString *why = nullptr, KioskGate::TokenClaims *claims = nullptr)
    {
        KioskGate::TokenClaims c;
        QString w;
        const bool ok = store.redeemTicket(ticket, origin, &c, &w);
        if (why)
            *why = w;
        if (claims)
            *claims = c;
        return ok;
    }
};

void TestTicketStore::issueAndRedeemOnce()
{
    KioskGate::ManualClock clock;
    TicketStore store(&clock, 8, 100);
    int expiresIn = 0;
    const QByteArray ticket = issue(store, QStringLiteral("j1"), "https://a.example", 0, &expiresIn);
    QCOMPARE(ticket.size(), 43);
    QCOMPARE(expiresIn, 30);
    QVERIFY(ticket != issue(store, QStringLiteral("j1")));
    QCOMPARE(store.outstanding(), 2);

    KioskGate::TokenClaims claims;
    QString why;
    QVERIFY(redeem(store, ticket, "https://a.example", &why, &claims));
    QCOMPARE(claims.jti, QStringLiteral("j1"));
    QCOMPARE(claims.subject, QStringLiteral("kiosk-j1"));
    QVERIFY(!redeem(store, ticket, "https://a.example", &why));
    QCOMPARE(why, QStringLiteral("unknown_or_used"));
    QCOMPARE(store.outstanding(), 1);
    QVERIFY(!redeem(store, QByteArray(43, 'A'), "https://a.example", &why));
}

void TestTicketStore::lifetime()
{
    KioskGate::ManualClock clock;
    TicketStore store(&clock, 8, 100);
    const QByteArray a = issue(store, QStringLiteral("j1"));
    const QByteArray b = issue(store, QStringLiteral("j1"));
    clock.advanceMs(29999);
    QVERIFY(redeem(store, a));
    clock.advanceMs(1);
    QString why;
    QVERIFY(!redeem(store, b, "https://a.example", &why));
    QCOMPARE(why, QStringLiteral("expired"));

    // The token's exp caps the ticket.
    const qint64 exp = clock.nowSecs() + 5;
    int expiresIn = 0;
    const QByteArray c = issue(store, QStringLiteral("j2"), "https://a.example", exp, &expiresIn);
    QVERIFY(expiresIn <= 5 && expiresIn >= 4);
    clock.setNowMs(exp * 1000);
    QVERIFY(!redeem(store, c));
}

void TestTicketStore::originBinding()
{
    KioskGate::ManualClock clock;
    TicketStore store(&clock, 8, 100);
    const QByteArray ticket = issue(store, QStringLiteral("j1"), "https://a.example");
    QString why;
    QVERIFY(!redeem(store, ticket, "https://b.example", &why));
    QCOMPARE(why, QStringLiteral("origin_mismatch"));
    QVERIFY(!redeem(store, ticket, "https://a.example")); // spent by the wrong origin
    const QByteArray other = issue(store, QStringLiteral("j1"), "https://a.example");
    QVERIFY(!redeem(store, other, QByteArray()));
}

void TestTicketStore::caps()
{
    KioskGate::ManualClock clock;
    TicketStore store(&clock, 2, 3);
    const QByteArray first = issue(store, QStringLiteral("a"));
    clock.advanceMs(10000);
    QVERIFY(!issue(store, QStringLiteral("a")).isEmpty());
    QByteArray ticket;
    int in = 0;
    int retry = 0;
    QCOMPARE(store.issue(claimsFor(QStringLiteral("a")), "https://a.example", &ticket, &in, &retry),
             TicketStore::IssueResult::TooManyForToken);
    QCOMPARE(retry, 20); // the oldest of a's tickets expires in 20 s
    QVERIFY(!issue(store, QStringLiteral("b")).isEmpty());
    QCOMPARE(store.issue(claimsFor(QStringLiteral("c")), "https://a.example", &ticket, &in, &retry),
             TicketStore::IssueResult::TooManyOverall);
    QVERIFY(redeem(store, first));
    QVERIFY(!issue(store, QStringLiteral("a")).isEmpty());
}

void TestTicketStore::sweepAndRevocation()
{
    KioskGate::ManualClock clock;
    TicketStore store(&clock, 8, 100);
    issue(store, QStringLiteral("a"));
    issue(store, QStringLiteral("a"));
    clock.advanceMs(15000);
    const QByteArray b = issue(store, QStringLiteral("b"));
    const QByteArray c = issue(store, QStringLiteral("c"));
    clock.advanceMs(15000);
    QCOMPARE(store.sweep(), 2);
    QCOMPARE(store.outstanding(), 2);
    QCOMPARE(store.dropForJtis({QStringLiteral("b")}), 1);
    QVERIFY(!redeem(store, b));
    QVERIFY(redeem(store, c));
    QCOMPARE(store.outstanding(), 0);
    // Per-token counts went back to zero: the cap is whole again.
    KioskGate::ManualClock fresh;
    TicketStore capped(&fresh, 1, 10);
    const QByteArray only = issue(capped, QStringLiteral("x"));
    QVERIFY(issue(capped, QStringLiteral("x")).isEmpty());
    QCOMPARE(capped.dropForJtis({QStringLiteral("x")}), 1);
    QVERIFY(!issue(capped, QStringLiteral("x")).isEmpty());
    Q_UNUSED(only);
}

QTEST_GUILESS_MAIN(TestTicketStore)
#include "tst_ticketstore.moc"

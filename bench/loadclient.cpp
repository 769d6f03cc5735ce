// kioskgate-loadclient: a WebSocket kiosk fleet on one epoll loop, for
// benchmarking KioskGate against a peer server. Not Qt, no threads: it must
// never be the bottleneck. Prints one JSON object with the measurements.
//
// Phases: (1) connect N kiosks with --inflight handshakes in flight, half
// with the Authorization header (native kiosks, no Origin), half with the
// subprotocol transport and an Origin (browser kiosks); (2) sample the
// server's RSS and CPU (from /proc/<--server-pid>); (3) run --trigger and
// ack every command frame the way kiosks do; (4) a reconnect storm: drop
// --storm kiosks and reconnect them all at once.
//
// --token-file holds one token per line ("TOKEN" or "NAME TOKEN", as
// `kioskgate token issue NAME...` prints them); kiosk i presents line
// i mod lines, so a file of one token is a fleet sharing it.
#include "LoadOptions.h"
#include "ProcessSampler.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <random>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace {

double nowMs()
{
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

enum class State { Connecting, Handshaking, Open, Failed, Closed };

struct Conn
{
    int fd = -1;
    int index = 0;
    State state = State::Connecting;
    bool header = true; // Authorization header, else subprotocol
    double startedMs = 0;
    double openedMs = 0;
    double commandAtMs = 0;
    uint32_t interest = 0; // the events epoll watches for
    std::string out; // unsent bytes
    std::string in;  // unparsed bytes
};

struct Fleet
{
    Options opt;
    int epfd = -1;
    std::vector<Conn> conns;
    std::mt19937 rng{12345};
    int connecting = 0; // in flight
    int opened = 0;
    int failed = 0;
    int commandsReceived = 0;
    int acksSent = 0;
    double lastAckMs = 0;
    double firstCommandMs = 0;
    double lastCommandMs = 0;
    std::string lastFailure;
};

std::string base64(const unsigned char *data, size_t size)
{
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < size; i += 3) {
        unsigned v = unsigned(data[i]) << 16;
        if (i + 1 < size) v |= unsigned(data[i + 1]) << 8;
        if (i + 2 < size) v |= unsigned(data[i + 2]);
        out += table[(v >> 18) & 63];
        out += table[(v >> 12) & 63];
        out += i + 1 < size ? table[(v >> 6) & 63] : '=';
        out += i + 2 < size ? table[v & 63] : '=';
    }
    return out;
}

void setInterest(Fleet &f, Conn &c, uint32_t events)
{
    // Unchanged interest costs no system call: an ack per frame must not
    // pay an epoll_ctl, or the client becomes what a broadcast measures.
    if (c.interest == events)
        return;
    c.interest = events;
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = uint32_t(c.index);
    epoll_ctl(f.epfd, EPOLL_CTL_MOD, c.fd, &ev);
}

void closeConn(Fleet &f, Conn &c, State state)
{
    if (c.fd >= 0) {
        // RST instead of FIN: no TIME_WAIT left behind on either side, so
        // runs back to back do not run out of ephemeral ports.
        linger lg{1, 0};
        setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        epoll_ctl(f.epfd, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
        c.fd = -1;
    }
    if (c.state == State::Connecting || c.state == State::Handshaking)
        --f.connecting;
    if (c.state == State::Open)
        --f.opened;
    c.state = state;
    c.in.clear();
    c.out.clear();
}

void fail(Fleet &f, Conn &c, const std::string &why)
{
    ++f.failed;
    f.lastFailure = why;
    closeConn(f, c, State::Failed);
}

bool startConnect(Fleet &f, Conn &c)
{
    c.in.clear();
    c.out.clear();
    c.commandAtMs = 0;
    c.startedMs = nowMs();
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
        ++f.failed;
        f.lastFailure = std::string("socket: ") + strerror(errno);
        c.state = State::Failed;
        return false;
    }
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (f.opt.sourceAddresses > 0 && f.opt.host.rfind("127.", 0) == 0) {
        setsockopt(c.fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(0x7f000002u + uint32_t(c.index % f.opt.sourceAddresses));
        ::bind(c.fd, reinterpret_cast<sockaddr *>(&local), sizeof local);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(f.opt.port));
    inet_pton(AF_INET, f.opt.host.c_str(), &addr.sin_addr);
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.u32 = uint32_t(c.index);
    c.interest = ev.events;
    epoll_ctl(f.epfd, EPOLL_CTL_ADD, c.fd, &ev);
    c.state = State::Connecting;
    ++f.connecting;
    if (::connect(c.fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        fail(f, c, std::string("connect: ") + strerror(errno));
        return false;
    }
    return true;
}

void flushOut(Fleet &f, Conn &c)
{
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                setInterest(f, c, EPOLLIN | EPOLLOUT);
                return;
            }
            fail(f, c, std::string("send: ") + strerror(errno));
            return;
        }
        c.out.erase(0, size_t(n));
    }
    setInterest(f, c, EPOLLIN);
}

void sendRequest(Fleet &f, Conn &c)
{
    unsigned char key[16];
    for (auto &b : key)
        b = static_cast<unsigned char>(f.rng());
    std::string req = "GET /v1/kiosk HTTP/1.1\r\nHost: " + f.opt.host + ":" + std::to_string(f.opt.port)
                      + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        "Sec-WebSocket-Key: " + base64(key, sizeof key) + "\r\n";
    const std::string &token = f.opt.tokens[size_t(c.index) % f.opt.tokens.size()];
    if (c.header) {
        req += "Authorization: Bearer " + token + "\r\n";
    } else {
        req += "Origin: " + f.opt.origin + "\r\n";
        req += "Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer." + token + "\r\n";
    }
    req += "\r\n";
    c.out = req;
    c.state = State::Handshaking;
    flushOut(f, c);
}

// A masked client text frame.
std::string clientFrame(Fleet &f, const std::string &payload, int opcode = 0x1)
{
    std::string frame;
    frame += char(0x80 | opcode);
    const size_t len = payload.size();
    if (len < 126) {
        frame += char(0x80 | len);
    } else {
        frame += char(0x80 | 126);
        frame += char((len >> 8) & 0xff);
        frame += char(len & 0xff);
    }
    unsigned char mask[4];
    for (auto &m : mask)
        m = static_cast<unsigned char>(f.rng());
    frame.append(reinterpret_cast<char *>(mask), 4);
    for (size_t i = 0; i < len; ++i)
        frame += char(payload[i] ^ mask[i % 4]);
    return frame;
}

void onText(Fleet &f, Conn &c, const std::string &text)
{
    if (text.find("\"type\":\"command\"") == std::string::npos)
        return; // welcome and others
    const double at = nowMs();
    if (c.commandAtMs == 0) {
        c.commandAtMs = at;
        ++f.commandsReceived;
        if (f.firstCommandMs == 0 || at < f.firstCommandMs)
            f.firstCommandMs = at;
        f.lastCommandMs = std::max(f.lastCommandMs, at);
    }
    const size_t idAt = text.find("\"id\":\"");
    if (idAt == std::string::npos)
        return;
    const size_t start = idAt + 6;
    const size_t end = text.find('"', start);
    const std::string id = text.substr(start, end - start);
    c.out += clientFrame(f, "{\"type\":\"ack\",\"id\":\"" + id + "\",\"ok\":true}");
    flushOut(f, c);
    if (c.state == State::Open) {
        ++f.acksSent;
        f.lastAckMs = nowMs();
    }
}

void parseFrames(Fleet &f, Conn &c)
{
    while (c.state == State::Open) {
        if (c.in.size() < 2)
            return;
        const auto *p = reinterpret_cast<const unsigned char *>(c.in.data());
        const int opcode = p[0] & 0x0f;
        uint64_t len = p[1] & 0x7f;
        size_t head = 2;
        if (len == 126) {
            if (c.in.size() < 4) return;
            len = (uint64_t(p[2]) << 8) | p[3];
            head = 4;
        } else if (len == 127) {
            if (c.in.size() < 10) return;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | p[2 + i];
            head = 10;
        }
        if (p[1] & 0x80) { fail(f, c, "masked server frame"); return; }
        if (c.in.size() < head + len)
            return;
        const std::string payload = c.in.substr(head, size_t(len));
        c.in.erase(0, head + size_t(len));
        if (opcode == 0x1) {
            onText(f, c, payload);
        } else if (opcode == 0x9) {
            c.out += clientFrame(f, payload, 0xA); // pong
            flushOut(f, c);
        } else if (opcode == 0x8) {
            closeConn(f, c, State::Closed);
            return;
        }
    }
}

void onEvent(Fleet &f, Conn &c, uint32_t events)
{
    if (c.fd < 0)
        return;
    if (c.state == State::Connecting) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err != 0) { fail(f, c, std::string("connect: ") + strerror(err)); return; }
        if (events & EPOLLOUT)
            sendRequest(f, c);
        return;
    }
    if ((events & EPOLLOUT) && !c.out.empty())
        flushOut(f, c);
    if (c.fd < 0 || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.in.append(buffer, size_t(n));
            if (size_t(n) < sizeof buffer) break;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (c.state == State::Open)
            closeConn(f, c, State::Closed);
        else
            fail(f, c, n == 0 ? "closed during handshake" : std::string("recv: ") + strerror(errno));
        return;
    }
    if (c.state == State::Handshaking) {
        const size_t end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.in.size() > 16384) fail(f, c, "response head too large");
            return;
        }
        if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
            fail(f, c, "refused: " + c.in.substr(0, c.in.find("\r\n")));
            return;
        }
        c.in.erase(0, end + 4);
        c.state = State::Open;
        c.openedMs = nowMs();
        --f.connecting;
        ++f.opened;
    }
    parseFrames(f, c);
}

void pump(Fleet &f, int timeoutMs)
{
    epoll_event events[1024];
    const int n = epoll_wait(f.epfd, events, 1024, timeoutMs);
    for (int i = 0; i < n; ++i)
        onEvent(f, f.conns[events[i].data.u32], events[i].events);
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    const size_t at = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    return v[at];
}

// Connects conns[from, to) with at most `inflight` in flight; returns the
// latencies and fills completion times.
void connectRange(Fleet &f, int from, int to, int inflight, std::vector<double> *latencies,
                  std::vector<double> *completions)
{
    int next = from;
    const double deadline = nowMs() + f.opt.timeoutMs;
    int done = 0;
    const int total = to - from;
    while (done < total && nowMs() < deadline) {
        while (next < to && f.connecting < inflight)
            startConnect(f, f.conns[size_t(next++)]);
        pump(f, 5);
        // Everything in flight belongs to this range.
        done = (next - from) - f.connecting;
    }
    for (int i = from; i < to; ++i) {
        const Conn &c = f.conns[size_t(i)];
        if (c.state == State::Open) {
            latencies->push_back(c.openedMs - c.startedMs);
            completions->push_back(c.openedMs);
        }
    }
    std::sort(completions->begin(), completions->end());
}

// Long enough for the 10 ms ticks of /proc/PID/stat to resolve 5 ms/s.
constexpr int IdleCpuWindowMs = 2000;

// Settles for `ms` while serving pings and frames.
void idle(Fleet &f, int ms)
{
    const double until = nowMs() + ms;
    while (nowMs() < until)
        pump(f, 10);
}

pid_t spawnShell(const std::string &command)
{
    pid_t pid = 0;
    const char *argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char **>(argv), environ) != 0)
        return -1;
    return pid;
}

void triggerHttp(Fleet &f)
{
    // A plain blocking POST on its own connection, as an operator's tool would.
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(f.opt.port));
    inet_pton(AF_INET, f.opt.host.c_str(), &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
        const std::string req = "POST " + f.opt.triggerHttp + " HTTP/1.1\r\nHost: " + f.opt.host
                                + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    }
    ::close(fd);
}

std::string jsonNumber(double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

} // namespace

int main(int argc, char **argv)
{
    Options opt;
    std::string optionError;
    if (!parseOptions(argc, argv, &opt, &optionError)) {
        fprintf(stderr, "%s\n", optionError.c_str());
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    rlimit lim{};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    if (rlim_t(opt.n + opt.storm + 64) > lim.rlim_cur) {
        fprintf(stderr, "RLIMIT_NOFILE %llu is too low for %d connections\n",
                static_cast<unsigned long long>(lim.rlim_cur), opt.n);
        return 2;
    }

    Fleet f;
    f.opt = opt;
    f.epfd = epoll_create1(EPOLL_CLOEXEC);
    const int storm = std::min(opt.storm, opt.n);
    f.conns.resize(size_t(opt.n));
    for (int i = 0; i < opt.n; ++i) {
        f.conns[size_t(i)].index = i;
        f.conns[size_t(i)].header = (i % 2) == 0;
    }

    // (1) connect
    const ProcSample before = sampleServer(opt.serverPid);
    const double clientConnectCpuBefore = ownCpuMs();
    std::vector<double> latencies, completions;
    const double phaseStart = nowMs();
    connectRange(f, 0, opt.n, opt.inflight, &latencies, &completions);
    const double phaseMs = completions.empty() ? 0 : completions.back() - phaseStart;
    const int connectFailures = f.failed;
    const std::string connectFailure = f.lastFailure;
    const ProcSample afterConnect = sampleServer(opt.serverPid);
    const double clientConnectCpuMs = ownCpuMs() - clientConnectCpuBefore;
    const size_t k = std::min<size_t>(1000, completions.size());
    double firstRate = 0, lastRate = 0;
    if (k >= 2) {
        firstRate = double(k) / std::max(1e-3, (completions[k - 1] - phaseStart) / 1000.0);
        const double lastStart = k == completions.size() ? phaseStart : completions[completions.size() - k - 1];
        lastRate = double(k) / std::max(1e-3, (completions.back() - lastStart) / 1000.0);
    }

    // (2) memory once settled (welcome frames out, buffers back)
    idle(f, 1000);
    const ProcSample settled = sampleServer(opt.serverPid);
    // (2b) what an idle fleet costs the server: pings and sweeps only
    const double idleStart = nowMs();
    idle(f, IdleCpuWindowMs);
    const double idleCpuMs = sampleServer(opt.serverPid).cpuMs - settled.cpuMs;
    const double idleCpuMsPerSec = idleCpuMs * 1000.0 / std::max(1.0, nowMs() - idleStart);

    // (3) broadcast
    double broadcastStart = 0;
    std::vector<double> delivery;
    // CPU spent by each side until the last ack: shows which one bounds it.
    double clientBroadcastCpuMs = 0, serverBroadcastCpuMs = 0;
    pid_t triggerPid = -1;
    if (!opt.trigger.empty() || !opt.triggerHttp.empty()) {
        // Commands delivered on connect (still fresh from an earlier run)
        // are not this broadcast.
        for (Conn &c : f.conns)
            c.commandAtMs = 0;
        f.commandsReceived = 0;
        f.acksSent = 0;
        f.firstCommandMs = 0;
        f.lastCommandMs = 0;
        const double clientCpuBefore = ownCpuMs();
        const double serverCpuBefore = sampleServer(opt.serverPid).cpuMs;
        broadcastStart = nowMs();
        if (!opt.trigger.empty())
            triggerPid = spawnShell(opt.trigger);
        else
            triggerHttp(f);
        const double deadline = broadcastStart + opt.timeoutMs;
        while (f.acksSent < f.opened && nowMs() < deadline) {
            pump(f, 10);
            if (triggerPid > 0)
                waitpid(triggerPid, nullptr, WNOHANG);
        }
        clientBroadcastCpuMs = ownCpuMs() - clientCpuBefore;
        serverBroadcastCpuMs = sampleServer(opt.serverPid).cpuMs - serverCpuBefore;
        for (const Conn &c : f.conns) {
            if (c.commandAtMs > 0)
                delivery.push_back(c.commandAtMs - broadcastStart);
        }
        if (triggerPid > 0)
            waitpid(triggerPid, nullptr, 0);
    }
    const int openBeforeStorm = f.opened;

    // (4) reconnect storm: drop `storm` kiosks, reconnect all at once
    const int failedBeforeStorm = f.failed;
    std::vector<double> stormLatencies, stormCompletions;
    for (int i = 0; i < storm; ++i)
        closeConn(f, f.conns[size_t(i)], State::Closed);
    idle(f, 200);
    connectRange(f, 0, storm, storm, &stormLatencies, &stormCompletions);
    const int stormFailures = f.failed - failedBeforeStorm;

    idle(f, opt.holdMs);
    for (Conn &c : f.conns)
        closeConn(f, c, State::Closed);

    const double cpuMs = afterConnect.cpuMs - before.cpuMs;
    std::string out = "{";
    auto add = [&out](const std::string &key, const std::string &value) {
        if (out.size() > 1) out += ",";
        out += "\"" + key + "\":" + value;
    };
    add("n", std::to_string(opt.n));
    add("opened", std::to_string(latencies.size()));
    add("connectFailures", std::to_string(connectFailures));
    add("handshakesPerSec", jsonNumber(phaseMs > 0 ? double(latencies.size()) * 1000.0 / phaseMs : 0));
    add("first1kPerSec", jsonNumber(firstRate));
    add("last1kPerSec", jsonNumber(lastRate));
    add("handshakeP50Ms", jsonNumber(percentile(latencies, 0.50)));
    add("handshakeP99Ms", jsonNumber(percentile(latencies, 0.99)));
    add("serverCpuMsPer1k", jsonNumber(latencies.empty() ? 0 : cpuMs * 1000.0 / double(latencies.size())));
    // With the connect phase's length: how much of the machine each side
    // used while kiosks connected (one core = the phase's length).
    add("clientCpuMsPer1k",
        jsonNumber(latencies.empty() ? 0 : clientConnectCpuMs * 1000.0 / double(latencies.size())));
    add("idleCpuMsPerSec", jsonNumber(idleCpuMsPerSec));
    add("rssBeforeKiB", std::to_string(before.rssKiB));
    add("rssSettledKiB", std::to_string(settled.rssKiB));
    add("kibPerConnection", jsonNumber(latencies.empty() ? 0
                                       : double(settled.rssKiB - before.rssKiB) / double(latencies.size())));
    add("commandsReceived", std::to_string(f.commandsReceived));
    add("acksSent", std::to_string(f.acksSent));
    add("openAtBroadcast", std::to_string(openBeforeStorm));
    add("deliveryP50Ms", jsonNumber(percentile(delivery, 0.50)));
    add("deliveryP99Ms", jsonNumber(percentile(delivery, 0.99)));
    add("allAcksMs", jsonNumber(f.lastAckMs > 0 ? f.lastAckMs - broadcastStart : -1));
    add("firstFrameToAllAcksMs", jsonNumber(f.lastAckMs > 0 ? f.lastAckMs - f.firstCommandMs : -1));
    add("broadcastServerCpuMs", jsonNumber(serverBroadcastCpuMs));
    add("broadcastClientCpuMs", jsonNumber(clientBroadcastCpuMs));
    add("storm", std::to_string(storm));
    add("stormFailures", std::to_string(stormFailures));
    add("stormP50Ms", jsonNumber(percentile(stormLatencies, 0.50)));
    add("stormP99Ms", jsonNumber(percentile(stormLatencies, 0.99)));
    std::string lastFailure = connectFailure.empty() ? f.lastFailure : connectFailure;
    for (char &ch : lastFailure) {
        if (ch == '"' || ch == '\\' || ch < 0x20) ch = ' ';
    }
    add("lastFailure", "\"" + lastFailure + "\"");
    out += "}";
    printf("%s\n", out.c_str());
    return 0;
}

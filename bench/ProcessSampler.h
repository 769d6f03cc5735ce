// CPU and memory readings for the load client's report: its own CPU time
// (getrusage) and the server's RSS and CPU time (/proc/PID/status and
// /proc/PID/stat, Linux).
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace {

// This process's own user + system CPU time.
double ownCpuMs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    auto ms
        = [](const timeval &t) { return double(t.tv_sec) * 1000.0 + double(t.tv_usec) / 1000.0; };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

struct ProcSample
{
    long rssKiB = 0;
    double cpuMs = 0;
};

ProcSample sampleServer(int pid)
{
    ProcSample s;
    if (pid <= 0)
        return s;
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            s.rssKiB = std::strtol(line.c_str() + 6, nullptr, 10);
    }
    std::ifstream statFile("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');
    if (close != std::string::npos) {
        std::istringstream fields(stat.substr(close + 2));
        std::string field;
        long utime = 0, stime = 0;
        for (int i = 3; fields >> field; ++i) {
            if (i == 14)
                utime = std::atol(field.c_str());
            if (i == 15) {
                stime = std::atol(field.c_str());
                break;
            }
        }
        s.cpuMs = double(utime + stime) * 1000.0 / double(sysconf(_SC_CLK_TCK));
    }
    return s;
}

} // namespace

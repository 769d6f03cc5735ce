#pragma once

// The load client's command line (bench/loadclient.cpp).

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

struct Options
{
    std::string host = "127.0.0.1";
    int port = 8765;
    int n = 1000;
    int inflight = 100;
    int storm = 1000;
    std::vector<std::string> tokens; // kiosk i presents tokens[i % size]
    std::string origin = "http://kiosk.bench";
    std::string trigger;      // shell command starting the broadcast
    std::string triggerHttp;  // or a path POSTed to the server itself
    int serverPid = 0;
    int sourceAddresses = 32; // 127.0.0.2.. spreads ephemeral ports
    int timeoutMs = 60000;
    int holdMs = 0; // keep the fleet connected this long at the end (diagnostics)
};

// One token per line, "TOKEN" or "NAME TOKEN": the line's last word.
inline std::vector<std::string> readTokens(const std::string &path)
{
    std::vector<std::string> tokens;
    std::ifstream file(path);
    std::string line;
    while (std::getline(file, line)) {
        std::istringstream words(line);
        std::string word, last;
        while (words >> word)
            last = word;
        if (!last.empty())
            tokens.push_back(last);
    }
    return tokens;
}

// "--name value" pairs into `opt`; false with `error` for an unknown
// option or a run without a token.
inline bool parseOptions(int argc, char **argv, Options *opt, std::string *error)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--host") opt->host = v;
        else if (k == "--port") opt->port = std::atoi(v.c_str());
        else if (k == "--n") opt->n = std::atoi(v.c_str());
        else if (k == "--inflight") opt->inflight = std::atoi(v.c_str());
        else if (k == "--storm") opt->storm = std::atoi(v.c_str());
        else if (k == "--token-file") opt->tokens = readTokens(v);
        else if (k == "--origin") opt->origin = v;
        else if (k == "--trigger") opt->trigger = v;
        else if (k == "--trigger-http") opt->triggerHttp = v;
        else if (k == "--server-pid") opt->serverPid = std::atoi(v.c_str());
        else if (k == "--timeout-ms") opt->timeoutMs = std::atoi(v.c_str());
        else if (k == "--hold-ms") opt->holdMs = std::atoi(v.c_str());
        else {
            *error = "unknown option " + k;
            return false;
        }
    }
    if (opt->tokens.empty()) {
        *error = "--token-file with at least one token is required";
        return false;
    }
    return true;
}

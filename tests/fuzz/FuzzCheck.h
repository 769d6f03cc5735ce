#pragma once

// Shared by every fuzz target. A target is one file fuzz_<name>.cpp that
// defines LLVMFuzzerTestOneInput(); the same file builds into a libFuzzer
// binary (clang, KIOSKGATE_FUZZ) and into a plain replay test that feeds it
// the seed corpus and every regression input (any compiler, normal suite).
//
// Targets state their properties with FUZZ_CHECK: a violated property aborts,
// which libFuzzer reports as a crash (and keeps the input) and the replay
// test reports as a failure.

#include <QByteArray>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", __FILE__, __LINE__,        \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)

namespace Fuzz {

/// The input as a QByteArray that owns its bytes (libFuzzer's buffer is only
/// valid during the call, and QByteArray::fromRawData would not be
/// NUL-terminated, which libjwt and other C APIs rely on).
inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
}

} // namespace Fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

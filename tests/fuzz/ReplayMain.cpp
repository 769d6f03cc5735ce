// Replays inputs through a fuzz target without libFuzzer, so the seed corpus
// and every crash ever found stay regression tests in the normal (gcc) suite.
//
// Usage: fuzz_replay_<name> <corpus dir> [<regressions dir>]
// Fails if the corpus is missing or empty (a replay that ran nothing must
// not pass); the regressions directory may be absent. A violated property
// aborts inside the target, which fails the test.

#include "FuzzCheck.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> inputsIn(const fs::path &dir)
{
    std::vector<fs::path> files;
    std::error_code error;
    if (!fs::is_directory(dir, error))
        return files;
    for (const fs::directory_entry &entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name != "README.md" && name.front() != '.')
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

bool replay(const fs::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "cannot read " << file << "\n";
        return false;
    }
    const std::vector<char> content((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    std::cerr << "replaying " << file.filename().string() << " (" << content.size()
              << " bytes)\n";
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(content.data()), content.size());
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: " << argv[0] << " <corpus dir> [<regressions dir>]\n";
        return 2;
    }
    const std::vector<fs::path> corpus = inputsIn(argv[1]);
    if (corpus.empty()) {
        std::cerr << "no inputs in corpus " << argv[1] << "\n";
        return 1;
    }
    const std::vector<fs::path> regressions = argc == 3 ? inputsIn(argv[2]) : std::vector<fs::path>();
    int replayed = 0;
    for (const auto *set : { &corpus, &regressions }) {
        for (const fs::path &file : *set) {
            if (!replay(file))
                return 1;
            ++replayed;
        }
    }
    std::cout << "replayed " << replayed << " inputs (" << corpus.size() << " corpus, "
              << regressions.size() << " regression inputs)\n";
    return 0;
}

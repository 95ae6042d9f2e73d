#include "auth/secret.hpp"

#include "config/config.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace gatewatch::auth {
namespace fs = std::filesystem;
using config::ConfigError;

namespace {

std::string read_secret_file(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw ConfigError("cannot read " + path.string() + ": " + std::strerror(errno));
    if ((st.st_mode & 077) != 0)
        throw ConfigError(path.string() + " is readable by other users; run: chmod 600 " + path.string());
    std::ifstream in(path, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) throw ConfigError("cannot read " + path.string());
    if (secret.size() < k_min_secret_bytes)
        throw ConfigError(path.string() + " holds fewer than 32 bytes; delete it to generate a new secret");
    return secret;
}

void write_new_secret(const fs::path& path) {
    unsigned char bytes[k_min_secret_bytes];
    randombytes_buf(bytes, sizeof bytes);
    // O_EXCL: when two processes start at once, one creates and the other reads.
    const fs::path tmp = path.string() + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw ConfigError("cannot create " + tmp.string() + ": " + std::strerror(errno));
    const bool written = ::write(fd, bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes) && ::fsync(fd) == 0;
    ::close(fd);
    sodium_memzero(bytes, sizeof bytes);
    if (!written) throw ConfigError("cannot write " + tmp.string() + ": " + std::strerror(errno));
    // link() fails if another process won the race; its secret is then used.
    if (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw ConfigError("cannot create " + path.string() + ": " + std::strerror(err));
    }
    ::unlink(tmp.c_str());
}

}  // namespace

std::string load_or_create_secret(const fs::path& data_dir, const std::optional<std::string>& configured) {
    if (configured) {
        if (configured->size() < k_min_secret_bytes)
            throw ConfigError("GATEWATCH_SECRET_KEY is " +
                              std::string(configured->empty() ? "empty" : "shorter than 32 bytes") +
                              "; give at least 32 random bytes (e.g. `openssl rand -hex 32`), or unset it to "
                              "let gatewatch generate one in the data directory");
        return *configured;
    }
    const fs::path path = data_dir / "secret.key";
    if (!fs::exists(path)) write_new_secret(path);
    return read_secret_file(path);
}

}  // namespace gatewatch::auth

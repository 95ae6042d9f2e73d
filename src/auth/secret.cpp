#include "auth/secret.hpp"

#include "config/config.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gatewatch::auth {
namespace fs = std::filesystem;
using config::ConfigError;

namespace {

std::string read_secret_file(const fs::path& path) {
    // O_NOFOLLOW: the secret is a file of ours, never something a link points at.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) throw ConfigError("cannot read " + path.string() + ": " + std::strerror(errno));
    struct stat st {};
    std::string secret;
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (ok && (st.st_mode & 077) != 0) {
        ::close(fd);
        throw ConfigError(path.string() + " is readable by other users; run: chmod 600 " + path.string());
    }
    char buffer[4096];
    for (ssize_t n; ok && (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
        if (n < 0) {
            ok = errno == EINTR;
            continue;
        }
        secret.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    sodium_memzero(buffer, sizeof buffer);
    if (!ok) throw ConfigError("cannot read " + path.string() + " (not a regular file?)");
    if (secret.size() < k_min_secret_bytes)
        throw ConfigError(path.string() + " holds fewer than 32 bytes; delete it to generate a new secret");
    return secret;
}

void sync_directory(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

void write_new_secret(const fs::path& path) {
    unsigned char bytes[k_min_secret_bytes];
    randombytes_buf(bytes, sizeof bytes);
    // A temporary name of our own, created exclusively and never through a
    // link (a file planted under a predictable name is neither followed nor
    // reused), written and synced, then linked into place.
    unsigned char nonce[8];
    randombytes_buf(nonce, sizeof nonce);
    char suffix[2 * sizeof nonce + 1];
    sodium_bin2hex(suffix, sizeof suffix, nonce, sizeof nonce);
    const fs::path tmp = path.string() + ".tmp-" + suffix;
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) throw ConfigError("cannot create " + tmp.string() + ": " + std::strerror(errno));
    const bool written = ::write(fd, bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes) && ::fsync(fd) == 0;
    ::close(fd);
    sodium_memzero(bytes, sizeof bytes);
    if (!written) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw ConfigError("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    // link() fails if another process won the race (two starts at once); its
    // secret is then used. Unlike rename(), it never replaces a secret.
    if (::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw ConfigError("cannot create " + path.string() + ": " + std::strerror(err));
    }
    ::unlink(tmp.c_str());
    sync_directory(path.parent_path());  // the new name survives a crash
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
    if (!fs::exists(fs::symlink_status(path))) write_new_secret(path);
    return read_secret_file(path);
}

}  // namespace gatewatch::auth

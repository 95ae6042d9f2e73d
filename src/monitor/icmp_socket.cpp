#include "monitor/icmp_socket.hpp"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gatewatch::monitor {

const char* to_string(ProbeMethod method) {
    switch (method) {
        case ProbeMethod::datagram: return "datagram";
        case ProbeMethod::raw: return "raw";
        case ProbeMethod::system_ping: return "ping";
        case ProbeMethod::automatic: break;
    }
    return "auto";
}

std::optional<ProbeMethod> parse_probe_method(std::string_view text) {
    if (text == "auto") return ProbeMethod::automatic;
    if (text == "datagram") return ProbeMethod::datagram;
    if (text == "raw") return ProbeMethod::raw;
    if (text == "ping") return ProbeMethod::system_ping;
    return std::nullopt;
}

std::int64_t realtime_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::optional<Address> parse_address(const std::string& ip) {
    Address a;
    if (inet_pton(AF_INET, ip.c_str(), a.bytes.data()) == 1) {
        a.family = icmp::Family::v4;
        return a;
    }
    if (inet_pton(AF_INET6, ip.c_str(), a.bytes.data()) == 1) {
        a.family = icmp::Family::v6;
        return a;
    }
    return std::nullopt;
}

std::optional<IcmpSocket> IcmpSocket::open(icmp::Family family, ProbeMethod method, std::string& error) {
    const bool v4 = family == icmp::Family::v4;
    const bool raw = method == ProbeMethod::raw;
    const int fd = ::socket(v4 ? AF_INET : AF_INET6, (raw ? SOCK_RAW : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            v4 ? static_cast<int>(IPPROTO_ICMP) : static_cast<int>(IPPROTO_ICMPV6));
    if (fd < 0) {
        error = std::strerror(errno);
        return std::nullopt;
    }
    IcmpSocket socket(fd, family, raw);
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    // Room for a burst of replies from thousands of targets.
    const int buffer = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    if (raw && v4) {
        icmp_filter filter{};
        filter.data = ~(1u << ICMP_ECHOREPLY);  // the bits are the types to drop
        if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) != 0) {
            error = std::string("ICMP_FILTER: ") + std::strerror(errno);
            return std::nullopt;
        }
    } else if (raw) {
        icmp6_filter filter{};
        ICMP6_FILTER_SETBLOCKALL(&filter);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
        if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0) {
            error = std::string("ICMP6_FILTER: ") + std::strerror(errno);
            return std::nullopt;
        }
    }
    return socket;
}

IcmpSocket::IcmpSocket(IcmpSocket&& other) noexcept : fd_(other.fd_), family_(other.family_), raw_(other.raw_) {
    other.fd_ = -1;
}

IcmpSocket& IcmpSocket::operator=(IcmpSocket&& other) noexcept {
    std::swap(fd_, other.fd_);
    family_ = other.family_;
    raw_ = other.raw_;
    return *this;
}

IcmpSocket::~IcmpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

int IcmpSocket::send_to(const Address& to, std::span<const std::uint8_t> packet) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (to.family == icmp::Family::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, to.bytes.data(), 4);
        length = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
        sin6->sin6_family = AF_INET6;
        std::memcpy(&sin6->sin6_addr, to.bytes.data(), 16);
        length = sizeof(sockaddr_in6);
    }
    for (;;) {
        const ssize_t n = ::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&storage), length);
        if (n >= 0) return 0;
        if (errno != EINTR) return errno;
    }
}

std::optional<IcmpSocket::Received> IcmpSocket::receive(std::span<std::uint8_t> buffer) {
    sockaddr_storage from{};
    alignas(cmsghdr) char control[256];
    iovec iov{buffer.data(), buffer.size()};
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = 0;
    for (int attempt = 0; attempt < 64; ++attempt) {
        n = ::recvmsg(fd_, &msg, 0);
        // EINTR: again. Other errors (an ICMP error reported on a datagram
        // socket, e.g. EHOSTUNREACH) are consumed by the read: go on.
        if (n >= 0 || errno == EAGAIN || errno == EWOULDBLOCK) break;
        msg.msg_namelen = sizeof from;
        msg.msg_controllen = sizeof control;
    }
    if (n < 0) return std::nullopt;  // drained

    Received r;
    r.size = static_cast<std::size_t>(n);
    r.received_ns = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            timespec ts{};
            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
            r.received_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
        }
    }
    if (r.received_ns == 0) r.received_ns = realtime_ns();
    if (from.ss_family == AF_INET) {
        r.source.family = icmp::Family::v4;
        std::memcpy(r.source.bytes.data(), &reinterpret_cast<sockaddr_in*>(&from)->sin_addr, 4);
    } else {
        r.source.family = icmp::Family::v6;
        std::memcpy(r.source.bytes.data(), &reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, 16);
    }
    return r;
}

}  // namespace gatewatch::monitor

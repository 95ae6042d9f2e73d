#include "monitor/icmp_socket.hpp"

#include <arpa/inet.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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
    if (v4) {
        // Don't fragment: a 24-byte echo never needs to, and a DF packet
        // leaves with IP id 0, which spares the kernel its per-packet id
        // hash (__ip_select_ident: a tenth of the engine thread in a
        // 100,000-device steady state, perf).
        const int df = IP_PMTUDISC_DO;
        setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof df);
    }
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

struct IcmpSocket::Buffers {
    struct alignas(cmsghdr) Control {
        char bytes[64];  // SCM_TIMESTAMPNS needs CMSG_SPACE(sizeof(timespec)), 32 bytes
    };
    std::array<mmsghdr, k_batch> headers{};
    std::array<iovec, k_batch> iovecs{};
    std::array<sockaddr_storage, k_batch> sources{};
    std::array<Control, k_batch> controls{};
    std::array<std::array<std::uint8_t, k_max_packet>, k_batch> packets{};
    std::array<Received, k_batch> received{};
};

IcmpSocket::IcmpSocket(int fd, icmp::Family family, bool raw)
    : fd_(fd), family_(family), raw_(raw), buffers_(std::make_unique<Buffers>()) {}

IcmpSocket::IcmpSocket(IcmpSocket&& other) noexcept
    : fd_(other.fd_), family_(other.family_), raw_(other.raw_), buffers_(std::move(other.buffers_)) {
    other.fd_ = -1;
}

IcmpSocket& IcmpSocket::operator=(IcmpSocket&& other) noexcept {
    std::swap(fd_, other.fd_);
    family_ = other.family_;
    raw_ = other.raw_;
    std::swap(buffers_, other.buffers_);
    return *this;
}

IcmpSocket::~IcmpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

namespace {

socklen_t to_sockaddr(const Address& to, sockaddr_storage& storage) {
    storage = {};
    if (to.family == icmp::Family::v4) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
        sin->sin_family = AF_INET;
        std::memcpy(&sin->sin_addr, to.bytes.data(), 4);
        return sizeof(sockaddr_in);
    }
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    sin6->sin6_family = AF_INET6;
    std::memcpy(&sin6->sin6_addr, to.bytes.data(), 16);
    return sizeof(sockaddr_in6);
}

Address from_sockaddr(const sockaddr_storage& from) {
    Address a;
    if (from.ss_family == AF_INET) {
        a.family = icmp::Family::v4;
        std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in*>(&from)->sin_addr, 4);
    } else {
        a.family = icmp::Family::v6;
        std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr, 16);
    }
    return a;
}

}  // namespace

void IcmpSocket::send_batch(std::span<const Outgoing> batch, std::span<int> errors) {
    const std::size_t n = std::min({batch.size(), errors.size(), k_batch});
    std::array<mmsghdr, k_batch> headers{};
    std::array<iovec, k_batch> iovecs{};
    std::array<sockaddr_storage, k_batch> addresses;
    for (std::size_t i = 0; i < n; ++i) {
        iovecs[i] = {const_cast<std::uint8_t*>(batch[i].packet.data()), batch[i].packet.size()};
        headers[i].msg_hdr.msg_name = &addresses[i];
        headers[i].msg_hdr.msg_namelen = to_sockaddr(batch[i].to, addresses[i]);
        headers[i].msg_hdr.msg_iov = &iovecs[i];
        headers[i].msg_hdr.msg_iovlen = 1;
        errors[i] = 0;
    }
    std::size_t next = 0;
    while (next < n) {
        const int sent = ::sendmmsg(fd_, headers.data() + next, static_cast<unsigned>(n - next), 0);
        if (sent > 0) {
            next += static_cast<std::size_t>(sent);
        } else if (sent < 0 && errno == EINTR) {
            continue;
        } else {
            // sendmmsg stops at the first packet it cannot send and reports it
            // alone: that one fails, the ones after it are tried again.
            errors[next++] = sent < 0 ? errno : EIO;
        }
    }
}

std::span<const IcmpSocket::Received> IcmpSocket::receive_batch() {
    Buffers& b = *buffers_;
    for (std::size_t i = 0; i < k_batch; ++i) {
        b.iovecs[i] = {b.packets[i].data(), b.packets[i].size()};
        msghdr& m = b.headers[i].msg_hdr;
        m.msg_name = &b.sources[i];
        m.msg_namelen = sizeof b.sources[i];
        m.msg_iov = &b.iovecs[i];
        m.msg_iovlen = 1;
        m.msg_control = b.controls[i].bytes;
        m.msg_controllen = sizeof b.controls[i].bytes;
        m.msg_flags = 0;
    }
    int n = -1;
    for (int attempt = 0; attempt < 64 && n < 0; ++attempt) {
        n = ::recvmmsg(fd_, b.headers.data(), k_batch, MSG_DONTWAIT, nullptr);
        // EAGAIN: drained. EINTR: again. Other errors (an ICMP error reported
        // on a datagram socket, e.g. EHOSTUNREACH) are consumed by the read:
        // go on.
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {};
    }
    if (n <= 0) return {};

    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
        msghdr& m = b.headers[i].msg_hdr;
        Received& r = b.received[i];
        r.data = std::span<const std::uint8_t>(b.packets[i].data(), b.headers[i].msg_len);
        r.received_ns = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts{};
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                r.received_ns = static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
            }
        }
        if (r.received_ns == 0) r.received_ns = realtime_ns();
        r.source = from_sockaddr(b.sources[i]);
    }
    return {b.received.data(), static_cast<std::size_t>(n)};
}

}  // namespace gatewatch::monitor

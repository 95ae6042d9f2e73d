// The kernel's floor for one round of ICMP echoes on this machine: the least
// any engine can take over the same targets with the same kind of socket.
// One thread sends an echo request to each target in batches of 64
// (sendmmsg) while a second reads the replies in batches of 64 (recvmmsg);
// nothing else: no scheduling, no matching, no state. Built and run by
// bench/engine_round.sh inside its network namespace (127.0.0.0/8 on lo).
// Usage: icmp_floor N raw|datagram
// Prints: floor method=… targets=N replies=R round_s=S (first send to last reply)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { batch = 64, echo_size = 24 };

static int fd;
static int raw;
static long targets;
static volatile long replies;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// The same targets as engine_round: 127.0.0.1, 127.0.0.2, … across 127.0.0.0/8.
static void target(long i, struct sockaddr_in* to) {
    const unsigned long n = (unsigned long)i + 1;
    memset(to, 0, sizeof *to);
    to->sin_family = AF_INET;
    to->sin_addr.s_addr = htonl(0x7f000000UL | (n & 0xffffffUL));
}

static uint16_t checksum(const uint8_t* data, size_t size) {
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < size; i += 2) sum += (uint32_t)(data[i] << 8 | data[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void* reader(void* unused) {
    (void)unused;
    static uint8_t packets[batch][2048];
    struct mmsghdr headers[batch];
    struct iovec iovecs[batch];
    const double give_up = now_s() + 10;
    while (replies < targets && now_s() < give_up) {
        memset(headers, 0, sizeof headers);
        for (int i = 0; i < batch; ++i) {
            iovecs[i].iov_base = packets[i];
            iovecs[i].iov_len = sizeof packets[i];
            headers[i].msg_hdr.msg_iov = &iovecs[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        const int n = recvmmsg(fd, headers, batch, MSG_DONTWAIT, NULL);
        if (n > 0) {
            // A raw socket sees our own requests on lo too: count echo replies only.
            for (int i = 0; i < n; ++i) {
                const uint8_t* p = packets[i];
                if (raw) p += (p[0] & 0x0f) * 4;
                if (p[0] == 0) ++replies;
            }
        }
    }
    return NULL;
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: icmp_floor N raw|datagram\n");
        return 2;
    }
    targets = atol(argv[1]);
    raw = strcmp(argv[2], "raw") == 0;
    fd = socket(AF_INET, raw ? SOCK_RAW : SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    const int buffer = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    const int df = IP_PMTUDISC_DO;  /* as gatewatch: DF packets skip the kernel's IP id hash */
    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &df, sizeof df);

    pthread_t thread;
    const double start = now_s();
    pthread_create(&thread, NULL, reader, NULL);
    static uint8_t packets[batch][echo_size];
    struct sockaddr_in to[batch];
    struct mmsghdr headers[batch];
    struct iovec iovecs[batch];
    long unsent = 0;
    for (long first = 0; first < targets; first += batch) {
        const int count = targets - first < batch ? (int)(targets - first) : batch;
        memset(headers, 0, sizeof headers);
        for (int i = 0; i < count; ++i) {
            uint8_t* p = packets[i];
            memset(p, 0, echo_size);
            p[0] = 8;  // echo request
            const long seq = first + i;
            p[4] = 0x47;  // id (the kernel sets its own on a datagram socket)
            p[5] = 0x57;
            p[6] = (uint8_t)(seq >> 8);
            p[7] = (uint8_t)seq;
            const uint16_t sum = checksum(p, echo_size);
            p[2] = (uint8_t)(sum >> 8);
            p[3] = (uint8_t)sum;
            target(seq, &to[i]);
            iovecs[i].iov_base = p;
            iovecs[i].iov_len = echo_size;
            headers[i].msg_hdr.msg_name = &to[i];
            headers[i].msg_hdr.msg_namelen = sizeof to[i];
            headers[i].msg_hdr.msg_iov = &iovecs[i];
            headers[i].msg_hdr.msg_iovlen = 1;
        }
        int sent = 0;
        while (sent < count) {
            const int n = sendmmsg(fd, headers + sent, (unsigned)(count - sent), 0);
            if (n > 0) {
                sent += n;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                ++unsent;  // refused (EAGAIN when the send buffer is full): counted, not retried
                ++sent;
            }
        }
    }
    pthread_join(thread, NULL);
    const double round = now_s() - start;
    printf("floor method=%s targets=%ld replies=%ld unsent=%ld round_s=%.4f probes_per_s=%.0f\n", raw ? "raw" : "datagram",
           targets, (long)replies, unsent, round, (double)targets / round);
    return replies == targets ? 0 : 1;
}

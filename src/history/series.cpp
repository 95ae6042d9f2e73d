#include "history/series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gatewatch::history {

namespace {

constexpr std::int64_t k_minute = 60;
constexpr std::int64_t k_hour = 3600;
constexpr std::int64_t k_day = 86400;

// --- varints (LEB128) and zigzag -------------------------------------------

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

class Reader {
public:
    explicit Reader(std::string_view bytes) : bytes_(bytes) {}
    [[nodiscard]] bool done() const { return pos_ >= bytes_.size(); }
    bool byte(std::uint8_t& out) {
        if (done()) return false;
        out = static_cast<std::uint8_t>(bytes_[pos_++]);
        return true;
    }
    bool varint(std::uint64_t& out) {
        out = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            std::uint8_t b;
            if (!byte(b)) return false;
            out |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return true;
        }
        return false;  // longer than a 64-bit value: damaged
    }

private:
    std::string_view bytes_;
    std::size_t pos_ = 0;
};

// Round record flags.
constexpr std::uint8_t k_ok = 1;         // a probe answered: an RTT delta follows
constexpr std::uint8_t k_same_step = 2;  // time since the previous round as last time (else a varint)
constexpr std::uint8_t k_no_loss = 4;    // nothing lost (else a loss byte, unless k_all_lost)
constexpr std::uint8_t k_all_lost = 8;

// Bucket record flags.
constexpr std::uint8_t k_next = 1;         // the bucket right after the previous one (else a gap varint)
constexpr std::uint8_t k_same_rounds = 2;  // as many rounds as the previous bucket (else a varint)
constexpr std::uint8_t k_all_ok = 4;       // every round succeeded (else, unless k_none_ok, a varint)
constexpr std::uint8_t k_none_ok = 8;
constexpr std::uint8_t k_zero_loss = 16;   // else a loss byte, unless k_same_loss
constexpr std::uint8_t k_same_loss = 32;

std::uint16_t apply_delta(std::uint16_t base, std::uint64_t encoded) {
    // A damaged delta may be any 64-bit value: clamp before adding.
    const std::int64_t delta = std::clamp<std::int64_t>(unzigzag(encoded), -65536, 65536);
    const std::int64_t v = static_cast<std::int64_t>(base) + delta;
    return static_cast<std::uint16_t>(std::clamp<std::int64_t>(v, 0, std::numeric_limits<std::uint16_t>::max()));
}

}  // namespace

LevelSpec spec(Level level) {
    switch (level) {
        case Level::round: return {0, 10 * k_minute, 48 * k_hour};
        case Level::minute: return {k_minute, k_hour, 14 * k_day};
        case Level::hour: return {k_hour, k_day, 400 * k_day};
    }
    return {0, 10 * k_minute, 48 * k_hour};
}

std::int64_t chunk_start(Level level, std::int64_t t) {
    const std::int64_t size = spec(level).chunk_s;
    return t - ((t % size) + size) % size;
}

std::vector<std::int64_t> chunk_starts(Level level, std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (std::int64_t t = chunk_start(level, from); t < to; t += spec(level).chunk_s) out.push_back(t);
    return out;
}

std::uint16_t rtt_code(double ms) {
    const double us = std::max(1.0, ms * 1000.0);
    const double code = std::round(std::log2(us) * 128.0);
    return static_cast<std::uint16_t>(std::clamp(code, 0.0, 65535.0));
}

double rtt_ms(std::uint16_t code) { return std::exp2(code / 128.0) / 1000.0; }

std::uint8_t loss_code(double fraction) {
    return static_cast<std::uint8_t>(std::clamp(std::round(fraction * 255.0), 0.0, 255.0));
}

double loss_fraction(std::uint8_t code) { return code / 255.0; }

// --- rounds ----------------------------------------------------------------

RoundWriter::RoundWriter(std::int64_t start, std::string_view existing) : start_(start), last_at_(start) {
    for (const Round& r : decode_rounds(start, existing)) append(r);
}

void RoundWriter::append(const Round& round) {
    const std::int64_t step = std::max<std::int64_t>(0, round.at - last_at_);
    std::uint8_t flags = 0;
    if (round.ok && round.rtt) flags |= k_ok;
    if (step == last_step_) flags |= k_same_step;
    if (round.loss == 0) flags |= k_no_loss;
    if (round.loss == 255) flags |= k_all_lost;
    bytes_.push_back(static_cast<char>(flags));
    if ((flags & k_same_step) == 0) put_varint(bytes_, static_cast<std::uint64_t>(step));
    if ((flags & (k_no_loss | k_all_lost)) == 0) bytes_.push_back(static_cast<char>(round.loss));
    if ((flags & k_ok) != 0) {
        put_varint(bytes_, zigzag(static_cast<std::int64_t>(*round.rtt) - last_rtt_));
        last_rtt_ = *round.rtt;
    }
    last_step_ = step;
    last_at_ = last_at_ + step;
}

std::vector<Round> decode_rounds(std::int64_t start, std::string_view bytes) {
    std::vector<Round> out;
    Reader in(bytes);
    std::int64_t at = start;
    std::int64_t step = -1;
    std::uint16_t rtt = 0;
    while (!in.done()) {
        std::uint8_t flags;
        std::uint64_t v = 0;
        if (!in.byte(flags)) break;
        if ((flags & k_same_step) == 0) {
            if (!in.varint(v)) break;
            step = static_cast<std::int64_t>(std::min<std::uint64_t>(v, 1u << 30));
        }
        if (step < 0) break;  // the first record must carry its step
        Round r;
        r.at = at + step;
        if (r.at >= start + spec(Level::round).chunk_s) break;  // outside its chunk: damage
        if ((flags & k_no_loss) != 0) {
            r.loss = 0;
        } else if ((flags & k_all_lost) != 0) {
            r.loss = 255;
        } else if (!in.byte(r.loss)) {
            break;
        }
        if ((flags & k_ok) != 0) {
            if (!in.varint(v)) break;
            rtt = apply_delta(rtt, v);
            r.ok = true;
            r.rtt = rtt;
        }
        at = r.at;
        out.push_back(r);
    }
    return out;
}

// --- buckets ---------------------------------------------------------------

BucketWriter::BucketWriter(Level level, std::int64_t start, std::string_view existing)
    : bucket_s_(spec(level).bucket_s), start_(start) {
    for (const Bucket& b : decode_buckets(level, start, existing)) append(b);
}

void BucketWriter::append(const Bucket& b) {
    const std::int64_t index = (b.at - start_) / bucket_s_;
    std::uint8_t flags = 0;
    if (index == last_index_ + 1) flags |= k_next;
    if (b.rounds == last_rounds_) flags |= k_same_rounds;
    if (b.ok == b.rounds) flags |= k_all_ok;
    else if (b.ok == 0) flags |= k_none_ok;
    if (b.loss == 0) flags |= k_zero_loss;
    else if (b.loss == last_loss_) flags |= k_same_loss;
    bytes_.push_back(static_cast<char>(flags));
    if ((flags & k_next) == 0) put_varint(bytes_, static_cast<std::uint64_t>(std::max<std::int64_t>(0, index - last_index_ - 1)));
    if ((flags & k_same_rounds) == 0) put_varint(bytes_, b.rounds);
    if ((flags & (k_all_ok | k_none_ok)) == 0) put_varint(bytes_, b.ok);
    if ((flags & (k_zero_loss | k_same_loss)) == 0) bytes_.push_back(static_cast<char>(b.loss));
    if (b.ok > 0) {
        put_varint(bytes_, zigzag(static_cast<std::int64_t>(b.rtt) - last_rtt_));
        put_varint(bytes_, static_cast<std::uint64_t>(std::max(0, b.rtt_max - b.rtt)));
        last_rtt_ = b.rtt;
    }
    last_index_ = std::max(index, last_index_ + 1);
    last_rounds_ = b.rounds;
    if (b.loss != 0) last_loss_ = b.loss;
}

std::vector<Bucket> decode_buckets(Level level, std::int64_t start, std::string_view bytes) {
    const std::int64_t size = spec(level).bucket_s;
    std::vector<Bucket> out;
    Reader in(bytes);
    std::int64_t index = -1;
    std::uint32_t rounds = 0;
    std::uint8_t loss = 0;
    std::uint16_t rtt = 0;
    while (!in.done()) {
        std::uint8_t flags;
        std::uint64_t v = 0;
        if (!in.byte(flags)) break;
        if ((flags & k_next) != 0) {
            ++index;
        } else {
            if (!in.varint(v) || v > (1u << 30)) break;
            index += 1 + static_cast<std::int64_t>(v);
        }
        if (index >= spec(level).chunk_s / size) break;  // outside its chunk: damage
        if ((flags & k_same_rounds) == 0) {
            if (!in.varint(v) || v > UINT32_MAX) break;
            rounds = static_cast<std::uint32_t>(v);
        }
        Bucket b;
        b.at = start + index * size;
        b.rounds = rounds;
        if ((flags & k_all_ok) != 0) {
            b.ok = rounds;
        } else if ((flags & k_none_ok) != 0) {
            b.ok = 0;
        } else {
            if (!in.varint(v) || v > rounds) break;
            b.ok = static_cast<std::uint32_t>(v);
        }
        if ((flags & k_zero_loss) != 0) {
            b.loss = 0;
        } else if ((flags & k_same_loss) != 0) {
            b.loss = loss;
        } else {
            if (!in.byte(b.loss)) break;
        }
        if (b.loss != 0) loss = b.loss;
        if (b.ok > 0) {
            if (!in.varint(v)) break;
            rtt = apply_delta(rtt, v);
            b.rtt = rtt;
            if (!in.varint(v)) break;
            b.rtt_max = static_cast<std::uint16_t>(v >= 65535u - b.rtt ? 65535u : b.rtt + v);  // no wrap
        }
        out.push_back(b);
    }
    return out;
}

// --- summaries -------------------------------------------------------------

namespace {

// The median of weighted values (the lower one of an even split).
std::uint16_t weighted_median(std::vector<std::pair<std::uint16_t, std::uint32_t>> values) {
    std::sort(values.begin(), values.end());
    std::uint64_t total = 0;
    for (const auto& [value, weight] : values) total += weight;
    std::uint64_t seen = 0;
    for (const auto& [value, weight] : values) {
        seen += weight;
        if (2 * seen >= total) return value;
    }
    return values.empty() ? 0 : values.back().first;
}

}  // namespace

// A round is a bucket of one round: the same arithmetic serves both.
Bucket summarise(std::int64_t at, const std::vector<Round>& rounds) {
    std::vector<Bucket> ones;
    ones.reserve(rounds.size());
    for (const Round& r : rounds) {
        const bool ok = r.ok && r.rtt;
        const std::uint16_t rtt = ok ? *r.rtt : 0;
        ones.push_back({r.at, 1, ok ? 1u : 0u, r.loss, rtt, rtt});
    }
    return summarise(at, ones);
}

Bucket summarise(std::int64_t at, const std::vector<Bucket>& buckets) {
    Bucket b;
    b.at = at;
    std::vector<std::pair<std::uint16_t, std::uint32_t>> rtts;
    std::uint64_t loss_sum = 0;
    for (const Bucket& part : buckets) {
        b.rounds += part.rounds;
        b.ok += part.ok;
        loss_sum += static_cast<std::uint64_t>(part.loss) * part.rounds;
        if (part.ok > 0) {
            rtts.emplace_back(part.rtt, part.ok);
            b.rtt_max = std::max(b.rtt_max, part.rtt_max);
        }
    }
    if (b.rounds > 0) b.loss = static_cast<std::uint8_t>((loss_sum + b.rounds / 2) / b.rounds);
    if (!rtts.empty()) b.rtt = weighted_median(std::move(rtts));
    return b;
}

}  // namespace gatewatch::history

#pragma once
// The history's values and their compact encoding.
//
// A device's history is kept at three resolutions, each cut into chunks
// (one database row each, keyed by device, level and the chunk's start):
//   Level::round   every round,         chunks of 10 minutes, kept 48 h
//   Level::minute  1-minute buckets,    chunks of 1 hour,     kept 14 days
//   Level::hour    1-hour buckets,      chunks of 1 day,      kept 400 days
//
// Encoding (measured with bench/history.sh; see the README): a chunk is a
// sequence of records, each a flag byte and only the fields that differ from
// the usual case, so a steady device costs about 2 bytes a round and 3 a
// bucket. RTTs are kept on a log scale (steps of 1/128, under 0.4 % error at
// any magnitude), so their deltas fit one byte whether a device answers in
// 30 µs or 300 ms. A chunk can be appended to: decode it, then append.
// Pure functions of their arguments; no clock, no I/O.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gatewatch::history {

enum class Level : int { round = 0, minute = 1, hour = 2 };

struct LevelSpec {
    std::int64_t bucket_s;  // resolution (0: one record per round)
    std::int64_t chunk_s;   // length of one stored chunk
    std::int64_t keep_s;    // how long chunks are kept after they end
};
LevelSpec spec(Level level);

// The chunk that holds time `t` (seconds since the epoch).
std::int64_t chunk_start(Level level, std::int64_t t);
// The starts of the chunks that overlap [from, to), ascending.
std::vector<std::int64_t> chunk_starts(Level level, std::int64_t from, std::int64_t to);

// One probe round of one device.
struct Round {
    std::int64_t at = 0;             // seconds since the epoch
    bool ok = false;                 // any probe answered
    std::uint8_t loss = 0;           // fraction of probes lost, in 1/255
    std::optional<std::uint16_t> rtt;  // log-scale code of the median RTT, when ok
};

// Rounds summed over a minute or an hour.
struct Bucket {
    std::int64_t at = 0;      // the bucket's start, seconds since the epoch
    std::uint32_t rounds = 0;
    std::uint32_t ok = 0;     // rounds that succeeded
    std::uint8_t loss = 0;    // mean fraction of probes lost, in 1/255
    std::uint16_t rtt = 0;    // log code: median RTT of the successful rounds (when ok > 0)
    std::uint16_t rtt_max = 0;  // log code: their largest
};

// RTT in milliseconds <-> log code (1 µs .. about 10 min, clamped).
std::uint16_t rtt_code(double rtt_ms);
double rtt_ms(std::uint16_t code);
std::uint8_t loss_code(double fraction);  // 0..1 -> 0..255
double loss_fraction(std::uint8_t code);

// Appends records to a chunk. Construct with the chunk's start and, to append
// to a stored chunk, its bytes. Records must come in time order, inside the chunk.
class RoundWriter {
public:
    explicit RoundWriter(std::int64_t start, std::string_view existing = {});
    void append(const Round& round);
    [[nodiscard]] const std::string& bytes() const { return bytes_; }
    [[nodiscard]] std::int64_t start() const { return start_; }
    [[nodiscard]] bool empty() const { return bytes_.empty(); }

private:
    std::int64_t start_;
    std::string bytes_;
    std::int64_t last_at_;
    std::int64_t last_step_ = -1;
    std::uint16_t last_rtt_ = 0;
};

class BucketWriter {
public:
    BucketWriter(Level level, std::int64_t start, std::string_view existing = {});
    void append(const Bucket& bucket);
    [[nodiscard]] const std::string& bytes() const { return bytes_; }
    [[nodiscard]] std::int64_t start() const { return start_; }
    [[nodiscard]] bool empty() const { return bytes_.empty(); }
    // The start of the newest bucket, or nullopt when empty.
    [[nodiscard]] std::optional<std::int64_t> last_at() const {
        return last_index_ < 0 ? std::nullopt : std::optional(start_ + last_index_ * bucket_s_);
    }

private:
    std::int64_t bucket_s_;
    std::int64_t start_;
    std::string bytes_;
    std::int64_t last_index_ = -1;
    std::uint32_t last_rounds_ = 0;
    std::uint8_t last_loss_ = 0;
    std::uint16_t last_rtt_ = 0;
};

// Decoding; a damaged chunk yields the records before the damage.
std::vector<Round> decode_rounds(std::int64_t start, std::string_view bytes);
std::vector<Bucket> decode_buckets(Level level, std::int64_t start, std::string_view bytes);

// Sums rounds (or smaller buckets) into one bucket starting at `at`: the
// median RTT of the successful rounds, their largest, the mean loss.
// Buckets carry medians only, so a bucket of buckets takes the median of
// their medians, weighted by their successful rounds.
Bucket summarise(std::int64_t at, const std::vector<Round>& rounds);
Bucket summarise(std::int64_t at, const std::vector<Bucket>& buckets);

}  // namespace gatewatch::history
